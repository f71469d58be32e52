/**
 * The plain dialect: chat over a bare socket with no protocol to learn (netcat, telnet,
 * the lesson's Python `socket` client). A Connection ADAPTER: it wraps the real
 * transport connection and presents an ordinary IRC Connection to the unchanged core.
 * So plain users get every server rule (flood control, send queue caps, kicks, bans)
 * from the core, and IRC users see them as ordinary users.
 *
 * This file is only the adapter (the Connection implementation and its wiring):
 * - plain/registration.ts  the way in: password, guest nick, first room, held lines
 * - plain/commands.ts      the slash-command table (`/help` is generated from it)
 * - plain/render.ts        IRC from the core as readable text; plain/numerics.ts the
 *                          numeric -> text table
 * - plain/text.ts          stripping, 80-column rows, stamps, the message splitter
 * - plain/state.ts         what the connection knows: nick, rooms, current room, away
 *
 * Toward the core a typed line becomes `PRIVMSG <current room> :text`; a slash command
 * runs from the table. Reactions to what the core says (JOIN after 001, a new guest
 * nick after 433, PONG, CTCP replies) are queued as microtasks, never fed to the core
 * from inside its own write() call.
 *
 * Not here: detection (transports/detect.ts), telnet stripping (./telnet.ts), line
 * framing and the no-newline flush (transports/tcp-connection.ts options).
 */
import type { Config } from '../config/types.js';
import type { Connection, ConnectionHandlers } from '../transports/connection.js';
import { casefolder, parse, serializeParts } from '../protocol/index.js';
import { parseCommandLine } from '../shared/command-table.js';
import { PLAIN_COMMANDS, type PlainCommandContext } from './plain/commands.js';
import { PlainAccount } from './plain/account.js';
import { Registration } from './plain/registration.js';
import { Renderer } from './plain/render.js';
import { PlainState } from './plain/state.js';
import { cleanInput, cleanText, splitText, wrapRows } from './plain/text.js';
import { detect } from '../transports/detect.js';

export { CONTINUATION, WRAP_COLUMNS, cleanInput, cleanText, splitText, stamp, wrapRows } from './plain/text.js';
export { PLAIN_COMMANDS, helpText } from './plain/commands.js';

/** How long an unterminated line waits for more bytes before it is sent as a message. */
export const PARTIAL_FLUSH_MS = 400;
/** Text bytes per PRIVMSG; longer input is split (room for the longest prefix). */
const MAX_TEXT_BYTES = 360;

export interface PlainOptions {
  config: () => Config;
  /** clock for `[HH:MM]` stamps (tests inject one) */
  now?: () => Date;
  /** guest nick generator (default guest + 4 random digits) */
  guestNick?: () => string;
  /** the peer has sent nothing yet (detected after a silence): hidden until it types */
  lurking?: boolean;
  /**
   * Serves a connection as IRC (the listener's onConnection): a plain guess that turns
   * out to be an IRC client is handed over (see #maybeIrc). Absent: never switched.
   */
  handOff?: (conn: Connection) => void;
}

/** Non-blank lines within which a plain guess may still turn into IRC. */
export const SWITCH_LINES = 3;
/** ... and time since the connection was made. */
export const SWITCH_WINDOW_MS = 30_000;
/** How long an IRC-looking first line waits for the line after it before it is chat. */
export const SWITCH_HOLD_MS = 1000;
/** An IRC command line's shape: optional tags and source, an upper-case word or a numeric. */
const IRC_LIKE = /^(@\S+ +)?(:\S+ +)?([A-Z]{3,16}|\d{3})( |$)/;

/** Does `line` alone open an IRC connection (detect.ts's rule for a first line)? */
function isIrcOpenerLine(line: string): boolean {
  return detect(Buffer.from(line + '\r\n')) === 'irc';
}

/**
 * The connection an IRC session gets when a plain guess is handed over: the same
 * socket, its lines passed through untouched (PlainConnection forwards them here).
 */
class IrcHandOver implements Connection {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly secure: boolean;
  readonly localHost: string | undefined;
  handlers: ConnectionHandlers | null = null;
  readonly #inner: Connection;

  constructor(inner: Connection) {
    this.#inner = inner;
    this.id = inner.id;
    this.remoteAddress = inner.remoteAddress;
    this.remotePort = inner.remotePort;
    this.secure = inner.secure;
    this.localHost = inner.localHost;
  }
  get queuedBytes(): number {
    return this.#inner.queuedBytes;
  }
  attach(h: ConnectionHandlers): void {
    this.handlers = h;
  }
  write(line: string): boolean {
    return this.#inner.write(line);
  }
  close(finalLine?: string): void {
    this.#inner.close(finalLine);
  }
  pause(): void {
    this.#inner.pause();
  }
  resume(): void {
    this.#inner.resume();
  }
}

// A fan-out writes the same line to every member in a row: parse it once for all plain
// members (parsing per member was a third of a 2,000-guest mass join). Messages are
// only read by the renderer, never changed.
let memoLine = '';
let memoParsed: ReturnType<typeof parse> = parse('PING x');

