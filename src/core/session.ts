/**
 * One client connection as the core sees it: identity, capabilities, channels, and the
 * per-session rules (pre-registration cap, flood control, labeled-response capture).
 * It talks to its peer only through the Connection contract, never a socket.
 */
import type { Connection } from '../transports/connection.js';
import { TokenBucket } from '../util/token-bucket.js';
import { parse, escapeTagValue, parseTags, utf8Length, MAX_CLIENT_TAG_BYTES, INVALID_UTF8_MARK } from '../protocol/index.js';
import * as N from '../protocol/numerics.js';
import type { IrcMessage } from '../protocol/message.js';
import type { Logger } from 'pino';
import { Cap } from './caps.js';
import type { Channel } from './channel.js';
import type { IrcServer } from './server.js';
import { closingLine } from '../errors.js';
import type { SaslExchange } from '../accounts/sasl.js';

/** The operator name an admin without an operator block (claimed, or an account) carries. */
export const ADMIN_OPER_NAME = 'admin';

/** At most this many seconds of stalled time are credited to a flood bucket at once. */
export const STALL_CREDIT_MAX_S = 60;

export class Session {
  readonly id: number;
  readonly conn: Connection;
  readonly server: IrcServer;
  readonly ip: string;
  readonly host: string;
  nick = '*';
  /** casefolded nick, '' until a nick is set */
  folded = '';
  user = '';
  realname = '';
  /** nick!user@host, kept in step with nick changes */
  source = '';
  caps = 0;
  capVersion = 0;
  capNegotiating = false;
  passOk: boolean;
  registered = false;
  away: string | null = null;
  /** user mode +w: receives WALLOPS */
  wallops = false;
  /** user mode +B: a bot (335 in WHOIS, the `bot` tag on what it sends) */
  bot = false;
  /** the account logged in to, as registered; null = not logged in. Set only by server.setAccount() */
  account: string | null = null;
  /** nick protection: since when (server clock) this session holds a registered nick it is not logged in to; 0 = not */
  nickGuardSince = 0;
  /** a PASS account:password check is running: registration waits for it */
  loginPending = false;
  /** a SASL exchange in progress (commands/account.ts) */
  sasl: SaslExchange | null = null;
  readonly channels = new Set<Channel>();
  readonly createdAt: number;
  signonAt = 0;
  lastRecv: number;
  lastSpoke: number;
  pingSentAt = 0;
  preRegLines = 0;
  /** hidden from others until the peer says something (Connection.lurking) */
  lurking: boolean;
  closing = false;

  #bucket: TokenBucket | null = null;
  /** created on first use: most sessions never log anything of their own */
  #log: Logger | null = null;
  #invisible = false;
  #oper: string | null = null;
  /** lines held by flood control; allocated on the first held line (idle sessions have none) */
  #queue: string[] | null = null;
  #drainTimer: NodeJS.Timeout | null = null;
  #capture: string[] | null = null;
  #label: string | null = null;
  /** the capture a handler took over with defer(); its labeled reply is sent later */
  #deferred: string[] | null = null;
  /** UTF-8 bytes of the lines in #queue (flood.maxQueuedBytes) */
  #queuedBytes = 0;
  /** the server's stallTotal() already credited to this session's flood bucket */
  #stallSeen = 0;
  /** output held until a cross-node send is acknowledged (src/cluster/core-link.ts); null = none */
  #held: string[] | null = null;
  #heldBytes = 0;
  #holds: { at: number; done: boolean }[] | null = null;

  constructor(id: number, conn: Connection, server: IrcServer, now: number) {
    this.id = id;
    this.conn = conn;
    this.server = server;
    this.ip = conn.remoteAddress.startsWith('::ffff:') ? conn.remoteAddress.slice(7) : conn.remoteAddress;
    // a host starting with ':' would break the line format (e.g. "::1")
    this.host = this.ip.startsWith(':') ? '0' + this.ip : this.ip;
    this.createdAt = now;
    this.lastRecv = now;
    this.lastSpoke = now;
    this.passOk = server.config.password === null;
    this.lurking = conn.lurking === true;
    this.applyFloodConfig();
  }

