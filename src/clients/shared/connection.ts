/**
 * The connection half of the client model: one transport at a time, registration (CAP
 * negotiation, PASS, NICK/USER, the nick-in-use fallback), PING, reconnect with capped
 * exponential backoff, and a refused password (464) that waits for the user instead of
 * looping. What the lines mean is the subclass's (irc-client.ts): it gets every message
 * through handle() and is told when a session starts and when it is lost.
 */
import { parse, serializeParts, type IrcMessage } from '../../protocol/index.js';
import * as N from '../../protocol/numerics.js';
import { Emitter } from './emitter.js';
import { Backoff } from './backoff.js';
import { CapNegotiation } from './caps.js';
import type { LineKind } from './buffer.js';
import type { ClientEvents, ClientOptions, ConnState, LineTransport } from './client-types.js';

export abstract class IrcConnection extends Emitter<ClientEvents> {
  nick: string;
  state: ConnState = 'disconnected';
  /** enabled capabilities */
  readonly caps = new Set<string>();
  /** offered capabilities (name -> value) */
  readonly offered = new Map<string, string>();
  /** sent as PASS on every connect; null: none */
  password: string | null;
  /** the server refused the password (its 464 text): no reconnect until submitPassword() */
  passwordError: string | null = null;
  /** while disconnected with a reconnect planned: when (ms since the epoch) */
  retryAt: number | null = null;

  protected readonly opts: ClientOptions;
  /** the nick asked for (the server may give a fallback while registering) */
  protected wantedNick: string;
  readonly #cap: CapNegotiation;
  readonly #backoff: Backoff | null;
  #transport: LineTransport | null = null;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #nickTries = 0;
  #quitting = false;

  constructor(opts: ClientOptions) {
    super();
    this.opts = opts;
    this.nick = opts.nick;
    this.wantedNick = opts.nick;
    this.password = opts.password ?? null;
    this.#cap = new CapNegotiation(this.caps, this.offered, opts.extraCaps);
    this.#backoff = opts.reconnect === false ? null : new Backoff(opts.reconnect ?? { minMs: 1000, maxMs: 30000 });
  }

  /** A new session starts: forget per-session state (batches, requests in flight). */
  protected abstract sessionStarted(): void;
  /** The transport is gone (or replaced): nobody is known to be anywhere now. */
  protected abstract sessionLost(): void;
  /** Tells the user about the connection in the server window (and `elsewhere` in the window in view). */
  protected abstract note(text: string, kind: LineKind, elsewhere?: string): void;
  /** Handles one parsed message (public for tests). */
  abstract handle(msg: IrcMessage): void;