function parseShared(line: string): ReturnType<typeof parse> {
  if (line !== memoLine) {
    memoParsed = parse(line);
    memoLine = line;
  }
  return memoParsed;
}

/** A Connection that turns plain text into IRC for the core, and IRC into plain text. */
/** /bytes shows at most this much of one IRC line. */
const WIRE_CHARS = 400;

export class PlainConnection implements Connection {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly secure: boolean;
  readonly localHost: string | undefined;
  /** the renderer shows the time tag as `[12:03]` */
  readonly showsServerTime = true;
  #lurking: boolean;

  readonly #inner: Connection;
  readonly #config: () => Config;
  readonly #now: () => Date;
  readonly #state: PlainState;
  readonly #reg: Registration;
  readonly #renderer: Renderer;
  readonly #commands: PlainCommandContext;
  #core: ConnectionHandlers | null = null;
  readonly #handOff: ((conn: Connection) => void) | undefined;
  readonly #since = Date.now();
  /** non-blank lines seen while a switch to IRC is still possible; -1 = no longer possible */
  #inputs = 0;
  /** IRC-looking lines held back while waiting to see whether an IRC client follows */
  #held: string[] = [];
  #holdTimer: NodeJS.Timeout | null = null;
  /** once handed over: the IRC session's connection, which gets every line */
  #irc: IrcHandOver | null = null;

