/**
 * The web client's IRC session and chat model: registration with IRCv3 caps, buffers
 * (server, channels, private conversations) with members, topic, unread and mention
 * counts, chathistory scrollback and catch-up, search, and reconnect with backoff.
 *
 * It speaks IRC through src/protocol (parse/serialize/casemap) and a Transport (the
 * browser's WebSocket in socket.ts, a fake in unit tests), and has no DOM dependency:
 * the Preact UI (app.tsx) reads its fields and calls its methods; `onChange` tells it
 * to re-render. History follows https://ircv3.net/specs/extensions/chathistory and is
 * used only when the server offers `draft/chathistory` (or ISUPPORT CHATHISTORY).
 */
import { casefolder, type Casemapping, type IrcMessage, parse, serialize, SerializeError, utf8Length } from '../../protocol/index.js';
import { mentions, splitLines, stripFormatting } from '../../text/index.js';

export interface TransportHandlers {
  open(): void;
  line(line: string): void;
  close(reason: string): void;
}
export interface Transport {
  send(line: string): void;
  close(): void;
}
export type Connector = (h: TransportHandlers) => Transport;

export type LineKind =
  | 'msg'
  | 'action'
  | 'notice'
  | 'join'
  | 'part'
  | 'quit'
  | 'kick'
  | 'nick'
  | 'topic'
  | 'mode'
  | 'info'
  | 'error';

export interface Line {
  id: number;
  time: number;
  kind: LineKind;
  nick: string;
  text: string;
  msgid?: string;
  self: boolean;
  mention: boolean;
  /** buffer name, for search results */
  where?: string;
}

export interface Member {
  nick: string;
  /** prefix characters, highest first, e.g. "@+" */
  prefix: string;
  away: boolean;
}

export type BufferKind = 'server' | 'channel' | 'query';

export interface Buffer {
  key: string;
  name: string;
  kind: BufferKind;
  lines: Line[];
  members: Map<string, Member>;
  topic: string;
  unread: number;
  mentions: number;
  joined: boolean;
  /** chathistory: server said there is nothing older */
  historyComplete: boolean;
  historyLoading: boolean;
}

/** 'password': the server refused the password (464); no retry until submitPassword(). */
export type Status = 'idle' | 'connecting' | 'registering' | 'connected' | 'waiting' | 'password';

export interface SearchState {
  query: string;
  pending: boolean;
  results: Line[];
}

export interface ClientOptions {
  connect: Connector;
  nick: string;
  realname?: string;
  /** channels to join after registering (the remembered room list) */
  channels?: readonly string[];
  /** server password (PASS), e.g. from this tab's sessionStorage */
  password?: string;
  /** the server confirmed a nick change we asked for (/nick): remember it */
  onNickChange?: (nick: string) => void;
  onChange?: () => void;
  /** a live message mentioning us (or a private message) arrived */
  onMention?: (buffer: Buffer, line: Line) => void;
  now?: () => number;
  /** reconnect backoff, ms */
  backoff?: { min: number; max: number };
  random?: () => number;
}

export const SERVER_KEY = '*';
/** lines kept per buffer */
export const MAX_LINES = 1500;
export const HISTORY_PAGE = 50;
const WANTED_CAPS = [
  'server-time',
  'echo-message',
  'message-tags',
  'batch',
  'away-notify',
  'multi-prefix',
  'cap-notify',
  'chghost',
  'setname',
  'draft/chathistory',
  'chathistory',
  'draft/event-playback',
  'soju.im/search',
];

let nextLineId = 1;