  get label(): string {
    return this.opts.serverLabel;
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  protected now(): Date {
    return this.opts.now ? this.opts.now() : new Date();
  }

  connect(): void {
    if (this.#transport) return;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.retryAt = null;
    this.#quitting = false;
    this.setState('connecting');
    this.#cap.reset();
    this.sessionStarted();
    this.#nickTries = 0;
    this.nick = this.wantedNick;
    let open = false;
    // a transport replaced by reconnect() may still report: only the current one counts
    let t: LineTransport | null = null;
    const mine = (): boolean => t !== null && this.#transport === t;
    t = this.opts.transport({
      onOpen: () => {
        if (!mine()) return;
        open = true;
        this.setState('registering');
        this.#register();
      },
      onLine: (line) => {
        if (!mine()) return;
        this.emit('wire', 'in', line);
        const r = parse(line);
        if (r.ok) this.handle(r.msg);
      },
      onClose: (err) => {
        if (!mine()) return;
        this.#transport = null;
        // a fatal transport error (a changed TLS certificate): reconnecting would not help
        this.#lost(err ? err.message : open ? 'connection closed' : 'could not connect', (err as { fatal?: boolean } | undefined)?.fatal === true);
      },
    });
    // (transports never call back before the factory returns)
    this.#transport = t;
  }

  #lost(why: string, fatal = false): void {
    this.sessionLost();
    if (this.#quitting) {
      this.setState('closed');
      return;
    }
    if (fatal) {
      this.note(`Disconnected from ${this.label}: ${why}`, 'error');
      this.setState('closed');
      return;
    }
    this.setState('disconnected');
    if (this.passwordError !== null) {
      // the same (or no) password would be refused again: wait for submitPassword()
      this.note(`Disconnected from ${this.label}: ${why}. It wants ${this.password === null ? 'a' : 'another'} password before it lets you in`, 'error');
      return;
    }
    if (!this.#backoff) {
      this.note(`Disconnected from ${this.label}: ${why}`, 'error');
      return;
    }
    const delay = this.#backoff.next();
    this.retryAt = this.now().getTime() + delay;
    this.note(`Disconnected from ${this.label}: ${why}. Reconnecting in ${(delay / 1000).toFixed(1)} s`, 'error', `Disconnected: ${why}. Reconnecting...`);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.connect();
    }, delay);
    this.emit('change');
  }

  /** Skips the wait before a planned reconnect (not while a password is wanted). */
  reconnectNow(): void {
    if (this.#reconnectTimer === null || this.passwordError !== null) return;
    this.connect();
  }

  /** Drops the connection (if any) and connects again at once. */
  reconnect(): void {
    const t = this.#transport;
    if (t !== null) {
      this.#transport = null;
      t.close();
      this.sessionLost();
    }
    this.connect();
  }

  /** Connects again with this server password (after the server refused one, or none). */
  submitPassword(password: string): void {
    this.password = password;
    this.passwordError = null;
    this.#backoff?.reset();
    if (this.state === 'disconnected') this.connect();
    else this.emit('change');
  }

  /** Sends QUIT and stops reconnecting. */
  quit(message = 'Leaving'): void {
    this.#quitting = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    if (this.#transport) {
      this.send('QUIT', message);
      const t = this.#transport;
      setTimeout(() => t.close(), 300);
    } else {
      this.setState('closed');
    }
  }

  /** Drops the connection as if the network failed (reconnect follows). For tests and /reconnect. */
  disconnect(): void {
    this.#transport?.close();
  }

  protected setState(s: ConnState): void {
    this.state = s;
    this.emit('state', s);
    this.emit('change');
  }

  /** Sends one IRC command. The last param gets ':' only when needed. False when not connected. */
  send(command: string, ...params: string[]): boolean {
    const clean = params.map((p) => p.replace(/[\r\n\0]/g, ' '));
    return this.sendLine(serializeParts('', null, command, clean));
  }

  /** Sends a ready-made line (for /raw). Returns false when not connected. */
  sendLine(line: string): boolean {
    if (!this.#transport) return false;
    const l = line.replace(/[\r\n\0]/g, ' ');
    this.emit('wire', 'out', l);
    this.#transport.send(l);
    return true;
  }

  #register(): void {
    this.send('CAP', 'LS', '302');
    if (this.password !== null) this.send('PASS', this.password);
    this.send('NICK', this.nick);
    const user = this.opts.user ?? (this.wantedNick.replace(/[^A-Za-z0-9]/g, '').slice(0, 10) || 'tincan');
    this.send('USER', user, '0', '*', this.opts.realname ?? 'tincan chat');
  }

  /**
   * The connection's own messages: PING, CAP, the welcome, a refused nick while
   * registering, a refused password. True when nothing more is to be done with it.
   */
  protected handleConnection(msg: IrcMessage): boolean {
    const p = msg.params;
    switch (msg.command) {
      case 'PING':
        this.send('PONG', ...p);
        return true;
      case 'CAP':
        for (const c of this.#cap.onCap(p, this.state === 'registering')) this.send('CAP', ...c);
        this.emit('change');
        return true;
      case N.RPL_WELCOME:
        this.nick = p[0] ?? this.nick;
        this.passwordError = null;
        this.#backoff?.reset();
        this.setState('connected');
        return false;
      case N.ERR_NICKNAMEINUSE:
      case N.ERR_ERRONEUSNICKNAME:
      case N.ERR_NICKCOLLISION: {
        if (this.state !== 'registering') return false;
        this.#nickTries++;
        const base = this.wantedNick.slice(0, 12);
        this.nick = msg.command === N.ERR_ERRONEUSNICKNAME ? `tincan${Math.floor(Math.random() * 1000)}` : this.#nickTries === 1 ? `${base}_` : `${base}${this.#nickTries}`;
        this.note(`Nick ${p[1] ?? this.wantedNick} is taken or invalid; trying ${this.nick}`, 'info');
        this.send('NICK', this.nick);
        return true;
      }
      case N.ERR_PASSWDMISMATCH:
        this.passwordError = p[p.length - 1] || 'Password required';
        this.note(this.password === null ? 'This server needs a password' : 'The server refused the password', 'error');
        this.emit('change');
        return true;
    }
    return false;
  }
}