  /** pino child logger with this connection's id and address. */
  get log(): Logger {
    return (this.#log ??= this.server.logger.child({ conn: this.id, ip: this.ip }));
  }

  /** user mode +i; the server keeps a count for LUSERS (no scan per registration) */
  get invisible(): boolean {
    return this.#invisible;
  }
  set invisible(v: boolean) {
    if (v !== this.#invisible && !this.closing) this.server.countModes(v ? 1 : -1, 0);
    this.#invisible = v;
  }

  /** operator name, null when not an IRC operator (counted like invisible) */
  get oper(): string | null {
    return this.#oper;
  }
  set oper(v: string | null) {
    if ((v === null) !== (this.#oper === null) && !this.closing) this.server.countModes(0, v === null ? -1 : 1);
    this.#oper = v;
  }

  /**
   * Server admin: an IRC operator (OPER), or whoever claimed the join card's one-time
   * code (src/admin/). The one place admin state lives: every admin check reads this, so
   * making an account flag grant it (on login) is `s.admin = true`.
   */
  get admin(): boolean {
    return this.#oper !== null;
  }
  set admin(v: boolean) {
    if (v !== this.admin) this.oper = v ? ADMIN_OPER_NAME : null;
  }

  // ---- ConnectionHandlers: the transport calls these with the session as `this`, so
  // a connection costs no handler closures
  // Every entry point from outside the core (transport callbacks, timers, promise
  // continuations) goes through #guard: a bug costs this session, never the process.
  // (no closure per line: this is the hot path)
  line(l: string): void {
    try {
      this.onLine(l);
    } catch (err) {
      this.crashed(err, 'line');
    }
  }
  tooLong(): void {
    try {
      this.onTooLong();
    } catch (err) {
      this.crashed(err, 'line');
    }
  }
  closed(reason: string): void {
    try {
      this.server.connectionClosed(this, reason);
    } catch (err) {
      this.#forget(err, 'close');
    }
  }

  applyFloodConfig(): void {
    const f = this.server.config.flood;
    // the server's clock, so tests (and stall accounting) need no real time
    this.#bucket = f.enabled ? new TokenBucket(f.linesPerSecond, f.burst, this.server.now) : null;
    this.#stallSeen = this.server.stallTotal();
  }

  /**
   * A bug surfaced while serving this session (a handler, a deferred reply, a timer):
   * logged with its stack; this session is dropped, everyone else carries on.
   */
  crashed(err: unknown, stage: string): void {
    try {
      this.log.error({ err, stage }, 'internal error; dropping this session');
    } catch {
      // logging must not stop the drop
    }
    if (this.closing) return;
    try {
      this.server.disconnect(this, 'TINCAN_ERR_INTERNAL');
    } catch (err2) {
      this.#forget(err2, stage);
    }
  }

  /** Last resort when even tidying up threw: make sure the session is gone. */
  #forget(err: unknown, stage: string): void {
    try {
      this.server.logger.error({ err, stage, conn: this.id }, 'failed to remove a session cleanly; forgetting it');
    } catch {
      // nothing left to try
    }
    this.dispose();
    this.server.sessions.delete(this);
    try {
      this.conn.close(closingLine('', 'TINCAN_ERR_INTERNAL'));
    } catch {
      // the transport is broken too; the socket dies with its own error handling
    }
  }

  #guard(stage: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.crashed(err, stage);
    }
  }

  has(cap: number): boolean {
    return (this.caps & cap) !== 0;
  }

  /** Queues a raw line for this session (captured while a labeled command runs). */
  send(line: string): void {
    if (this.#capture !== null) this.#capture.push(line);
    else if (this.#held !== null) this.#hold(line);
    else {
      try {
        this.conn.write(line);
      } catch (err) {
        // a broken connection (or dialect adapter) costs its own session, not the sender's
        this.crashed(err, 'send');
      }
    }
  }

  /**
   * Sends a numeric from the server: `:server CODE nick middles... :last`. Middle
   * parameters that would break the line format (empty, spaces, leading ':') are
   * replaced by '*', so echoing peer input can never produce an invalid line.
   */
  numeric(code: string, ...params: string[]): void {
    let line = ':' + this.server.config.serverName + ' ' + code + ' ' + this.nick;
    const last = params.length - 1;
    for (let i = 0; i < last; i++) line += ' ' + safeMiddle(params[i]!);
    if (last >= 0) line += ' :' + params[last]!;
    this.send(line);
  }

  /** A command-style message from the server itself (NOTICE, CAP, PONG...). */
  serverMessage(command: string, ...params: string[]): void {
    let line = ':' + this.server.config.serverName + ' ' + command;
    const last = params.length - 1;
    for (let i = 0; i < last; i++) line += ' ' + safeMiddle(params[i]!);
    if (last >= 0) line += ' :' + params[last]!;
    this.send(line);
  }

  setNick(nick: string, folded: string): void {
    this.nick = nick;
    this.folded = folded;
    this.updateSource();
  }

  updateSource(): void {
    this.source = this.nick + '!' + (this.user || '*') + '@' + this.host;
  }

  // ---- input path -------------------------------------------------------------

  onLine(line: string): void {
    if (this.closing) return;
    this.lastRecv = this.server.now();
    this.pingSentAt = 0; // any traffic proves the peer is alive
    if (!this.registered && ++this.preRegLines > this.server.config.limits.preRegistrationLines) {
      this.server.disconnect(this, 'TINCAN_ERR_PREREG_LINES');
      return;
    }
    const b = this.#bucket;
    if (b !== null && this.oper === null && (this.#queue !== null || !this.#take(b))) {
      this.#enqueue(line, b);
      return;
    }
    this.handleLine(line);
  }

  /** A flood token, counting lines typed while the server itself was stalled. */
  #take(b: TokenBucket): boolean {
    return b.take() || (this.#creditStall(b) && b.take());
  }

  /**
   * Lines a person typed while the server was not reading (an event-loop stall) arrive
   * in one burst. Judge the sender's pace, not the backlog: grant the allowance the
   * stalled time would have earned at the configured rate (capped), once per stall.
   */
  #creditStall(b: TokenBucket): boolean {
    const total = this.server.stallTotal();
    const ms = total - this.#stallSeen;
    this.#stallSeen = total;
    if (ms <= 0) return false;
    const cap = b.ratePerSec * STALL_CREDIT_MAX_S;
    b.credit(Math.min(cap, (ms * b.ratePerSec) / 1000));
    return true;
  }

  onTooLong(): void {
    if (this.closing) return;
    this.numeric(N.ERR_INPUTTOOLONG, 'Input line was too long');
  }

  #enqueue(line: string, b: TokenBucket): void {
    const f = this.server.config.flood;
    const bytes = Buffer.byteLength(line);
    const over = (): boolean => (this.#queue?.length ?? 0) >= f.maxQueued || this.#queuedBytes + bytes > f.maxQueuedBytes;
    if (over() && this.#creditStall(b)) this.#drainNow(b);
    if (this.closing) return;
    if (over()) {
      this.server.disconnect(this, 'TINCAN_ERR_FLOOD');
      return;
    }
    // no socket backpressure here: a sustained flood must fill the queue and be cut off,
    // not be slowed to a crawl forever; the queue caps bound what is held
    (this.#queue ??= []).push(line);
    this.#queuedBytes += bytes;
    if (this.#drainTimer === null) this.#scheduleDrain(b);
  }

  #scheduleDrain(b: TokenBucket): void {
    this.#drainTimer = setTimeout(() => this.#guard('flood drain', () => this.#drain(b)), Math.max(1, Math.ceil(b.msUntil())));
    this.#drainTimer.unref();
  }

  #drain(b: TokenBucket): void {
    this.#drainTimer = null;
    this.#creditStall(b);
    this.#drainNow(b);
    if (this.closing) return;
    if (this.#queue !== null) this.#scheduleDrain(b);
  }

  #drainNow(b: TokenBucket): void {
    const q = this.#queue;
    while (q !== null && q.length > 0 && !this.closing && b.take()) {
      const line = q.shift()!;
      // recounted rather than stored per line: this is the flood path, not the idle one
      this.#queuedBytes -= Buffer.byteLength(line);
      if (q.length === 0 && this.#queue === q) {
        this.#queue = null;
        this.#queuedBytes = 0;
      }
      this.handleLine(line);
    }
  }

  handleLine(raw: string): void {
    // the first line the peer itself sent: show it to the rooms it has been hearing
    if (this.lurking && this.conn.lurking !== true) this.server.reveal(this);
    // UTF8ONLY: dropped, never relayed with U+FFFD in it (the reader marks such lines)
    if (raw.charCodeAt(0) === 0xdfff && raw.startsWith(INVALID_UTF8_MARK)) {
      this.serverMessage('FAIL', '*', 'INVALID_UTF8', 'Message rejected: it was not valid UTF-8, and this server only accepts UTF-8');
      return;
    }
    const line = raw.includes('\0') ? raw.replaceAll('\0', '') : raw;
    // message-tags: the tags a client sends (client-only or not) are at most 4094 bytes
    if (line.charCodeAt(0) === 64 /* @ */) {
      let sp = line.indexOf(' ');
      if (sp === -1) sp = line.length;
      if (sp - 1 > MAX_CLIENT_TAG_BYTES / 3 && utf8Length(line.slice(1, sp)) > MAX_CLIENT_TAG_BYTES) {
        this.numeric(N.ERR_INPUTTOOLONG, 'Input line was too long');
        return;
      }
    }
    const r = parse(line);
    if (!r.ok) {
      switch (r.error) {
        case 'empty':
          return;
        case 'input-too-long':
        case 'tags-too-long':
          this.numeric(N.ERR_INPUTTOOLONG, 'Input line was too long');
          return;
        case 'invalid-command': {
          const label = this.has(Cap.labeledResponse) ? rawLabel(line) : undefined;
          if (label === undefined) {
            this.numeric(N.ERR_UNKNOWNCOMMAND, r.command ?? '*', 'Unknown command');
            return;
          }
          // the line did not parse as a command, but its tags did: answer it labeled
          const lines: string[] = [];
          this.#capture = lines;
          try {
            this.numeric(N.ERR_UNKNOWNCOMMAND, r.command ?? '*', 'Unknown command');
          } finally {
            this.#capture = null;
          }
          this.#flushLabeled(label, lines);
          return;
        }
        default:
          this.serverMessage('NOTICE', this.nick, `Malformed line ignored (${r.error})`);
          return;
      }
    }
    this.dispatch(r.msg);
  }

  dispatch(msg: IrcMessage): void {
    const label = msg.tags?.get('label');
    if (label !== undefined && this.has(Cap.labeledResponse)) {
      const lines: string[] = [];
      this.#capture = lines;
      this.#label = label;
      let deferred: boolean;
      try {
        this.server.dispatch(this, msg);
      } finally {
        deferred = this.#deferred === lines;
        this.#capture = null;
        this.#label = null;
        this.#deferred = null;
      }
      // a deferred reply that has not run yet sends the labeled response itself
      if (!deferred && !this.closing) this.#flushLabeled(label, lines);
    } else {
      this.server.dispatch(this, msg);
    }
  }

  /**
   * For a handler that answers after an await (history queries): call it inside the
   * handler; later, call the returned function with a callback that sends the reply.
   * If the command was labeled, labeled-response wraps what the callback sent (and any
   * lines sent before defer()) as it would have synchronously; a reply made before the
   * handler returns simply joins that capture. The reply runs once; nothing is sent once
   * the session is closing; a throw in it drops this session only.
   */
  defer(): (reply: () => void) => void {
    const label = this.#label;
    const early = this.#capture;
    let done = false;
    if (label === null || early === null) {
      return (reply) => {
        if (done || this.closing) return;
        done = true;
        this.#guard('deferred reply', reply);
      };
    }
    this.#deferred = early;
    return (reply) => {
      if (done || this.closing) return;
      done = true;
      if (this.#capture === early) {
        // still inside the handler: part of the normal capture, flushed by dispatch()
        if (this.#deferred === early) this.#deferred = null;
        reply();
        return;
      }
      const outer = this.#capture;
      this.#capture = early;
      try {
        reply();
      } catch (err) {
        this.#capture = outer;
        this.crashed(err, 'deferred reply');
        return;
      }
      this.#capture = outer;
      this.#guard('labeled flush', () => this.#flushLabeled(label, early));
    };
  }

  /** A reply for later that is never part of a labeled response (JOIN replay); guarded. */
  later(): (reply: () => void) => void {
    return (reply) => {
      if (!this.closing) this.#guard('deferred reply', reply);
    };
  }

  /** labeled-response: ACK for nothing, a tag for one line, a batch for several. */
  #flushLabeled(label: string, lines: string[]): void {
    const tag = 'label=' + escapeTagValue(label);
    const server = this.server.config.serverName;
    if (lines.length === 0) {
      this.#write('@' + tag + ' :' + server + ' ACK');
    } else if (lines.length === 1 || !this.has(Cap.batch)) {
      this.#write(addTag(lines[0]!, tag));
      for (let i = 1; i < lines.length; i++) this.#write(lines[i]!);
    } else {
      const id = this.server.nextBatchId();
      this.#write('@' + tag + ' :' + server + ' BATCH +' + id + ' labeled-response');
      for (const l of lines) this.#write(addTag(l, 'batch=' + id));
      this.#write(':' + server + ' BATCH -' + id);
    }
  }

  #write(line: string): void {
    if (this.#held !== null) this.#hold(line);
    else this.conn.write(line);
  }

  #hold(line: string): void {
    this.#held!.push(line);
    this.#heldBytes += line.length;
    // held output is bounded like a send queue
    if (this.#heldBytes > this.server.config.limits.sendQBytes && !this.closing) this.server.disconnect(this, 'TINCAN_ERR_SENDQ');
  }

  /**
   * Holds everything sent to this session (replies, labeled responses, others' lines) in
   * order until the returned release runs: a cross-node line is acknowledged (echo,
   * label) only once Redis has it (docs/scale-out.md). Holds queue up: a line goes out
   * once every hold taken before it was sent is released. Bounded by sendQBytes.
   */
  hold(): () => void {
    const h = { at: (this.#held ??= []).length, done: false };
    const holds = (this.#holds ??= []);
    holds.push(h);
    return () => {
      if (h.done) return;
      h.done = true;
      while (holds.length > 0 && holds[0]!.done) holds.shift();
      const held = this.#held;
      if (held === null) return;
      const upTo = holds.length === 0 ? held.length : holds[0]!.at;
      const out = held.splice(0, upTo);
      for (const x of holds) x.at -= upTo;
      if (holds.length === 0) {
        this.#held = null;
        this.#holds = null;
        this.#heldBytes = 0;
      } else for (const l of out) this.#heldBytes -= l.length;
      if (this.closing) return;
      try {
        for (const l of out) this.conn.write(l);
      } catch (err) {
        this.crashed(err, 'send');
      }
    };
  }

  // ---- teardown ---------------------------------------------------------------

  /** Clears timers and queued input; the server does the rest. */
  dispose(): void {
    this.closing = true;
    if (this.#drainTimer !== null) clearTimeout(this.#drainTimer);
    this.#drainTimer = null;
    this.#queue = null;
    this.#queuedBytes = 0;
  }

  /**
   * @internal What this session holds beyond its fixed fields (perf-idle test): an idle
   * registered session should hold none of these.
   */
  idleFootprint(): string[] {
    const out: string[] = [];
    if (this.#queue !== null) out.push('flood queue');
    if (this.#drainTimer !== null) out.push('flood drain timer');
    if (this.#log !== null) out.push('child logger');
    if (this.#capture !== null || this.#deferred !== null) out.push('labeled-response capture');
    return out;
  }
}

/** The `label` tag of a line that did not parse past its tags, if its tag section parses. */
function rawLabel(line: string): string | undefined {
  if (line.charCodeAt(0) !== 64 /* @ */) return undefined;
  const sp = line.indexOf(' ');
  return parseTags(line.slice(1, sp === -1 ? line.length : sp))?.get('label');
}

export function safeMiddle(p: string): string {
  return p === '' || p.charCodeAt(0) === 58 /* : */ || p.includes(' ') ? '*' : p;
}

export function addTag(line: string, tag: string): string {
  return line.charCodeAt(0) === 64 /* @ */ ? '@' + tag + ';' + line.slice(1) : '@' + tag + ' ' + line;
}