function nickOf(source: string | null): string {
  if (source === null) return '';
  const i = source.indexOf('!');
  return i === -1 ? source : source.slice(0, i);
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

type HistoryRequest = 'latest' | 'before' | 'after';

export class ChatClient {
  readonly opts: ClientOptions;
  status: Status = 'idle';
  /** when status is 'waiting': the time of the next attempt */
  retryAt = 0;
  nick: string;
  wantedNick: string;
  away = false;
  lastError: string | null = null;
  /** sent as PASS on every connect; null: none */
  password: string | null;
  /** why the server wants a password (its 464 text), while status is 'password' */
  passwordError: string | null = null;
  caps = new Set<string>();
  isupport = new Map<string, string>();
  buffers = new Map<string, Buffer>();
  active = SERVER_KEY;
  search: SearchState | null = null;
  /** set by /who: show the WHO replies until 315 */
  showWho = false;
  /** bumped on every change (cheap memo key for the UI) */
  version = 0;

  #fold: (s: string) => string = casefolder('rfc1459');
  #transport: Transport | null = null;
  #availableCaps = new Set<string>();
  #capEnded = false;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #stopped = true;
  #batches = new Map<string, { type: string; target: string; msgs: IrcMessage[] }>();
  #historyQueue = new Map<string, HistoryRequest[]>();
  #namesOpen = new Set<string>();
  #changeScheduled = false;

  constructor(opts: ClientOptions) {
    this.opts = opts;
    this.nick = opts.nick;
    this.wantedNick = opts.nick;
    this.password = opts.password ?? null;
    this.buffers.set(SERVER_KEY, this.#newBuffer(SERVER_KEY, 'server', 'server'));
    // remembered rooms count as joined (wanted): #afterWelcome joins them
    for (const c of opts.channels ?? []) this.#buffer(c, 'channel').joined = true;
  }

  // ---- connection lifecycle --------------------------------------------------------

  #now(): number {
    return (this.opts.now ?? Date.now)();
  }

  start(): void {
    this.#stopped = false;
    this.#connect();
  }

  /** Closes for good (no reconnect). */
  stop(reason = 'Leaving'): void {
    this.#stopped = true;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    if (this.#transport !== null) {
      this.send('QUIT', reason);
      this.#transport.close();
      this.#transport = null;
    }
    this.status = 'idle';
    this.#changed();
  }

  /** Drops the connection (if any) and connects again at once. */
  reconnect(): void {
    if (this.#transport !== null) {
      const t = this.#transport;
      this.#transport = null;
      t.close();
    }
    this.status = 'waiting';
    this.reconnectNow();
  }

  /** Connects again with this server password (after status 'password'). */
  submitPassword(password: string): void {
    this.password = password;
    this.passwordError = null;
    this.#attempt = 0;
    if (this.status === 'password') this.#connect();
    else this.#changed();
  }

  /** Skips the backoff wait. */
  reconnectNow(): void {
    if (this.status !== 'waiting') return;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#connect();
  }

  #connect(): void {
    this.status = 'connecting';
    this.caps.clear();
    this.#availableCaps.clear();
    this.#capEnded = false;
    this.#batches.clear();
    this.#historyQueue.clear();
    this.#namesOpen.clear();
    for (const b of this.buffers.values()) b.historyLoading = false;
    let t: Transport | null = null;
    const mine = (): boolean => this.#transport === t && t !== null;
    t = this.opts.connect({
      open: () => {
        if (!mine()) return;
        this.status = 'registering';
        this.#sendRaw('CAP LS 302');
        if (this.password !== null) this.send('PASS', this.password);
        this.send('NICK', this.wantedNick);
        this.send('USER', this.wantedNick.slice(0, 10).replace(/[^A-Za-z0-9_-]/g, '') || 'web', '0', '*', this.opts.realname ?? 'tincan web');
        this.#changed();
      },
      line: (l) => {
        if (mine()) this.handleLine(l);
      },
      close: (reason) => {
        if (!mine()) return;
        this.#transport = null;
        this.#disconnected(reason);
      },
    });
    this.#transport = t;
    this.#changed();
  }

  #disconnected(reason: string): void {
    // channels keep joined=true while away: #afterWelcome rejoins them
    for (const b of this.buffers.values()) b.historyLoading = false;
    if (this.#stopped) {
      this.status = 'idle';
      this.#changed();
      return;
    }
    if (this.passwordError !== null) {
      // retrying with the same (or no) password is pointless: wait for the user
      this.status = 'password';
      this.#changed();
      return;
    }
    const { min, max } = this.opts.backoff ?? { min: 1000, max: 30_000 };
    const base = Math.min(max, min * 2 ** Math.min(this.#attempt, 20));
    const delay = Math.round(base * (0.8 + 0.2 * (this.opts.random ?? Math.random)()));
    this.#attempt++;
    this.status = 'waiting';
    this.retryAt = this.#now() + delay;
    this.#info(SERVER_KEY, `Disconnected (${this.lastError ?? reason}); reconnecting in ${Math.ceil(delay / 1000)} s`, 'error');
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#connect();
    }, delay);
  }

  // ---- sending ---------------------------------------------------------------------

  #sendRaw(line: string): void {
    this.#transport?.send(line);
  }

  /** Serializes and sends one command. Returns false (and shows why) when it cannot be sent. */
  send(command: string, ...params: string[]): boolean {
    let line: string;
    try {
      line = serialize({ tags: null, source: null, command, params });
    } catch (e) {
      if (e instanceof SerializeError) {
        this.#info(this.active, `Cannot send that: ${e.message}`, 'error');
        return false;
      }
      throw e;
    }
    if (this.#transport === null) {
      this.#info(this.active, 'Not connected', 'error');
      return false;
    }
    this.#sendRaw(line);
    return true;
  }

  /** Sends a raw line typed by the user (/quote). */
  sendRawLine(line: string): void {
    const r = parse(line);
    if (!r.ok) {
      this.#info(this.active, `Not a valid IRC line (${r.error})`, 'error');
      return;
    }
    this.send(r.msg.command, ...r.msg.params);
  }

  get connected(): boolean {
    return this.status === 'connected';
  }

  hasCap(name: string): boolean {
    return this.caps.has(name);
  }

  get historyAvailable(): boolean {
    return (this.caps.has('draft/chathistory') || this.caps.has('chathistory') || this.isupport.has('CHATHISTORY')) && this.caps.has('batch');
  }

  get searchAvailable(): boolean {
    // tincan offers SEARCH wherever it offers history (docs/history.md); others may say so in ISUPPORT
    return this.isupport.has('SEARCH') || this.historyAvailable;
  }

  /** Sends a PRIVMSG/NOTICE (or CTCP ACTION), split to fit IRC's line limit. */
  say(target: string, text: string, kind: 'msg' | 'action' | 'notice' = 'msg'): void {
    const cmd = kind === 'notice' ? 'NOTICE' : 'PRIVMSG';
    // the server adds ":nick!user@host " when relaying: keep well inside 512 bytes
    // floored, so a long target still sends (the server truncates what does not fit)
    const budget = Math.max(60, 512 - 2 - (cmd.length + 1) - (utf8Length(target) + 2) - 80 - (kind === 'action' ? 9 : 0));
    for (const part of splitLines(text, budget)) {
      const body = kind === 'action' ? `\x01ACTION ${part}\x01` : part;
      if (!this.send(cmd, target, body)) return;
      if (!this.caps.has('echo-message')) {
        const b = this.#bufferFor(target, this.nick);
        this.#push(b, { kind, nick: this.nick, text: part, self: true, time: this.#now() }, false);
      }
    }
  }

  join(channel: string, key?: string): void {
    if (key !== undefined) this.send('JOIN', channel, key);
    else this.send('JOIN', channel);
  }

  part(channel: string, reason?: string): void {
    const b = this.buffers.get(this.#fold(channel));
    if (b !== undefined && b.kind === 'channel' && !b.joined) {
      this.close(b.key);
      return;
    }
    if (reason !== undefined) this.send('PART', channel, reason);
    else this.send('PART', channel);
  }

  /** Opens (and focuses) a private conversation. */
  openQuery(nick: string): Buffer {
    const b = this.#buffer(nick, 'query');
    this.setActive(b.key);
    if (this.historyAvailable && b.lines.length === 0) this.#requestHistory(b, 'latest');
    return b;
  }

  /** Removes a buffer (parting a joined channel first). */
  close(key: string): void {
    const b = this.buffers.get(key);
    if (b === undefined || b.kind === 'server') return;
    if (b.kind === 'channel' && b.joined && this.connected) this.send('PART', b.name);
    this.buffers.delete(key);
    if (this.active === key) this.active = this.orderedBuffers()[0]?.key ?? SERVER_KEY;
    this.#changed();
  }

  setActive(key: string): void {
    const b = this.buffers.get(key);
    if (b === undefined) return;
    this.active = key;
    b.unread = 0;
    b.mentions = 0;
    this.#changed();
  }

  get activeBuffer(): Buffer {
    return this.buffers.get(this.active) ?? this.buffers.get(SERVER_KEY)!;
  }

  /** Channels we are in or want to be in (remembered across reloads). */
  wantedChannels(): string[] {
    return [...this.buffers.values()].filter((b) => b.kind === 'channel' && b.joined).map((b) => b.name);
  }

  /** Server first, then channels, then private conversations, each alphabetically. */
  orderedBuffers(): Buffer[] {
    const rank = { server: 0, channel: 1, query: 2 } as const;
    return [...this.buffers.values()].sort((a, b) => rank[a.kind] - rank[b.kind] || a.key.localeCompare(b.key));
  }

  /** Members sorted by rank (ops, voiced, others) then nick. */
  sortedMembers(b: Buffer): Member[] {
    const order = this.#prefixChars();
    const rank = (m: Member): number => {
      const i = m.prefix === '' ? -1 : order.indexOf(m.prefix[0]!);
      return i === -1 ? order.length : i;
    };
    return [...b.members.values()].sort((x, y) => rank(x) - rank(y) || x.nick.localeCompare(y.nick, undefined, { sensitivity: 'base' }));
  }

  /** Asks for older messages in a buffer (scrollback). */
  loadOlder(key: string): void {
    const b = this.buffers.get(key);
    if (b === undefined || b.kind === 'server' || !this.historyAvailable || b.historyComplete || b.historyLoading) return;
    if (!this.connected) return;
    this.#requestHistory(b, b.lines.some((l) => l.kind !== 'info' && l.kind !== 'error') ? 'before' : 'latest');
  }

  /** /history N: asks for the latest N lines of a buffer. */
  history(key: string, n: number): void {
    const b = this.buffers.get(key);
    if (b === undefined || b.kind === 'server') return;
    if (!this.historyAvailable) {
      this.#info(key, 'This server does not offer history (no chathistory capability)', 'error');
      return;
    }
    this.send('CHATHISTORY', 'LATEST', b.name, '*', String(Math.max(1, Math.min(n, Number(this.isupport.get('CHATHISTORY')) || n))));
    b.historyLoading = true;
    const q = this.#historyQueue.get(b.key) ?? [];
    q.push('after');
    this.#historyQueue.set(b.key, q);
    this.#changed();
  }

  /** Full-text search (soju.im/search / SEARCH), in one buffer or everywhere. */
  runSearch(query: string, in_?: string): void {
    if (!this.searchAvailable) {
      this.#info(this.active, 'This server does not offer search', 'error');
      return;
    }
    // tincan's SEARCH [#channel] <words...> (docs/history.md); results come in a
    // tincan/search batch of ordinary PRIVMSGs
    this.search = { query, pending: true, results: [] };
    const words = query.trim().split(/\s+/);
    if (in_ !== undefined && this.isChannel(in_)) this.send('SEARCH', in_, ...words.slice(0, -1), words[words.length - 1]!);
    else this.send('SEARCH', ...words.slice(0, -1), words[words.length - 1]!);
    this.#changed();
  }

  closeSearch(): void {
    this.search = null;
    this.#changed();
  }

  isChannel(name: string): boolean {
    const types = this.isupport.get('CHANTYPES') ?? '#&';
    return name.length > 0 && types.includes(name[0]!);
  }

  fold(s: string): string {
    return this.#fold(s);
  }

  /** Shows a local (not sent) note in a buffer. */
  note(text: string, kind: 'info' | 'error' = 'info', key = this.active): void {
    this.#info(key, text, kind);
  }

  // ---- model helpers ---------------------------------------------------------------

  #changed(): void {
    this.version++;
    if (this.#changeScheduled || this.opts.onChange === undefined) return;
    this.#changeScheduled = true;
    queueMicrotask(() => {
      this.#changeScheduled = false;
      this.opts.onChange?.();
    });
  }

  #newBuffer(key: string, name: string, kind: BufferKind): Buffer {
    return {
      key,
      name,
      kind,
      lines: [],
      members: new Map(),
      topic: '',
      unread: 0,
      mentions: 0,
      joined: false,
      historyComplete: false,
      historyLoading: false,
    };
  }

  #buffer(name: string, kind: BufferKind): Buffer {
    const key = this.#fold(name);
    let b = this.buffers.get(key);
    if (b === undefined) {
      b = this.#newBuffer(key, name, kind);
      this.buffers.set(key, b);
      this.#changed();
    }
    return b;
  }

  /** The buffer a PRIVMSG/NOTICE to `target` from `from` belongs in. */
  #bufferFor(target: string, from: string): Buffer {
    const statusmsg = this.isupport.get('STATUSMSG') ?? '';
    let t = target;
    while (t.length > 1 && statusmsg.includes(t[0]!) && this.isChannel(t.slice(1))) t = t.slice(1);
    if (this.isChannel(t)) return this.#buffer(t, 'channel');
    const other = this.#fold(from) === this.#fold(this.nick) ? t : from;
    if (other === '' || other === '*' || other.includes('.') || this.status !== 'connected') return this.buffers.get(SERVER_KEY)!;
    return this.#buffer(other, 'query');
  }

  #push(b: Buffer, l: Omit<Line, 'id' | 'mention'> & { mention?: boolean }, live: boolean): Line {
    const line: Line = { id: nextLineId++, mention: false, ...l };
    if (line.msgid !== undefined && b.lines.some((x) => x.msgid === line.msgid)) return line;
    // keep time order: usually appending; a late line (server-time) goes in place
    let i = b.lines.length;
    while (i > 0 && b.lines[i - 1]!.time > line.time) i--;
    b.lines.splice(i, 0, line);
    if (b.lines.length > MAX_LINES) {
      b.lines.splice(0, b.lines.length - MAX_LINES);
      b.historyComplete = false;
    }
    if (live && !line.self && (line.kind === 'msg' || line.kind === 'action' || line.kind === 'notice')) {
      const isMention = line.mention || (b.kind === 'query' && line.kind !== 'notice');
      if (b.key !== this.active) {
        b.unread++;
        if (isMention) b.mentions++;
      }
      if (isMention) this.opts.onMention?.(b, line);
    }
    this.#changed();
    return line;
  }

  #info(key: string, text: string, kind: LineKind = 'info'): void {
    const b = this.buffers.get(key) ?? this.buffers.get(SERVER_KEY)!;
    this.#push(b, { kind, nick: '', text, self: false, time: this.#now() }, false);
  }

  #prefixChars(): string {
    const p = this.isupport.get('PREFIX') ?? '(ov)@+';
    const i = p.indexOf(')');
    return i === -1 ? '@+' : p.slice(i + 1);
  }

  #prefixModes(): string {
    const p = this.isupport.get('PREFIX') ?? '(ov)@+';
    const i = p.indexOf(')');
    return i === -1 ? 'ov' : p.slice(1, i);
  }

  #setMember(b: Buffer, nickWithPrefix: string): void {
    const chars = this.#prefixChars();
    let i = 0;
    while (i < nickWithPrefix.length && chars.includes(nickWithPrefix[i]!)) i++;
    const nick = nickOf(nickWithPrefix.slice(i));
    const key = this.#fold(nick);
    const old = b.members.get(key);
    b.members.set(key, { nick, prefix: nickWithPrefix.slice(0, i), away: old?.away ?? false });
  }

  #msgTime(msg: IrcMessage): number {
    const t = msg.tags?.get('time');
    if (t !== undefined) {
      const v = Date.parse(t);
      if (!Number.isNaN(v)) return v;
    }
    return this.#now();
  }

  #requestHistory(b: Buffer, kind: HistoryRequest): void {
    if (!this.historyAvailable) return;
    const limit = Math.min(HISTORY_PAGE, Number(this.isupport.get('CHATHISTORY')) || HISTORY_PAGE);
    // our own (re)join line is local news, not a position in the server's history
    const real = b.lines.filter((l) => l.kind !== 'info' && l.kind !== 'error' && !(l.kind === 'join' && l.self));
    let sent: boolean;
    if (kind === 'latest' || real.length === 0) {
      kind = 'latest';
      sent = this.send('CHATHISTORY', 'LATEST', b.name, '*', String(limit));
    } else if (kind === 'before') {
      const first = real[0]!;
      // msgid: exact even when many lines share a millisecond
      const ref = first.msgid !== undefined ? `msgid=${first.msgid}` : `timestamp=${iso(first.time)}`;
      sent = this.send('CHATHISTORY', 'BEFORE', b.name, ref, String(limit));
    } else {
      const last = real[real.length - 1]!;
      // catch-up uses a timestamp, not a msgid: it survives a server restart (msgids
      // may not); overlap is removed by msgid de-duplication in #push
      const ref = `timestamp=${iso(last.time)}`;
      sent = this.send('CHATHISTORY', 'AFTER', b.name, ref, String(Math.max(limit, 100)));
    }
    if (!sent) return;
    b.historyLoading = true;
    const q = this.#historyQueue.get(b.key) ?? [];
    q.push(kind);
    this.#historyQueue.set(b.key, q);
    this.#changed();
  }

  // ---- receiving -------------------------------------------------------------------

  /** Handles one line from the server (exposed for tests). */
  handleLine(line: string): void {
    const r = parse(line);
    if (!r.ok) return;
    const msg = r.msg;
    const batch = msg.tags?.get('batch');
    if (batch !== undefined && msg.command !== 'BATCH') {
      const open = this.#batches.get(batch);
      if (open !== undefined && (open.type === 'chathistory' || open.type.endsWith('search'))) {
        if (open.msgs.length < 2000) open.msgs.push(msg);
        return;
      }
    }
    this.#handle(msg);
  }

  #handle(msg: IrcMessage): void {
    const p = msg.params;
    const from = nickOf(msg.source);
    const isSelf = this.#fold(from) === this.#fold(this.nick);
    switch (msg.command) {
      case 'PING':
        this.send('PONG', ...p.slice(0, 1));
        return;
      case 'CAP':
        this.#onCap(p);
        return;
      case 'AUTHENTICATE':
        return;
      case '001':
        this.nick = p[0] ?? this.nick;
        this.status = 'connected';
        this.#attempt = 0;
        this.lastError = null;
        this.#info(SERVER_KEY, p[p.length - 1] ?? 'Welcome');
        return;
      case '005':
        for (const tok of p.slice(1, -1)) {
          if (tok.startsWith('-')) this.isupport.delete(tok.slice(1));
          else {
            const eq = tok.indexOf('=');
            this.isupport.set(eq === -1 ? tok : tok.slice(0, eq), eq === -1 ? '' : tok.slice(eq + 1));
          }
        }
        {
          const cm = this.isupport.get('CASEMAPPING');
          if (cm === 'ascii' || cm === 'rfc1459') this.#fold = casefolder(cm as Casemapping);
        }
        this.#changed();
        return;
      case '376':
      case '422':
        this.#afterWelcome();
        return;
      case '433':
      case '432':
        if (this.status !== 'connected') {
          const base = this.wantedNick.length > 12 ? this.wantedNick.slice(0, 12) : this.wantedNick;
          this.wantedNick = msg.command === '432' ? 'guest' + Math.floor(Math.random() * 9000 + 1000) : base + '_';
          this.send('NICK', this.wantedNick);
        }
        this.#info(this.active, p[p.length - 1] + (p[1] !== undefined ? `: ${p[1]}` : ''), 'error');
        return;
      case '464':
        this.passwordError = p[p.length - 1] ?? 'Password required';
        this.#info(SERVER_KEY, this.password === null ? 'This server needs a password' : 'The server refused the password', 'error');
        this.#changed();
        return;
      case 'ERROR':
        this.lastError = p[0] ?? 'ERROR';
        this.#info(SERVER_KEY, this.lastError, 'error');
        return;
      case 'BATCH':
        this.#onBatch(msg);
        return;
      case 'JOIN': {
        const b = this.#buffer(p[0] ?? '', 'channel');
        if (isSelf) {
          b.joined = true;
          b.members.clear();
          const msgid = msg.tags?.get('msgid');
          this.#push(b, { kind: 'join', nick: from, text: 'You joined ' + b.name, self: true, time: this.#msgTime(msg), ...(msgid !== undefined ? { msgid } : {}) }, false);
          if (this.historyAvailable) this.#requestHistory(b, b.lines.some((l) => l.kind !== 'info' && l.kind !== 'join' && l.kind !== 'error') ? 'after' : 'latest');
          this.send('WHO', b.name);
          if (this.#pendingFocus === b.key) {
            this.#pendingFocus = null;
            this.setActive(b.key);
          }
        } else {
          this.#setMember(b, from);
          this.#line(b, msg, 'join', '', true);
        }
        this.#changed();
        return;
      }
      case 'PART': {
        const b = this.buffers.get(this.#fold(p[0] ?? ''));
        if (b === undefined) return;
        if (isSelf) {
          b.joined = false;
          b.members.clear();
        } else b.members.delete(this.#fold(from));
        this.#line(b, msg, 'part', p[1] ?? '', true);
        return;
      }
      case 'KICK': {
        const b = this.buffers.get(this.#fold(p[0] ?? ''));
        if (b === undefined) return;
        const victim = p[1] ?? '';
        if (this.#fold(victim) === this.#fold(this.nick)) {
          b.joined = false;
          b.members.clear();
        } else b.members.delete(this.#fold(victim));
        this.#line(b, msg, 'kick', `${victim}${p[2] ? ' (' + p[2] + ')' : ''}`, true);
        return;
      }
      case 'QUIT': {
        const key = this.#fold(from);
        for (const b of this.buffers.values()) {
          if (b.members.delete(key) || (b.kind === 'query' && b.key === key)) this.#line(b, msg, 'quit', p[0] ?? '', true);
        }
        return;
      }
      case 'NICK': {
        const to = p[0] ?? '';
        const oldKey = this.#fold(from);
        if (isSelf) {
          this.nick = to;
          this.wantedNick = to;
          this.opts.onNickChange?.(to);
        }
        for (const b of [...this.buffers.values()]) {
          const m = b.members.get(oldKey);
          if (m !== undefined) {
            b.members.delete(oldKey);
            b.members.set(this.#fold(to), { ...m, nick: to });
            this.#line(b, msg, 'nick', to, true);
          } else if (b.kind === 'query' && b.key === oldKey && !this.buffers.has(this.#fold(to))) {
            this.buffers.delete(oldKey);
            b.key = this.#fold(to);
            b.name = to;
            this.buffers.set(b.key, b);
            if (this.active === oldKey) this.active = b.key;
            this.#line(b, msg, 'nick', to, true);
          }
        }
        if (isSelf) this.#info(SERVER_KEY, `You are now known as ${to}`);
        this.#changed();
        return;
      }
      case 'AWAY': {
        const key = this.#fold(from);
        for (const b of this.buffers.values()) {
          const m = b.members.get(key);
          if (m !== undefined) m.away = p.length > 0;
        }
        this.#changed();
        return;
      }
      case 'CHGHOST':
      case 'SETNAME':
        return;
      case 'TOPIC': {
        const b = this.#buffer(p[0] ?? '', 'channel');
        b.topic = stripFormatting(p[1] ?? '');
        this.#line(b, msg, 'topic', b.topic, true);
        return;
      }
      case 'MODE':
        this.#onMode(msg);
        return;
      case 'PRIVMSG':
      case 'NOTICE':
        this.#onMessage(msg, true);
        return;
      case 'TAGMSG':
        return;
      case 'INVITE':
        this.#info(this.active, `${from} invites you to ${p[1] ?? ''} (type /join ${p[1] ?? ''})`);
        return;
      case 'FAIL':
      case 'WARN':
      case 'NOTE': {
        if (p[0] === 'CHATHISTORY') {
          const b = this.buffers.get(this.#fold(p[2] ?? ''));
          for (const [key, q] of this.#historyQueue) {
            if (b === undefined || key === b.key) {
              q.shift();
              const bb = this.buffers.get(key);
              if (bb !== undefined) bb.historyLoading = q.length > 0;
              break;
            }
          }
        }
        if (p[0] === 'SEARCH' && this.search !== null) this.search.pending = false;
        this.#info(this.active, `${p[0] ?? ''}: ${p[p.length - 1] ?? ''}`, msg.command === 'FAIL' ? 'error' : 'info');
        return;
      }
    }
    this.#onNumeric(msg);
  }

  #pendingFocus: string | null = null;

  /** Joins and focuses the channel once the server confirms. */
  joinAndFocus(channel: string, key?: string): void {
    const b = this.buffers.get(this.#fold(channel));
    if (b !== undefined && b.joined && this.connected) {
      this.setActive(b.key);
      return;
    }
    this.#pendingFocus = this.#fold(channel);
    this.join(channel, key);
  }

  #afterWelcome(): void {
    const chans = this.wantedChannels();
    for (const b of this.buffers.values()) if (b.kind === 'channel') b.joined = false;
    if (this.active === SERVER_KEY && chans.length > 0) this.#pendingFocus = this.#fold(chans[0]!);
    for (let i = 0; i < chans.length; i += 10) this.send('JOIN', chans.slice(i, i + 10).join(','));
    // private conversations: catch up on what was said while we were away
    if (this.historyAvailable) {
      for (const b of this.buffers.values()) if (b.kind === 'query') this.#requestHistory(b, 'after');
    }
    if (this.away) this.send('AWAY', 'away');
    this.#changed();
  }

  #onCap(p: string[]): void {
    const sub = p[1] ?? '';
    const more = p[2] === '*';
    const list = (more ? p[3] : p[2]) ?? '';
    if (sub === 'LS' || sub === 'NEW') {
      for (const c of list.split(' ')) if (c !== '') this.#availableCaps.add(c.split('=')[0]!);
      if (more) return;
      const want = WANTED_CAPS.filter((c) => this.#availableCaps.has(c) && !this.caps.has(c));
      if (want.length > 0) this.send('CAP', 'REQ', want.join(' '));
      else if (!this.#capEnded) this.#capEnd();
    } else if (sub === 'ACK') {
      for (const c of list.split(' ')) {
        if (c.startsWith('-')) this.caps.delete(c.slice(1));
        else if (c !== '') this.caps.add(c);
      }
      if (!more && !this.#capEnded) this.#capEnd();
      this.#changed();
    } else if (sub === 'NAK') {
      if (!this.#capEnded) this.#capEnd();
    } else if (sub === 'DEL') {
      for (const c of list.split(' ')) this.caps.delete(c);
      this.#changed();
    }
  }

  #capEnd(): void {
    this.#capEnded = true;
    this.#sendRaw('CAP END');
  }

  #onBatch(msg: IrcMessage): void {
    const ref = msg.params[0] ?? '';
    if (ref.startsWith('+')) {
      this.#batches.set(ref.slice(1), { type: msg.params[1] ?? '', target: msg.params[2] ?? '', msgs: [] });
      return;
    }
    const b = this.#batches.get(ref.slice(1));
    if (b === undefined) return;
    this.#batches.delete(ref.slice(1));
    if (b.type === 'chathistory') this.#applyHistory(b.target, b.msgs);
    else if (b.type.endsWith('search')) this.#applySearch(b.msgs);
  }

  #applyHistory(target: string, msgs: IrcMessage[]): void {
    const key = this.#fold(target);
    const b = this.buffers.get(key) ?? this.#buffer(target, this.isChannel(target) ? 'channel' : 'query');
    const q = this.#historyQueue.get(b.key);
    const kind = q?.shift();
    b.historyLoading = (q?.length ?? 0) > 0;
    // decode into a scratch buffer, then merge as a block: many lines can share one
    // millisecond, so an older page must go before everything we have, not by time
    const tmp = this.#newBuffer(b.key, b.name, b.kind);
    let count = 0;
    for (const m of msgs) {
      if (m.command === 'PRIVMSG' || m.command === 'NOTICE') {
        this.#onMessage(m, false, tmp);
        count++;
      } else {
        const kindOf: Record<string, LineKind> = { JOIN: 'join', PART: 'part', QUIT: 'quit', NICK: 'nick', TOPIC: 'topic', KICK: 'kick', MODE: 'mode' };
        const k = kindOf[m.command];
        if (k === undefined) continue;
        const text = m.command === 'NICK' ? m.params[0] ?? '' : m.command === 'TOPIC' ? m.params[1] ?? '' : m.command === 'QUIT' ? m.params[0] ?? '' : m.command === 'MODE' ? m.params.slice(1).join(' ') : m.params[1] ?? '';
        this.#line(tmp, m, k, text, false);
        count++;
      }
    }
    const have = new Set(b.lines.map((l) => l.msgid).filter((x) => x !== undefined));
    const fresh = tmp.lines.filter((l) => l.msgid === undefined || !have.has(l.msgid));
    if (kind === 'before') b.lines = [...fresh, ...b.lines];
    else b.lines = [...b.lines, ...fresh].sort((x, y) => x.time - y.time); // stable
    if (b.lines.length > MAX_LINES) b.lines.splice(kind === 'before' ? MAX_LINES : 0, b.lines.length - MAX_LINES);
    if ((kind === 'before' || kind === 'latest') && count < Math.min(HISTORY_PAGE, Number(this.isupport.get('CHATHISTORY')) || HISTORY_PAGE)) {
      b.historyComplete = true;
    }
    this.#changed();
  }

  #applySearch(msgs: IrcMessage[]): void {
    const results: Line[] = [];
    for (const m of msgs) {
      if (m.command !== 'PRIVMSG' && m.command !== 'NOTICE') continue;
      const { kind, text } = this.#decodeText(m);
      const nick = nickOf(m.source);
      const target = m.params[0] ?? '';
      const where = this.isChannel(target) ? target : this.#fold(nick) === this.#fold(this.nick) ? target : nick;
      const line: Line = { id: nextLineId++, time: this.#msgTime(m), kind, nick, text, self: false, mention: false, where };
      const msgid = m.tags?.get('msgid');
      if (msgid !== undefined) line.msgid = msgid;
      results.push(line);
    }
    results.sort((a, b) => b.time - a.time);
    this.search = { query: this.search?.query ?? '', pending: false, results };
    this.#changed();
  }

  #decodeText(msg: IrcMessage): { kind: LineKind; text: string } {
    let text = msg.params[1] ?? '';
    let kind: LineKind = msg.command === 'NOTICE' ? 'notice' : 'msg';
    if (text.startsWith('\x01')) {
      const body = text.slice(1, text.endsWith('\x01') ? -1 : undefined);
      if (body.startsWith('ACTION ') || body === 'ACTION') {
        kind = 'action';
        text = body.slice(7);
      } else {
        text = '';
      }
    }
    return { kind, text: stripFormatting(text) };
  }

  #onMessage(msg: IrcMessage, live: boolean, into?: Buffer): void {
    const from = nickOf(msg.source);
    const target = msg.params[0] ?? '';
    const { kind, text } = this.#decodeText(msg);
    if (text === '' && kind !== 'action') {
      // CTCP other than ACTION: answer VERSION politely, ignore the rest
      const body = msg.params[1] ?? '';
      if (live && msg.command === 'PRIVMSG' && body.startsWith('\x01VERSION')) this.send('NOTICE', from, '\x01VERSION tincan web\x01');
      return;
    }
    const self = this.#fold(from) === this.#fold(this.nick);
    const serverNotice = msg.source === null || !msg.source.includes('!') || target === '*';
    const b = into ?? (serverNotice && !this.isChannel(target) ? this.buffers.get(SERVER_KEY)! : this.#bufferFor(target, from));
    const line: Omit<Line, 'id'> = {
      kind,
      nick: from,
      text,
      self,
      time: this.#msgTime(msg),
      mention: !self && mentions(text, this.nick, this.#fold),
    };
    const msgid = msg.tags?.get('msgid');
    if (msgid !== undefined) line.msgid = msgid;
    // live private messages go to the active buffer's attention too
    this.#push(b, line, live);
  }

  #line(b: Buffer, msg: IrcMessage, kind: LineKind, text: string, live: boolean): void {
    const from = nickOf(msg.source);
    const l: Omit<Line, 'id'> = { kind, nick: from, text, self: this.#fold(from) === this.#fold(this.nick), time: this.#msgTime(msg), mention: false };
    const msgid = msg.tags?.get('msgid');
    if (msgid !== undefined) l.msgid = msgid;
    this.#push(b, l, live);
  }

  #onMode(msg: IrcMessage): void {
    const p = msg.params;
    const target = p[0] ?? '';
    if (!this.isChannel(target)) return;
    const b = this.buffers.get(this.#fold(target));
    if (b === undefined) return;
    const prefixModes = this.#prefixModes();
    const prefixChars = this.#prefixChars();
    const [a = '', bb = '', c = ''] = (this.isupport.get('CHANMODES') ?? 'b,k,l,imnt').split(',');
    let adding = true;
    let arg = 2;
    for (const ch of p[1] ?? '') {
      if (ch === '+' || ch === '-') {
        adding = ch === '+';
        continue;
      }
      const pi = prefixModes.indexOf(ch);
      if (pi !== -1) {
        const nick = p[arg++] ?? '';
        const m = b.members.get(this.#fold(nick));
        if (m !== undefined) {
          const sym = prefixChars[pi]!;
          let pre = m.prefix.replace(sym, '');
          if (adding) pre = [...prefixChars].filter((x) => x === sym || pre.includes(x)).join('');
          m.prefix = pre;
        }
      } else if (a.includes(ch) || bb.includes(ch) || (c.includes(ch) && adding)) arg++;
    }
    this.#line(b, msg, 'mode', p.slice(1).join(' '), true);
  }

  #onNumeric(msg: IrcMessage): void {
    const p = msg.params;
    const last = p[p.length - 1] ?? '';
    switch (msg.command) {
      case '332': {
        const b = this.#buffer(p[1] ?? '', 'channel');
        b.topic = stripFormatting(last);
        this.#changed();
        return;
      }
      case '331':
      case '333':
      case '324':
      case '329':
      case '315':
        this.showWho = false;
        return;
      case '004':
        return;
      case '353': {
        const b = this.#buffer(p[2] ?? '', 'channel');
        if (!this.#namesOpen.has(b.key)) {
          this.#namesOpen.add(b.key);
          b.members.clear();
        }
        for (const n of last.split(' ')) if (n !== '') this.#setMember(b, n);
        this.#changed();
        return;
      }
      case '366': {
        const key = this.#fold(p[1] ?? '');
        const wasOpen = this.#namesOpen.delete(key);
        const b = this.buffers.get(key);
        if (b !== undefined && this.active === key && !wasOpen) return;
        this.#changed();
        return;
      }
      case '352': {
        // <me> <chan> <user> <host> <server> <nick> <flags> :<hops> <real>
        const b = this.buffers.get(this.#fold(p[1] ?? ''));
        const m = b?.members.get(this.#fold(p[5] ?? ''));
        if (m !== undefined) m.away = (p[6] ?? '').startsWith('G');
        if (this.showWho) this.#info(this.active, `${p[5]} (${p[2]}@${p[3]}) ${(p[6] ?? '').startsWith('G') ? 'away' : 'here'} in ${p[1]}`);
        this.#changed();
        return;
      }
      case '305':
        this.away = false;
        this.#info(this.active, last);
        return;
      case '306':
        this.away = true;
        this.#info(this.active, last);
        return;
      case '301': {
        const b = this.buffers.get(this.#fold(p[1] ?? '')) ?? this.activeBuffer;
        this.#info(b.key, `${p[1] ?? ''} is away: ${last}`);
        return;
      }
      case '311':
        this.#info(this.active, `${p[1]} is ${p[2]}@${p[3]} (${last})`);
        return;
      case '312':
        this.#info(this.active, `${p[1]} is on ${p[2]}`);
        return;
      case '317':
        this.#info(this.active, `${p[1]} has been idle ${p[2]} s`);
        return;
      case '319':
        this.#info(this.active, `${p[1]} is in ${last}`);
        return;
      case '318':
        return;
      case '322':
        this.#info(SERVER_KEY, `${p[1]} (${p[2]} people) ${last}`);
        return;
      case '323':
        this.#info(SERVER_KEY, 'End of room list');
        return;
      case '341':
        this.#info(this.active, `Invited ${p[1]} to ${p[2]}`);
        return;
    }
    if (/^[45]\d\d$/.test(msg.command)) {
      // errors: "<me> <what> :<reason>" → "reason: what"
      const what = p.length > 2 ? p.slice(1, -1).join(' ') : '';
      this.#info(this.active, what !== '' ? `${what}: ${last}` : last, 'error');
      return;
    }
    if (/^\d\d\d$/.test(msg.command)) this.#info(SERVER_KEY, p.slice(1).join(' '));
  }
}