  constructor(inner: Connection, opts: PlainOptions) {
    this.#inner = inner;
    this.id = inner.id;
    this.remoteAddress = inner.remoteAddress;
    this.remotePort = inner.remotePort;
    this.secure = inner.secure;
    this.localHost = inner.localHost;
    this.#config = opts.config;
    this.#now = opts.now ?? (() => new Date());
    this.#lurking = opts.lurking === true;
    this.#handOff = opts.handOff;
    if (this.#handOff === undefined) this.#inputs = -1;
    const guestNick = opts.guestNick ?? (() => 'guest' + String(1000 + Math.floor(Math.random() * 9000)));
    const state = new PlainState(opts.config, casefolder(opts.config().casemapping));
    const toCore = (command: string, params: string[]): void => this.#toCore(command, params);
    const later = (fn: () => void): void => this.#later(fn);
    const show = (lines: readonly string[]): void => this.#show(lines);
    this.#state = state;
    this.#reg = new Registration({ config: opts.config, guestNick, toCore, later, show, typed: (t) => this.#typed(t) });
    const account = new PlainAccount({ state, toCore, later });
    this.#renderer = new Renderer(state, this.#reg, { now: this.#now, toCore, later, account });
    this.#commands = {
      state,
      config: opts.config,
      now: this.#now,
      show,
      error: (text) => this.#error(text),
      toCore,
      coreLine: (line) => {
        if (this.#state.bytes) this.#showWire('>>', line);
        this.#core?.line(line);
      },
      say: (target, text) => this.#say(target, text),
      account,
    };
  }

  /** Connection.lurking: true until the user sends a line of their own. */
  get lurking(): boolean {
    return this.#lurking;
  }

  /** The nick the core knows this user by ('*' before registration). */
  get nick(): string {
    return this.#state.nick;
  }

  /** The room typed lines go to, or null. */
  get room(): string | null {
    return this.#state.room;
  }

  get queuedBytes(): number {
    return this.#inner.queuedBytes;
  }

  pause(): void {
    this.#inner.pause();
  }

  resume(): void {
    this.#inner.resume();
  }

  attach(handlers: ConnectionHandlers): void {
    if (this.#core !== null) throw new Error(`connection ${this.id}: attach() called twice`);
    this.#core = handlers;
    this.#reg.start();
    this.#inner.attach({
      line: (l) => {
        this.#lurking = false;
        // the dialect's own code runs before the core's guard: a bug here costs this user only
        try {
          this.#onInput(l);
        } catch (err) {
          if (this.#core?.crashed !== undefined) this.#core.crashed(err, 'plain dialect');
          else this.close('ERROR :Closing link: (Internal server error)');
        }
      },
      tooLong: () => this.#show(['! That line was too long and was not sent.']),
      closed: (reason) => {
        this.#clearHold();
        if (this.#irc !== null) {
          this.#irc.handlers?.closed(reason);
          return;
        }
        this.#reg.closed();
        this.#core?.closed(reason);
      },
    });
  }

  write(line: string): boolean {
    if (this.#reg.state === 'closed') return false;
    const r = parseShared(line);
    if (!r.ok) return true;
    if (this.#state.bytes) this.#showWire('<<', line);
    const out = this.#renderer.render(r.msg);
    for (const l of out) for (const row of wrapRows(l)) if (!this.#inner.write(row)) return false;
    return true;
  }

  close(finalLine?: string): void {
    if (this.#irc !== null) return; // the guest session of a connection handed over to IRC
    let last: string | undefined;
    if (finalLine !== undefined) {
      const r = parse(finalLine);
      if (r.ok) last = this.#renderer.render(r.msg).flatMap((l) => wrapRows(l)).join('\r\n') || undefined;
    }
    if (last === undefined) this.#inner.close();
    else this.#inner.close(last);
  }

  #toCore(command: string, params: string[]): void {
    if (this.#core === null || this.#reg.state === 'closed') return;
    const line = serializeParts('', null, command, params);
    if (this.#state.bytes) this.#showWire('>>', line);
    this.#core.line(line);
  }

  /** One IRC line for /bytes: controls made visible (\x01 for CTCP), cut at WIRE_CHARS. */
  #showWire(dir: '>>' | '<<', line: string): void {
    // eslint-disable-next-line no-control-regex
    let text = line.replace(/[\x00-\x1f\x7f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
    if (text.length > WIRE_CHARS) text = text.slice(0, WIRE_CHARS) + '…';
    this.#show([`${dir} ${text}`]);
  }

  /** Runs `fn` after the core has finished what it is doing now. */
  #later(fn: () => void): void {
    queueMicrotask(() => {
      if (this.#reg.state !== 'closed') fn();
    });
  }

  #onInput(raw: string): void {
    if (this.#irc !== null) {
      this.#irc.handlers?.line(raw);
      return;
    }
    const text = cleanInput(raw);
    if (text.trim() === '') return;
    if (this.#inputs >= 0 && this.#maybeIrc(raw)) return;
    this.#reg.input(text);
  }

  /**
   * A mistaken plain guess becomes IRC on a later line when that is safe: within the
   * first SWITCH_LINES non-blank lines and SWITCH_WINDOW_MS, nothing the peer typed has
   * reached anyone yet (only blank lines, or IRC-looking lines held back for
   * SWITCH_HOLD_MS), and the line is one an IRC client opens with (detect.ts). Then the
   * guest session quits ("Switched to IRC") and a new IRC session gets the held lines
   * and this one. What the guest session showed the peer (the welcome text) an IRC
   * client ignores as unparsable. True when the line was taken (held or handed over).
   */
  #maybeIrc(raw: string): boolean {
    if (++this.#inputs > SWITCH_LINES || Date.now() - this.#since > SWITCH_WINDOW_MS) {
      this.#release();
      return false;
    }
    if (isIrcOpenerLine(raw)) {
      this.#switchToIrc([...this.#held, raw]);
      return true;
    }
    if (IRC_LIKE.test(raw) && Buffer.byteLength(raw) <= 512) {
      this.#held.push(raw);
      this.#clearHold();
      this.#holdTimer = setTimeout(() => this.#release(), SWITCH_HOLD_MS);
      this.#holdTimer.unref();
      return true;
    }
    // chat: from now on, this is a plain user
    this.#release();
    return false;
  }

  /** No switch after all: held lines are typed as usual, in order. */
  #release(): void {
    this.#clearHold();
    this.#inputs = -1;
    const held = this.#held;
    this.#held = [];
    for (const l of held) {
      const text = cleanInput(l);
      if (text.trim() !== '') this.#reg.input(text);
    }
  }

  #clearHold(): void {
    if (this.#holdTimer !== null) clearTimeout(this.#holdTimer);
    this.#holdTimer = null;
  }

  #switchToIrc(lines: string[]): void {
    this.#clearHold();
    this.#inputs = -1;
    this.#held = [];
    const irc = new IrcHandOver(this.#inner);
    // the guest session goes first (its QUIT reaches the room), and writes nothing more
    const core = this.#core;
    this.#reg.closed();
    this.#irc = irc; // from here the guest session's write() and close() reach nothing
    core?.closed('Switched to IRC');
    this.#handOff!(irc);
    for (const l of lines) irc.handlers?.line(l);
  }

  /** One line the user typed, once registered: a command, or a message to the current room. */
  #typed(text: string): void {
    const cmd = parseCommandLine(text);
    if (cmd !== null) {
      const spec = PLAIN_COMMANDS.get(cmd.name);
      if (spec === undefined) this.#error(`Unknown command /${cleanText(cmd.name)}. Type /help for the list.`);
      else spec.run(this.#commands, cmd);
      return;
    }
    const msg = text.startsWith('//') ? text.slice(1) : text;
    const room = this.#state.room;
    if (room === null) {
      this.#error(`You are not in a room. Type /join ${this.#config().defaultChannel} to join one, or /msg NAME text.`);
      return;
    }
    this.#say(room, msg);
  }

  #say(target: string, text: string): void {
    for (const piece of splitText(text, MAX_TEXT_BYTES)) this.#toCore('PRIVMSG', [target, piece]);
  }

  #show(lines: readonly string[]): void {
    for (const l of lines) for (const row of wrapRows(l)) this.#inner.write(row);
  }

  #error(text: string): void {
    this.#state.errors++;
    this.#show([`! ${text}`]);
  }
}
