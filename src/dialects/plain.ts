/**
 * The plain dialect: chat over a bare socket with no protocol to learn (netcat, telnet,
 * the lesson's Python `socket` client). A Connection ADAPTER: it wraps the real
 * transport connection and presents an ordinary IRC Connection to the unchanged core.
 *
 * Toward the core it speaks IRC on the user's behalf: `NICK guestNNNN` + `USER` on
 * attach (after asking for the server password, if there is one), `JOIN #lobby`
 * (config.defaultChannel) once registered, then every typed line becomes
 * `PRIVMSG <current room> :text` and slash commands (/nick /join /part /msg /me /who
 * /rooms /topic /away /quit /help ...) become their IRC commands. PING is answered.
 * So plain users get every server rule (flood control, send queue caps, kicks, bans)
 * from the core, and IRC users see them as ordinary users.
 *
 * From the core it parses each IRC line and renders readable text: `[12:03] <alice> hi`,
 * `* bob joined #lobby`, errors as plain language (`! The nick bob is already taken`).
 * The registration burst (001-005, LUSERS, MOTD) is condensed into a short welcome.
 * Formatting codes and control characters are stripped from everything shown, so an
 * IRC user cannot send terminal escape sequences to a netcat user.
 *
 * Reactions to what the core says (JOIN after 001, a new guest nick after 433, PONG,
 * CTCP replies) are queued as microtasks, never fed to the core from inside its own
 * write() call.
 *
 * Not here: detection (transports/detect.ts), telnet stripping (./telnet.ts), line
 * framing and the no-newline flush (transports/tcp-connection.ts options).
 */
import type { Config } from '../config/types.js';
import type { Connection, ConnectionHandlers } from '../transports/connection.js';
import { casefolder, parse, serializeParts, type IrcMessage } from '../protocol/index.js';
import * as N from '../protocol/numerics.js';
// pure column arithmetic (string-width per grapheme), shared with the terminal client
import { wrap } from '../clients/tui/width.js';
import { cleanLine, splitMessage } from '../text/index.js';

/** How long an unterminated line waits for more bytes before it is sent as a message. */
export const PARTIAL_FLUSH_MS = 400;
/** Typed lines held while registering / joining the first room. */
const MAX_PENDING = 50;
/** Text bytes per PRIVMSG; longer input is split (room for the longest prefix). */
const MAX_TEXT_BYTES = 360;
/** Guest nick attempts before giving up on registration. */
const MAX_NICK_TRIES = 20;

export interface PlainOptions {
  config: () => Config;
  /** clock for `[HH:MM]` stamps (tests inject one) */
  now?: () => Date;
  /** guest nick generator (default guest + 4 random digits) */
  guestNick?: () => string;
  /** the peer has sent nothing yet (detected after a silence): hidden until it types */
  lurking?: boolean;
}

type State = 'password' | 'registering' | 'joining' | 'ready' | 'closed';

const SUPPRESSED_DURING_WELCOME = new Set<string>([
  N.RPL_YOURHOST,
  N.RPL_CREATED,
  N.RPL_MYINFO,
  N.RPL_ISUPPORT,
  N.RPL_LUSERCLIENT,
  N.RPL_LUSEROP,
  N.RPL_LUSERUNKNOWN,
  N.RPL_LUSERCHANNELS,
  N.RPL_LUSERME,
  N.RPL_LOCALUSERS,
  N.RPL_GLOBALUSERS,
  '250',
  N.RPL_MOTDSTART,
  N.RPL_MOTD,
  N.RPL_ENDOFMOTD,
  N.ERR_NOMOTD,
]);

/** Numerics never shown (their information arrives elsewhere or is IRC plumbing). */
const SILENT = new Set<string>([
  N.RPL_TOPICWHOTIME,
  N.RPL_ENDOFWHOIS,
  N.RPL_WHOISSERVER,
  N.RPL_CREATIONTIME,
  N.RPL_ISUPPORT,
  N.RPL_MYINFO,
  N.RPL_ENDOFBANLIST,
  N.RPL_ENDOFINVITELIST,
]);


/**
 * Rows are at most this many columns: a netcat user's terminal wraps where we can't
 * see, so we wrap first (80 columns fits nearly every terminal) and indent the rest.
 */
export const WRAP_COLUMNS = 80;
/** What starts every continuation row: a real line never starts with a space. */
export const CONTINUATION = '        ';

/**
 * One rendered line as terminal rows: the first as is, the rest indented by
 * CONTINUATION, so text of one message padded to the width (`hi    ...   [12:00]
 * <alice> fake`) can never look like a line of its own.
 */
export function wrapRows(line: string, cols: number = WRAP_COLUMNS): string[] {
  // fast path: no character takes more than 2 columns
  if (line.length * 2 <= cols) return [line];
  const rows = wrap(line, cols, cols - CONTINUATION.length);
  return rows.map((r, i) => (i === 0 ? r : CONTINUATION + r));
}

let cleanIn = '';
let cleanOut = '';

/** Makes text from the network safe and readable on a terminal. */
export function cleanText(s: string): string {
  // one-entry memo: a fan-out cleans the same nick / text for every plain member
  if (s === cleanIn) return cleanOut;
  cleanIn = s;
  cleanOut = cleanLine(s);
  return cleanOut;
}

/** Cleans what a plain user typed: control characters out, tabs to spaces, trailing blanks off. */
export function cleanInput(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\t/g, ' ').replace(/[\x00-\x1f\x7f]/g, '').replace(/^\uFEFF/, '').trimEnd();
}

function nickOf(source: string | null): string {
  if (source === null) return '';
  const bang = source.indexOf('!');
  return bang === -1 ? source : source.slice(0, bang);
}

function isChannel(name: string): boolean {
  return name.startsWith('#') || name.startsWith('&');
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `[HH:MM]` (local time), with the date in front when `d` is not on the day of `now`. */
export function stamp(d: Date, now: Date = d): string {
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  const ymd = (x: Date): string => `${x.getFullYear()}-${pad2(x.getMonth() + 1)}-${pad2(x.getDate())}`;
  return ymd(d) === ymd(now) ? `[${hm}]` : `[${ymd(d)} ${hm}]`;
}

/** Splits text into pieces of at most `max` UTF-8 bytes on word boundaries (src/text/split.ts). */
export function splitText(text: string, max: number): string[] {
  return splitMessage(text, max);
}

export const HELP_TEXT: readonly string[] = [
  '* How to talk here:',
  '*   just type and press Enter   a message to everyone in your current room',
  '*   /nick NAME                  change your name',
  '*   /join #room                 join a room (or switch to one you are in)',
  '*   /part [#room]               leave the current room (or #room)',
  '*   /msg NAME text              a private message (NAME can be a #room too)',
  '*   /me waves                   an action: "* yourname waves"',
  '*   /who [#room]                who is in the room',
  '*   /rooms [word]               list the rooms (with word in their name)',
  '*   /topic [text]               show or set the room topic',
  '*   /away [message]             mark yourself away; /away again when back',
  '*   /whois NAME                 who someone is',
  '*   /history [N]                the last N messages of this room',
  '*   /search words               search the rooms you are in',
  '*   /quit [message]             leave',
  '*   /help                       this list',
  '* Start a line with // to send a message that begins with /.',
];

// A fan-out writes the same line to every member in a row: parse it once for all plain
// members (parsing per member was a third of a 2,000-guest mass join). Messages are
// only read by #render, never changed.
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
export class PlainConnection implements Connection {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly secure: boolean;
  /** #renderMessage shows the time tag as `[12:03]` */
  readonly showsServerTime = true;
  #lurking: boolean;

  readonly #inner: Connection;
  readonly #config: () => Config;
  readonly #now: () => Date;
  readonly #guestNick: () => string;
  readonly #fold: (s: string) => string;
  #core: ConnectionHandlers | null = null;
  #state: State = 'registering';
  #nick = '*';
  #nickTries = 0;
  /** rooms we are in (display names, join order) */
  #rooms: string[] = [];
  /** where typed lines go */
  #room: string | null = null;
  #pending: string[] = [];
  #away = false;
  #hintedPrivate = false;
  /** self-join in progress: topic and names gathered until RPL_ENDOFNAMES */
  #joining = new Map<string, { topic: string | null; names: string[] }>();
  #names = new Map<string, string[]>();
  #who: string[] | null = null;
  #list: string[] | null = null;
  /** bumped for every error rendered, to tell whether a command failed synchronously */
  #errors = 0;
  /** #nick and its casefolded form, for #isMe */
  #myNick = '';
  #myFolded = '';

  constructor(inner: Connection, opts: PlainOptions) {
    this.#inner = inner;
    this.id = inner.id;
    this.remoteAddress = inner.remoteAddress;
    this.remotePort = inner.remotePort;
    this.secure = inner.secure;
    this.#config = opts.config;
    this.#now = opts.now ?? (() => new Date());
    this.#guestNick = opts.guestNick ?? (() => 'guest' + String(1000 + Math.floor(Math.random() * 9000)));
    this.#fold = casefolder(opts.config().casemapping);
    this.#lurking = opts.lurking === true;
  }

  /** Connection.lurking: true until the user sends a line of their own. */
  get lurking(): boolean {
    return this.#lurking;
  }

  /** The nick the core knows this user by ('*' before registration). */
  get nick(): string {
    return this.#nick;
  }

  /** The room typed lines go to, or null. */
  get room(): string | null {
    return this.#room;
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
    if (this.#config().password !== null) {
      this.#state = 'password';
      this.#show(['* This tincan server needs a password. Type it and press Enter:']);
    } else {
      this.#register();
    }
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
        this.#state = 'closed';
        this.#core?.closed(reason);
      },
    });
  }

  write(line: string): boolean {
    if (this.#state === 'closed') return false;
    const r = parseShared(line);
    if (!r.ok) return true;
    const out = this.#render(r.msg);
    for (const l of out) for (const row of wrapRows(l)) if (!this.#inner.write(row)) return false;
    return true;
  }

  close(finalLine?: string): void {
    let last: string | undefined;
    if (finalLine !== undefined) {
      const r = parse(finalLine);
      if (r.ok) last = this.#render(r.msg).flatMap((l) => wrapRows(l)).join('\r\n') || undefined;
    }
    if (last === undefined) this.#inner.close();
    else this.#inner.close(last);
  }

  // ---- toward the core -----------------------------------------------------------

  #toCore(command: string, params: string[]): void {
    if (this.#core === null || this.#state === 'closed') return;
    this.#core.line(serializeParts('', null, command, params));
  }

  /** Runs `fn` after the core has finished what it is doing now. */
  #later(fn: () => void): void {
    queueMicrotask(() => {
      if (this.#state !== 'closed') fn();
    });
  }

  #register(): void {
    this.#state = 'registering';
    // server-time: replayed history keeps its own time in a tag, shown as [HH:MM]
    this.#toCore('CAP', ['REQ', 'server-time']);
    this.#toCore('NICK', [this.#nextGuest()]);
    this.#toCore('USER', ['guest', '0', '*', 'plain text user']);
    this.#toCore('CAP', ['END']);
  }

  #nextGuest(): string {
    this.#nickTries++;
    return this.#guestNick().slice(0, this.#config().limits.nickLength);
  }

  #onInput(raw: string): void {
    const text = cleanInput(raw);
    if (text.trim() === '') return;
    switch (this.#state) {
      case 'closed':
        return;
      case 'password':
        this.#toCore('PASS', [text]);
        this.#register();
        return;
      case 'registering':
      case 'joining':
        if (this.#pending.length < MAX_PENDING) this.#pending.push(text);
        return;
      case 'ready':
        this.#typed(text);
    }
  }

  #ready(): void {
    if (this.#state === 'ready' || this.#state === 'closed') return;
    this.#state = 'ready';
    const held = this.#pending;
    this.#pending = [];
    for (const t of held) this.#typed(t);
  }

  /** One line the user typed, once registered. */
  #typed(text: string): void {
    if (text.startsWith('/') && !text.startsWith('//')) {
      this.#command(text);
      return;
    }
    const msg = text.startsWith('//') ? text.slice(1) : text;
    if (this.#room === null) {
      this.#error(`You are not in a room. Type /join ${this.#config().defaultChannel} to join one, or /msg NAME text.`);
      return;
    }
    this.#say(this.#room, msg);
  }

  #say(target: string, text: string): void {
    for (const piece of splitText(text, MAX_TEXT_BYTES)) this.#toCore('PRIVMSG', [target, piece]);
  }

  #command(text: string): void {
    const m = /^\/(\S+)\s*(.*)$/.exec(text);
    const cmd = (m?.[1] ?? '').toLowerCase();
    const rest = (m?.[2] ?? '').trim();
    const [arg1 = '', ...more] = rest.split(/\s+/);
    const tail = more.join(' ');
    const room = this.#room;
    const needRoom = (): string | null => {
      if (room === null) this.#error('You are not in a room. /join #room first.');
      return room;
    };
    switch (cmd) {
      case 'help':
      case '?':
      case 'commands':
        this.#show(HELP_TEXT);
        return;
      case 'nick':
      case 'name':
        if (arg1 === '') this.#show([`* You are ${this.#nick}. /nick NAME changes it.`]);
        else this.#toCore('NICK', [arg1]);
        return;
      case 'join':
      case 'j': {
        if (arg1 === '') {
          this.#error('Usage: /join #room');
          return;
        }
        const name = isChannel(arg1) ? arg1 : '#' + arg1;
        const mine = this.#rooms.find((r) => this.#fold(r) === this.#fold(name));
        if (mine !== undefined) {
          this.#room = mine;
          this.#show([`* Now talking in ${mine}.`]);
          return;
        }
        this.#toCore('JOIN', more.length > 0 && more[0] !== '' ? [name, more[0]!] : [name]);
        return;
      }
      case 'part':
      case 'leave': {
        let target = room;
        let reason = rest;
        if (isChannel(arg1)) {
          target = arg1;
          reason = tail;
        }
        if (target === null) {
          this.#error('You are not in a room.');
          return;
        }
        this.#toCore('PART', reason === '' ? [target] : [target, reason]);
        return;
      }
      case 'msg':
      case 'tell':
      case 'query':
      case 'm': {
        if (arg1 === '' || tail === '') {
          this.#error('Usage: /msg NAME message');
          return;
        }
        const before = this.#errors;
        this.#say(arg1, tail);
        if (this.#errors === before) this.#show([`${stamp(this.#now())} -> ${cleanText(arg1)}: ${tail}`]);
        return;
      }
      case 'me': {
        const r = needRoom();
        if (r === null) return;
        if (rest === '') {
          this.#error('Usage: /me does something');
          return;
        }
        this.#toCore('PRIVMSG', [r, `\x01ACTION ${rest}\x01`]);
        return;
      }
      case 'who':
      case 'names':
      case 'users': {
        const target = arg1 !== '' ? arg1 : needRoom();
        if (target === null) return;
        this.#toCore('WHO', [target]);
        return;
      }
      case 'rooms':
      case 'list':
      case 'channels':
        // "/rooms game" or "/rooms #game*": the rooms whose names match
        if (arg1 === '') this.#toCore('LIST', []);
        else this.#toCore('LIST', [isChannel(arg1) ? arg1 : `#*${arg1}*`]);
        return;
      case 'topic': {
        let target = room;
        let topic = rest;
        if (isChannel(arg1)) {
          target = arg1;
          topic = tail;
        }
        if (target === null) {
          this.#error('You are not in a room.');
          return;
        }
        this.#toCore('TOPIC', topic === '' ? [target] : [target, topic]);
        return;
      }
      case 'away':
        if (rest === '' && this.#away) this.#toCore('AWAY', []);
        else this.#toCore('AWAY', [rest === '' ? 'away' : rest]);
        return;
      case 'back':
        this.#toCore('AWAY', []);
        return;
      case 'history': {
        // HISTORY and SEARCH are the server's history commands (docs/history.md)
        const target = isChannel(arg1) ? arg1 : needRoom();
        if (target === null) return;
        const n = isChannel(arg1) ? (more[0] ?? '') : arg1;
        if (n !== '' && !/^\d+$/.test(n)) this.#error('Usage: /history [N] (how many lines, e.g. /history 50)');
        else this.#toCore('HISTORY', n === '' ? [target] : [target, n]);
        return;
      }
      case 'search':
        if (rest === '') this.#error('Usage: /search words (searches the rooms you are in)');
        else this.#toCore('SEARCH', rest.split(/\s+/));
        return;
      case 'whois':
        if (arg1 === '') this.#error('Usage: /whois NAME');
        else this.#toCore('WHOIS', [arg1]);
        return;
      case 'kick': {
        const r = needRoom();
        if (r === null) return;
        if (arg1 === '') this.#error('Usage: /kick NAME [reason]');
        else this.#toCore('KICK', tail === '' ? [r, arg1] : [r, arg1, tail]);
        return;
      }
      case 'invite': {
        const target = isChannel(more[0] ?? '') ? more[0]! : needRoom();
        if (target === null) return;
        if (arg1 === '') this.#error('Usage: /invite NAME [#room]');
        else this.#toCore('INVITE', [arg1, target]);
        return;
      }
      case 'quit':
      case 'exit':
      case 'bye':
        this.#toCore('QUIT', rest === '' ? [] : [rest]);
        return;
      case 'quote':
      case 'raw':
        if (rest !== '' && this.#core !== null) this.#core.line(rest);
        return;
      default:
        this.#error(`Unknown command /${cleanText(cmd)}. Type /help for the list.`);
    }
  }

  // ---- from the core -------------------------------------------------------------

  #show(lines: readonly string[]): void {
    for (const l of lines) for (const row of wrapRows(l)) this.#inner.write(row);
  }

  #error(text: string): void {
    this.#errors++;
    this.#show([`! ${text}`]);
  }

  #isMe(nick: string): boolean {
    if (this.#myNick !== this.#nick) {
      this.#myNick = this.#nick;
      this.#myFolded = this.#fold(this.#nick);
    }
    // cheap exits first: this runs for every line of a fan-out
    return nick.length === this.#nick.length && (nick === this.#nick || this.#fold(nick) === this.#myFolded);
  }

  #sameRoom(a: string | null, b: string): boolean {
    return a !== null && this.#fold(a) === this.#fold(b);
  }

  /** Readable lines for one IRC message from the core (often none). */
  #render(msg: IrcMessage): string[] {
    const p = msg.params;
    const who = cleanText(nickOf(msg.source));
    switch (msg.command) {
      case 'PING':
        this.#later(() => this.#toCore('PONG', [p[0] ?? '']));
        return [];
      case 'PRIVMSG':
      case 'NOTICE':
        // during /rooms the server's "LIST truncated" notice is repeated in RPL_LISTEND,
        // shown after the list
        if (this.#list !== null && msg.command === 'NOTICE' && (p[1] ?? '').startsWith('*** LIST truncated')) return [];
        return this.#renderMessage(msg);
      case 'JOIN': {
        const ch = p[0] ?? '';
        if (this.#isMe(nickOf(msg.source))) {
          if (!this.#rooms.some((r) => this.#sameRoom(r, ch))) this.#rooms.push(ch);
          this.#room = ch;
          this.#joining.set(this.#fold(ch), { topic: null, names: [] });
          return [];
        }
        return [`* ${who} joined ${cleanText(ch)}`];
      }
      case 'PART': {
        const ch = p[0] ?? '';
        const why = p[1] !== undefined && p[1] !== '' ? ` (${cleanText(p[1])})` : '';
        if (this.#isMe(nickOf(msg.source))) return [`* You left ${cleanText(ch)}${why}`, ...this.#leftRoom(ch)];
        return [`* ${who} left ${cleanText(ch)}${why}`];
      }
      case 'KICK': {
        const ch = p[0] ?? '';
        const victim = p[1] ?? '';
        const why = p[2] !== undefined && p[2] !== '' ? ` (${cleanText(p[2])})` : '';
        if (this.#isMe(victim)) return [`* ${who} kicked you from ${cleanText(ch)}${why}`, ...this.#leftRoom(ch)];
        return [`* ${who} kicked ${cleanText(victim)} from ${cleanText(ch)}${why}`];
      }
      case 'QUIT': {
        const why = p[0] !== undefined && p[0] !== '' ? ` (${cleanText(p[0])})` : '';
        return [`* ${who} left tincan${why}`];
      }
      case 'NICK': {
        const to = p[0] ?? '';
        if (this.#isMe(nickOf(msg.source))) {
          this.#nick = to;
          return [`* You are now known as ${cleanText(to)}`];
        }
        return [`* ${who} is now known as ${cleanText(to)}`];
      }
      case 'TOPIC':
        return [`* ${who} changed the topic of ${cleanText(p[0] ?? '')} to: ${cleanText(p[1] ?? '')}`];
      case 'MODE': {
        const target = p[0] ?? '';
        if (!isChannel(target)) return [];
        return [`* ${who} set mode ${cleanText(p.slice(1).join(' '))} on ${cleanText(target)}`];
      }
      case 'INVITE':
        return [`* ${who} invites you to ${cleanText(p[1] ?? '')}: type /join ${cleanText(p[1] ?? '')}`];
      case 'KILL':
      case 'WALLOPS':
        return [`* ${who}: ${cleanText(p[p.length - 1] ?? '')}`];
      case 'ERROR': {
        const text = cleanText(p[0] ?? '');
        const m = /^Closing link: \S+ \((.*)\)$/.exec(text);
        return [`* Disconnected: ${m?.[1] ?? text}`];
      }
      default:
        if (/^\d{3}$/.test(msg.command)) return this.#renderNumeric(msg.command, p);
        return [];
    }
  }

  /** After leaving `ch`: pick another current room, or say there is none. */
  #leftRoom(ch: string): string[] {
    this.#rooms = this.#rooms.filter((r) => !this.#sameRoom(r, ch));
    if (!this.#sameRoom(this.#room, ch)) return [];
    this.#room = this.#rooms[this.#rooms.length - 1] ?? null;
    if (this.#room !== null) return [`* Now talking in ${cleanText(this.#room)}.`];
    return [`* You are not in any room now. /join ${this.#config().defaultChannel} to come back.`];
  }

  #renderMessage(msg: IrcMessage): string[] {
    const notice = msg.command === 'NOTICE';
    const [target = '', raw = ''] = msg.params;
    const from = nickOf(msg.source);
    // from the server itself (or no source): a server notice
    if (msg.source === null || !msg.source.includes('!')) return [`* ${cleanText(raw).replace(/^\*\*\* /, '')}`];
    const who = cleanText(from);
    const now = this.#now();
    const tagged = msg.tags?.get('time');
    const at = tagged === undefined ? now : new Date(tagged);
    const time = Number.isNaN(at.getTime()) ? stamp(now) : stamp(at, now);
    let text = raw;
    let action = false;
    if (text.startsWith('\x01')) {
      const body = text.slice(1, text.endsWith('\x01') ? -1 : undefined);
      const sp = body.indexOf(' ');
      const ctcp = (sp === -1 ? body : body.slice(0, sp)).toUpperCase();
      const arg = sp === -1 ? '' : body.slice(sp + 1);
      if (ctcp !== 'ACTION') {
        if (!notice) this.#ctcpReply(from, ctcp, arg);
        return [];
      }
      action = true;
      text = arg;
    }
    text = cleanText(text);
    const bare = target.replace(/^[@+]/, '');
    if (isChannel(bare)) {
      const where = this.#sameRoom(this.#room, bare) ? '' : `${cleanText(bare)} `;
      if (action) return [`${time} ${where}* ${who} ${text}`];
      return [notice ? `${time} ${where}-${who}- ${text}` : `${time} ${where}<${who}> ${text}`];
    }
    const out = [action ? `${time} (private) * ${who} ${text}` : notice ? `${time} -${who}- ${text}` : `${time} *${who}* ${text}`];
    if (!notice && !this.#hintedPrivate) {
      this.#hintedPrivate = true;
      out.push(`* (that was a private message; answer with /msg ${who} your text)`);
    }
    return out;
  }

  #ctcpReply(to: string, ctcp: string, arg: string): void {
    let reply: string | null = null;
    if (ctcp === 'VERSION') reply = 'VERSION tincan plain-text connection (netcat/telnet)';
    else if (ctcp === 'PING') reply = arg === '' ? 'PING' : `PING ${arg}`;
    else if (ctcp === 'TIME') reply = `TIME ${this.#now().toString()}`;
    if (reply !== null) {
      const line = `\x01${reply}\x01`;
      this.#later(() => this.#toCore('NOTICE', [to, line]));
    }
  }

  #renderNumeric(code: string, p: string[]): string[] {
    const last = cleanText(p[p.length - 1] ?? '');
    const a1 = cleanText(p[1] ?? '');
    switch (code) {
      case N.RPL_WELCOME: {
        this.#nick = p[0] ?? this.#nick;
        this.#state = 'joining';
        const channel = this.#config().defaultChannel;
        this.#later(() => this.#toCore('JOIN', [channel]));
        return [`* Welcome to tincan on ${cleanText(this.#config().serverName)}! You are ${cleanText(this.#nick)}.`];
      }
      case N.ERR_NICKNAMEINUSE:
      case N.ERR_ERRONEUSNICKNAME:
        if (this.#state === 'registering') {
          if (this.#nickTries >= MAX_NICK_TRIES) {
            this.#errors++;
            return ['! Could not find a free guest name; please reconnect.'];
          }
          const next = this.#nextGuest();
          this.#later(() => this.#toCore('NICK', [next]));
          return [];
        }
        this.#errors++;
        if (code === N.ERR_NICKNAMEINUSE) return [`! The name ${a1} is already taken; try another one.`];
        return [
          `! "${a1}" can't be a name here: use letters, digits and - _ [ ] { } \\ | ^, start with a letter, at most ${this.#config().limits.nickLength} characters.`,
        ];
      case N.RPL_TOPIC: {
        const j = this.#joining.get(this.#fold(p[1] ?? ''));
        if (j !== undefined) {
          j.topic = last;
          return [];
        }
        return [`* Topic of ${a1}: ${last}`];
      }
      case N.RPL_NOTOPIC:
        return [`* ${a1} has no topic. /topic TEXT sets one.`];
      case N.RPL_NAMREPLY: {
        const key = this.#fold(p[2] ?? '');
        const names = (p[3] ?? '').split(' ').filter((n) => n !== '');
        const j = this.#joining.get(key);
        if (j !== undefined) j.names.push(...names);
        else this.#names.set(key, [...(this.#names.get(key) ?? []), ...names]);
        return [];
      }
      case N.RPL_ENDOFNAMES:
        return this.#endOfNames(p[1] ?? '');
      case N.RPL_WHOREPLY: {
        // me channel user host server nick flags :hops realname
        const flags = p[6] ?? '';
        const op = flags.includes('@') ? '@' : flags.includes('+') ? '+' : '';
        const away = flags.startsWith('G') ? ' (away)' : '';
        (this.#who ??= []).push(`${op}${cleanText(p[5] ?? '')}${away}`);
        return [];
      }
      case N.RPL_ENDOFWHO: {
        const list = this.#who ?? [];
        this.#who = null;
        if (list.length === 0) return [`* Nobody matches ${a1}.`];
        const n = list.length;
        return [`* ${isChannel(a1) ? `In ${a1}` : 'Matching'}: ${list.join(', ')} (${n} ${n === 1 ? 'person' : 'people'})`];
      }
      case N.RPL_LISTSTART:
        this.#list = [];
        return [];
      case N.RPL_LIST: {
        const topic = last.replace(/^\[[^\]]*\] ?/, '');
        const n = Number(p[2] ?? 0);
        (this.#list ??= []).push(`*   ${a1} (${n} ${n === 1 ? 'person' : 'people'})${topic === '' ? '' : ': ' + topic}`);
        return [];
      }
      case N.RPL_LISTEND: {
        const list = this.#list ?? [];
        this.#list = null;
        if (list.length === 0) return ['* There are no rooms yet. /join #name creates one.'];
        const cut = last.startsWith('End of /LIST (') ? [`* ${last.slice(14, -1).replace(/LIST (#\S+)/, '/rooms $1')}`] : [];
        return ['* Rooms (/join #name to go in):', ...list, ...cut];
      }
      case N.RPL_AWAY:
        return [`* ${a1} is away: ${last}`];
      case N.RPL_UNAWAY:
        this.#away = false;
        return ['* You are back (no longer marked away).'];
      case N.RPL_NOWAWAY:
        this.#away = true;
        return ['* You are marked as away. /away again when you are back.'];
      case N.RPL_WHOISUSER:
        return [`* ${a1} is ${cleanText(p[2] ?? '')}@${cleanText(p[3] ?? '')} (${last})`];
      case N.RPL_WHOISCHANNELS:
        return [`* ${a1} is in ${last}`];
      case N.RPL_WHOISIDLE:
        return [`* ${a1} has been idle for ${cleanText(p[2] ?? '?')} seconds`];
      case N.RPL_WHOISOPERATOR:
        return [`* ${a1} is a server operator`];
      case N.RPL_INVITING:
        return [`* You invited ${a1} to ${cleanText(p[2] ?? '')}`];
      case N.RPL_YOUREOPER:
        return ['* You are now a server operator.'];
      case N.ERR_NOSUCHNICK:
        return this.#err(`There is no one called ${a1} here.`);
      case N.ERR_NOSUCHCHANNEL:
        return this.#err(isChannel(a1) ? `There is no room called ${a1}.` : `"${a1}" is not a room name; room names start with #.`);
      case N.ERR_CANNOTSENDTOCHAN:
        return this.#err(`You can't talk in ${a1} right now (it may be moderated, or you are banned).`);
      case N.ERR_TOOMANYCHANNELS:
        // also "Cannot create #x: <why>" (the server's room limits): show that as it is
        if (last.startsWith('Cannot create')) return this.#err(last.replace(/ \(LIST\)$/, ' (/rooms)'));
        return this.#err(`You are in too many rooms; /part one first.`);
      case N.ERR_NOTONCHANNEL:
        return this.#err(`You are not in ${a1}.`);
      case N.ERR_USERNOTINCHANNEL:
        return this.#err(`${a1} is not in ${cleanText(p[2] ?? '')}.`);
      case N.ERR_USERONCHANNEL:
        return this.#err(`${a1} is already in ${cleanText(p[2] ?? '')}.`);
      case N.ERR_CHANNELISFULL:
        return this.#err(`${a1} is full.`);
      case N.ERR_INVITEONLYCHAN:
        return this.#err(`${a1} is invite-only: ask someone in it to /invite you.`);
      case N.ERR_BANNEDFROMCHAN:
        return this.#err(`You are banned from ${a1}.`);
      case N.ERR_BADCHANNELKEY:
        return this.#err(`${a1} needs a key: /join ${a1} KEY`);
      case N.ERR_CHANOPRIVSNEEDED:
        return this.#err(`You need to be an operator of ${a1} to do that.`);
      case N.ERR_NOPRIVILEGES:
        return this.#err('Only server operators can do that.');
      case N.ERR_PASSWDMISMATCH:
        return this.#err('Wrong password.');
      case N.ERR_INPUTTOOLONG:
        return this.#err('That line was too long.');
      case N.ERR_UNKNOWNCOMMAND:
        return this.#err(`Unknown command ${a1}. Type /help for the list.`);
      case N.ERR_NORECIPIENT:
      case N.ERR_NOTEXTTOSEND:
        return this.#err('Nothing to send.');
      default:
        if (this.#state !== 'ready' && SUPPRESSED_DURING_WELCOME.has(code)) return [];
        if (SILENT.has(code)) return [];
        if (code.startsWith('4') || code.startsWith('5')) return this.#err(last);
        return [`* ${last}`];
    }
  }

  #err(text: string): string[] {
    this.#errors++;
    // the first room could not be joined (banned, invite-only...): let the user type anyway
    if (this.#state === 'joining') this.#later(() => this.#ready());
    return [`! ${text}`];
  }

  #endOfNames(channel: string): string[] {
    const key = this.#fold(channel);
    const ch = cleanText(channel);
    const j = this.#joining.get(key);
    if (j === undefined) {
      const names = this.#names.get(key) ?? [];
      this.#names.delete(key);
      return [`* In ${ch}: ${names.map(cleanText).join(', ')} (${names.length} ${names.length === 1 ? 'person' : 'people'})`];
    }
    this.#joining.delete(key);
    const others = j.names.map((n) => n.replace(/^[@+]+/, '')).filter((n) => !this.#isMe(n));
    const lines = [
      others.length === 0
        ? `* You are in ${ch}. Nobody else is here yet.`
        : `* You are in ${ch} with ${others.map(cleanText).join(', ')} (${others.length + 1} people here).`,
    ];
    if (j.topic !== null && j.topic !== '') lines.push(`* Topic: ${j.topic}`);
    if (this.#state !== 'ready') {
      lines.push(`* Type a message and press Enter to talk. /nick NAME sets your name, /help lists commands.`);
      this.#later(() => this.#ready());
    }
    return lines;
  }
}
