/**
 * The client-side IRC model, shared by the terminal client and the browser client:
 * incoming messages turned into readable lines in per-room buffers, NAMES and away
 * state, unread and mention counts, rejoin after a reconnect, CHATHISTORY (on join,
 * catch-up after a reconnect, scrollback paging, msgid de-duplication), SEARCH,
 * messages kept while disconnected, client tags (typing, replies, reactions: the rules
 * and bounds in client-tags.ts), draft/multiline (batches in, multiline.ts out) and
 * REDACT. The connection itself (transport, registration,
 * backoff, a refused password) is its base class, connection.ts.
 *
 * Why one module above 500 lines: what is left here is one state machine over one set
 * of fields (buffers, members, batches) whose incoming switch reads best as one table;
 * every part that stands alone lives beside it: connection.ts, buffer.ts (lines,
 * paging), history.ts (requests, merging a batch, replayed events), client-tags.ts,
 * multiline.ts, caps.ts, outbox.ts,
 * isupport.ts (incl. prefix modes), numeric-text.ts, client-types.ts, and src/text
 * (mentions, splitting).
 *
 * It is not a socket: bytes come and go through a {@link LineTransport}
 * (node-transport.ts for TCP, browser-transport.ts for a WebSocket). No node: imports
 * here. It never puts raw protocol into a buffer except for lines the user asked to see
 * (/raw) and unknown replies, which are shown as text.
 */
import { foldCase, utf8Length, type IrcMessage } from '../../protocol/index.js';
import * as N from '../../protocol/numerics.js';
import { IrcConnection } from './connection.js';
import { ChatBuffer, lineId, type ChatLine, type LineKind } from './buffer.js';
import { catchUpRef, endHistory, HistoryRequests, olderRef, replayedEvent, type HistoryKind } from './history.js';
import { applyISupport, applyPrefixModes, defaultISupport, type ISupport } from './isupport.js';
import { Outbox } from './outbox.js';
import { DEFAULT_OUTBOX, HISTORY_PAGE, MAX_IGNORED, type ClientOptions, type SearchResults } from './client-types.js';

export * from './client-types.js';
export { WANTED_CAPS } from './caps.js';
import { numericText } from './numeric-text.js';
import { mentions, splitLines } from '../../text/index.js';
import { multilineBatches, type MultilinePart } from './multiline.js';
import { applyReaction, cleanReaction, clientTagAllowed, findByMsgid, MAX_LOOKBACK, quoteOf, reacted, typingState, TypingSender } from './client-tags.js';

interface Batch {
  type: string;
  params: string[];
  count: number;
  /** chathistory: the lines it brought, shown together at its end, after the marker */
  lines?: { b: ChatBuffer; line: ChatLine }[];
  /** which request it answers (none asked: lines the server sent by itself, merged like 'join') */
  kind?: HistoryKind;
  /** lines that request asked for */
  limit?: number;
  /** draft/multiline: the message being put together (shown as one at the batch's end) */
  multi?: MultiMessage;
}

/** A draft/multiline batch being received. */
interface MultiMessage {
  cmd: 'PRIVMSG' | 'NOTICE' | null;
  from: string;
  fromUser: boolean;
  target: string;
  /** the opening line's tags as line fields (msgid, time, reply, history) */
  extra: Partial<ChatLine>;
  text: string;
  lines: number;
  /** over the bounds: the rest is dropped */
  full: boolean;
}

/** Most lines one history batch holds back until its end (then they are added directly). */
const MAX_BATCH_LINES = 2000;

/** A received multiline message is kept up to this (whatever the server says): more is cut. */
const MAX_MULTI_BYTES = 64 * 1024;
const MAX_MULTI_LINES = 1000;

/** Events a chathistory batch may replay (draft/event-playback). */
const HISTORY_EVENTS = new Set(['JOIN', 'PART', 'QUIT', 'KICK', 'NICK', 'TOPIC', 'MODE']);

export class IrcClient extends IrcConnection {
  readonly buffers: ChatBuffer[] = [];
  readonly server: ChatBuffer;
  active: ChatBuffer;
  /** name the server gave itself (source of 001) */
  serverName: string | null = null;
  isupport: ISupport = defaultISupport();
  away = false;
  /** server software from RPL_MYINFO, e.g. "tincan-0.1.0" */
  serverVersion = '';
  /** the last search (when the view shows results apart) */
  searchResults: SearchResults | null = null;

  #names = new Map<string, Map<string, { nick: string; prefix: string; away?: boolean }>>();
  #batches = new Map<string, Batch>();
  #focusOnJoin = new Set<string>();
  /** where search results go (the window the search was typed in) */
  #searchBuffer: ChatBuffer | null = null;
  /** history requests not answered yet, per folded target */
  readonly #historyAsked = new HistoryRequests();
  /** folded channels whose WHO we asked for ourselves (replies update away, not shown) */
  readonly #silentWho = new Set<string>();
  #searchItems: ChatLine[] | null = null;
  /** the chathistory batch the line being handled belongs to */
  #collect: Batch | null = null;
  /** typed while disconnected, oldest first; bounded by opts.outbox */
  readonly #outbox: Outbox;

  /** nicks whose messages, notices and invites are not shown (/ignore), as typed */
  #ignored: string[] = [];
  /** our +typing notifications (client-tags.ts) */
  readonly #typing: TypingSender;
  /** sweeps expired "is typing" entries: one timer, for the soonest */
  #typingTimer: ReturnType<typeof setTimeout> | null = null;
  /** names our multiline batches */
  #batchSeq = 0;
  /**
   * Folded targets that refused what we sent (401/404: gone, +m, banned): no more typing
   * notifications there, or every 3 s of typing would bring another error. Cleared by a
   * new session, our JOIN, or a message from them.
   */
  readonly #noTyping = new Set<string>();

  constructor(opts: ClientOptions) {
    super(opts);
    this.#outbox = new Outbox(opts.outbox ?? DEFAULT_OUTBOX);
    this.#ignored = (opts.ignored ?? []).filter((n) => n !== '').slice(0, MAX_IGNORED);
    this.#typing = new TypingSender(
      (target, state) => this.connected && this.canTag('typing') && this.#mayType(target) && this.sendTagged({ '+typing': state }, 'TAGMSG', target),
      () => this.now().getTime(),
    );
    this.server = new ChatBuffer(opts.serverLabel, 'server', opts.maxLines);
    this.buffers.push(this.server);
    this.active = this.server;
    // remembered rooms count as joined (wanted): the welcome joins them
    for (const c of opts.channels ?? []) this.buffer(c).joined = this.isChannel(c);
    const first = opts.channels?.find((c) => this.isChannel(c));
    if (first !== undefined) this.#focusOnJoin.add(this.fold(first));
  }

  protected sessionStarted(): void {
    this.#noTyping.clear();
    this.#batches.clear();
    this.#historyAsked.clear();
    this.#silentWho.clear();
    this.#names.clear();
    for (const b of this.buffers) b.historyLoading = 0;
  }

  protected sessionLost(): void {
    // nobody is known to be anywhere (or typing) while we are not there
    this.#typing.reset();
    if (this.#typingTimer !== null) clearTimeout(this.#typingTimer);
    this.#typingTimer = null;
    for (const b of this.buffers) {
      b.historyLoading = 0;
      b.typing.clear();
      if (b.kind === 'channel') b.members.clear();
    }
  }

  // ---- client tags: typing, replies, reactions (client-tags.ts) -------------------

  /** May we send this client tag (message-tags on, not in CLIENTTAGDENY)? */
  canTag(tag: string): boolean {
    return this.caps.has('message-tags') && clientTagAllowed(this.isupport.clientTagDeny, tag);
  }

  /** Typing notifications to `target`: not to a room we are not in, nor where they were refused. */
  #mayType(target: string): boolean {
    if (this.#noTyping.has(this.fold(target))) return false;
    return !this.isChannel(target) || this.find(target)?.joined === true;
  }

  /** The text in the input box for `target` changed (sends +typing, throttled). */
  typing(target: string, text: string): void {
    this.#typing.input(target, text);
  }

  /** The input box for `target` was emptied or its text sent. */
  typingDone(target: string): void {
    this.#typing.done(target);
  }

  /**
   * Reacts to `line` in `b` with `emoji` (+draft/react), or takes the reaction back
   * (+draft/unreact) when we gave it already. Returns why not, or null.
   */
  react(b: ChatBuffer, line: ChatLine, emoji: string): string | null {
    const e = cleanReaction(emoji);
    if (e === null) return 'That is not a reaction (an emoji or a short word)';
    if (line.msgid === undefined) return 'That message has no id: it cannot be reacted to';
    if (b.kind === 'server') return 'Nothing to react to here';
    if (!this.connected) return `Not connected to ${this.label}`;
    if (!this.canTag('draft/react')) return `${this.label} does not relay reactions`;
    const undo = reacted(line, this.nick, e, (x) => this.fold(x));
    const tag = undo ? '+draft/unreact' : '+draft/react';
    this.sendTagged({ [tag]: e, '+draft/reply': line.msgid }, 'TAGMSG', b.name);
    // with echo-message the server's copy applies it (as for everyone else)
    if (!this.caps.has('echo-message') && applyReaction(line, this.nick, e, !undo, (x) => this.fold(x))) this.emit('change');
    return null;
  }

  /** Can messages be deleted here (draft/message-redaction)? */
  get canRedact(): boolean {
    return this.caps.has('draft/message-redaction');
  }

  /** Asks the server to delete `line` (REDACT); it says when it did. Returns why not, or null. */
  redact(b: ChatBuffer, line: ChatLine): string | null {
    if (!this.canRedact) return `${this.label} cannot delete messages (no draft/message-redaction)`;
    if (line.msgid === undefined || line.deleted !== undefined) return 'That message cannot be deleted';
    if (b.kind === 'server') return 'Nothing to delete here';
    if (!this.send('REDACT', b.name, line.msgid)) return `Not connected to ${this.label}`;
    return null;
  }

  /** REDACT target msgid [reason]: the message shows as deleted, its text and reactions gone. */
  #onRedact(from: string, target: string, msgid: string): void {
    const self = this.isMe(from);
    const b = this.isChannel(target) ? this.find(target) : this.find(self ? target : from);
    if (b === undefined) return;
    const line = findByMsgid(b, msgid);
    if (line === undefined || line.deleted !== undefined) return;
    line.deleted = from;
    line.text = '';
    delete line.reactions;
    // replies quoting it no longer show what it said
    const stop = Math.max(0, b.lines.length - MAX_LOOKBACK);
    for (let i = b.lines.length - 1; i >= stop; i--) {
      const r = b.lines[i]!;
      if (r.replyTo === msgid && r.parent !== undefined) r.parent = { nick: r.parent.nick, text: '(message deleted)' };
    }
    this.emit('change');
  }

  /** Someone's +typing in a window: shown until done, a message, or it expires. */
  #setTyping(b: ChatBuffer, nick: string, state: 'active' | 'paused' | 'done'): void {
    if (b.typing.set(this.fold(nick), nick, state, this.now().getTime())) this.emit('change');
    this.#scheduleTypingSweep();
  }

  #scheduleTypingSweep(): void {
    if (this.#typingTimer !== null) clearTimeout(this.#typingTimer);
    this.#typingTimer = null;
    let next: number | null = null;
    for (const b of this.buffers) {
      const n = b.typing.next();
      if (n !== null && (next === null || n < next)) next = n;
    }
    if (next === null) return;
    this.#typingTimer = setTimeout(() => {
      this.#typingTimer = null;
      let changed = false;
      const now = this.now().getTime();
      for (const b of this.buffers) if (b.typing.sweep(now)) changed = true;
      if (changed) this.emit('change');
      this.#scheduleTypingSweep();
    }, Math.max(50, next - this.now().getTime()));
    (this.#typingTimer as { unref?: () => void }).unref?.();
  }

  /** TAGMSG: typing and reactions (nothing else is shown). */
  #onTagmsg(from: string, target: string, tags: ReadonlyMap<string, string>, history: boolean): void {
    if (this.ignores(from) && !this.isMe(from)) return;
    const self = this.isMe(from);
    let name = target;
    while (name.length > 1 && this.isupport.statusmsg.includes(name[0] as string)) name = name.slice(1);
    // never a new window for a tag: only where there is something to type into or react to
    const b = this.isChannel(name) ? this.find(name) : this.find(self ? name : from);
    if (b === undefined) return;
    const typing = typingState(tags.get('+typing'));
    if (typing !== null && !history && !self) this.#setTyping(b, from, typing);
    const parentId = tags.get('+draft/reply');
    const react = cleanReaction(tags.get('+draft/react'));
    const unreact = cleanReaction(tags.get('+draft/unreact'));
    if (parentId === undefined || (react === null && unreact === null)) return;
    const pending = (this.#collect?.lines ?? []).filter((x) => x.b === b).map((x) => x.line);
    const line = findByMsgid(b, parentId, pending);
    if (line === undefined) return;
    const fold = (x: string): string => this.fold(x);
    let changed = false;
    if (react !== null) changed = applyReaction(line, from, react, true, fold);
    if (unreact !== null) changed = applyReaction(line, from, unreact, false, fold) || changed;
    if (changed) this.emit('change');
  }

  /** One search result (a line of a SEARCH batch, or a multiline message nested in one). */
  #searchResult(cmd: 'PRIVMSG' | 'NOTICE', from: string, target: string, raw: string, d: Date | null, id: string | undefined): void {
    const action = raw.startsWith('\x01ACTION ');
    const text = action ? raw.slice(8).replace(/\x01$/, '') : raw;
    if (this.#searchItems !== null && this.#searchItems.length < MAX_BATCH_LINES) {
      const where = this.isChannel(target) || this.isMe(from) ? target : from;
      this.#searchItems.push({
        id: lineId(),
        time: d ?? this.now(),
        kind: action ? 'action' : cmd === 'NOTICE' ? 'notice' : 'message',
        nick: from,
        text,
        self: this.isMe(from),
        mention: false,
        history: true,
        where,
        ...(id !== undefined ? { msgid: id } : {}),
      });
    }
    if (this.opts.searchLines === false) return;
    const stamp = d !== null ? ` ${d.toISOString().slice(0, 16).replace('T', ' ')}` : '';
    this.info(this.#searchBuffer ?? this.active, `[${target}${stamp}] ${action ? `* ${from} ${text}` : `<${from}> ${text}`}`);
  }

  /** One line of a multiline batch: joined to the message with \n (or nothing: concat). */
  #multiLine(m: MultiMessage, msg: IrcMessage): void {
    const cmd = msg.command as 'PRIVMSG' | 'NOTICE';
    m.cmd ??= cmd;
    if (m.full || cmd !== m.cmd) return;
    const text = msg.params[1] ?? '';
    const concat = msg.tags?.has('draft/multiline-concat') === true && m.lines > 0;
    const next = m.lines === 0 ? text : m.text + (concat ? '' : '\n') + text;
    if (next.length > MAX_MULTI_BYTES || m.lines >= MAX_MULTI_LINES) {
      m.full = true;
      return;
    }
    m.text = next;
    m.lines++;
  }

  /** The server's draft/multiline limits when we may send batches (the cap and batch), else null. */
  get multiline(): { maxBytes: number; maxLines: number } | null {
    if (!this.caps.has('draft/multiline') || !this.caps.has('batch')) return null;
    const v = this.offered.get('draft/multiline') ?? '';
    const num = (k: string, d: number): number => {
      const m = new RegExp(`(?:^|,)${k}=(\\d+)`).exec(v);
      return m ? Math.max(1, Number(m[1])) : d;
    };
    return { maxBytes: Math.min(num('max-bytes', 4096), MAX_MULTI_BYTES), maxLines: Math.min(num('max-lines', 100), MAX_MULTI_LINES) };
  }

  /** A reply's parent, by msgid, from this window (or the history batch being read). */
  #parentIn(b: ChatBuffer, msgid: string): ChatLine | undefined {
    const pending = (this.#collect?.lines ?? []).filter((x) => x.b === b).map((x) => x.line);
    return findByMsgid(b, msgid, pending);
  }

  protected note(text: string, kind: LineKind, elsewhere?: string): void {
    this.info(this.server, text, kind);
    if (elsewhere !== undefined && this.active !== this.server) this.info(this.active, elsewhere, kind);
  }

  // ---- buffers ----------------------------------------------------------------------

  fold(s: string): string {
    return foldCase(s, this.isupport.casemapping);
  }

  isChannel(name: string): boolean {
    return name.length > 0 && this.isupport.chantypes.includes(name[0] as string);
  }

  // ---- ignore (client-side: the server still sends, this client does not show) ------

  get ignored(): readonly string[] {
    return this.#ignored;
  }

  ignores(nick: string): boolean {
    if (this.#ignored.length === 0) return false;
    const f = this.fold(nick);
    return this.#ignored.some((n) => this.fold(n) === f);
  }

  /** Starts ignoring `nick`: 'added', or why not. */
  ignore(nick: string): 'added' | 'already' | 'self' | 'full' {
    if (this.isMe(nick)) return 'self';
    if (this.ignores(nick)) return 'already';
    if (this.#ignored.length >= MAX_IGNORED) return 'full';
    this.#ignored = [...this.#ignored, nick];
    this.opts.onIgnoredChange?.(this.#ignored);
    return 'added';
  }

  unignore(nick: string): boolean {
    const f = this.fold(nick);
    const next = this.#ignored.filter((n) => this.fold(n) !== f);
    if (next.length === this.#ignored.length) return false;
    this.#ignored = next;
    this.opts.onIgnoredChange?.(this.#ignored);
    return true;
  }

  isMe(nick: string | undefined): boolean {
    return nick !== undefined && this.fold(nick) === this.fold(this.nick);
  }

  find(name: string): ChatBuffer | undefined {
    const f = this.fold(name);
    return this.buffers.find((b) => b.kind !== 'server' && this.fold(b.name) === f);
  }

  /** The buffer for a channel or nick, created when missing. */
  buffer(name: string): ChatBuffer {
    const existing = this.find(name);
    if (existing) return existing;
    const b = new ChatBuffer(name, this.isChannel(name) ? 'channel' : 'query', this.opts.maxLines);
    this.buffers.push(b);
    this.emit('change');
    return b;
  }

  setActive(b: ChatBuffer): void {
    this.active = b;
    b.unread = 0;
    b.mentions = 0;
    this.emit('change');
  }

  /** Closes a query or parted channel buffer. */
  close(b: ChatBuffer): void {
    if (b === this.server) return;
    const i = this.buffers.indexOf(b);
    if (i < 0) return;
    this.buffers.splice(i, 1);
    if (this.active === b) this.setActive(this.buffers[Math.max(0, i - 1)] ?? this.server);
    this.emit('change');
  }

  /** Adds a line to a buffer and updates its counters. */
  addLine(b: ChatBuffer, kind: LineKind, text: string, extra: Partial<ChatLine> = {}): ChatLine {
    const line: ChatLine = { id: lineId(), time: extra.time ?? this.now(), kind, text, self: false, mention: false, history: false, ...extra };
    const batch = this.#collect;
    if (line.history && batch?.lines && batch.lines.length < MAX_BATCH_LINES) {
      batch.lines.push({ b, line });
      return line;
    }
    if (!b.add(line)) return line;
    this.#added(b, line);
    return line;
  }

  #added(b: ChatBuffer, line: ChatLine): void {
    const kind = line.kind;
    if (b !== this.active && !line.history && !line.self && (kind === 'message' || kind === 'action' || kind === 'notice')) {
      b.unread++;
      if (line.mention || b.kind === 'query') b.mentions++;
    }
    this.emit('line', b, line);
    this.emit('change');
  }

  /** The end of a chathistory batch: its lines go where history.ts says. */
  #endHistory(b: Batch): void {
    const target = b.params[0];
    if (!target) return;
    endHistory(
      {
        buffer: (name) => this.buffer(name),
        added: (where, line) => this.#added(where, line),
        info: (where, text) => this.info(where, text),
        changed: () => this.emit('change'),
        now: () => this.now(),
      },
      this.buffer(target),
      b,
    );
  }

  info(b: ChatBuffer, text: string, kind: LineKind = 'info'): void {
    this.addLine(b, kind, text);
  }

  // ---- user actions -----------------------------------------------------------------

  /**
   * Sends a message (split to fit the line limit); shows it at once unless echo-message
   * will. `replyTo`: the msgid it answers (+draft/reply, on the first part).
   */
  say(target: string, text: string, action = false, replyTo?: string): void {
    const b = this.buffer(target);
    const reply = replyTo !== undefined && this.canTag('draft/reply') ? replyTo : undefined;
    // room for ":nick!user@host PRIVMSG target :" the server adds when relaying
    const budget = Math.max(60, 512 - 2 - utf8Length(target) - 12 - 100 - (action ? 9 : 0));
    const ml = this.multiline;
    if (ml !== null && !action && /[\r\n]/.test(text.trim())) {
      for (const [i, batch] of multilineBatches(text, budget, ml.maxBytes, ml.maxLines).entries()) {
        this.#sendBatch(b, target, batch, i === 0 ? reply : undefined);
      }
      this.#typing.done(target);
      return;
    }
    let first = true;
    for (const part of splitLines(text, budget)) {
      const body = action ? `\x01ACTION ${part}\x01` : part;
      if (first && reply !== undefined) this.sendTagged({ '+draft/reply': reply }, 'PRIVMSG', target, body);
      else this.send('PRIVMSG', target, body);
      if (!this.caps.has('echo-message')) {
        const parent = first && reply !== undefined ? this.#parentIn(b, reply) : undefined;
        this.addLine(b, action ? 'action' : 'message', part, {
          nick: this.nick,
          self: true,
          ...(first && reply !== undefined ? { replyTo: reply } : {}),
          ...(parent !== undefined ? { parent: quoteOf(parent) } : {}),
        });
      }
      first = false;
    }
    this.#typing.done(target);
  }

  /** One draft/multiline batch (its parts), shown at once unless echo-message will bring it. */
  #sendBatch(b: ChatBuffer, target: string, parts: readonly MultilinePart[], reply: string | undefined): void {
    const ref = `ml${(this.#batchSeq = (this.#batchSeq + 1) % 1e9)}`;
    this.sendTagged(reply !== undefined ? { '+draft/reply': reply } : {}, 'BATCH', '+' + ref, 'draft/multiline', target);
    for (const part of parts) this.sendTagged(part.concat ? { batch: ref, 'draft/multiline-concat': '' } : { batch: ref }, 'PRIVMSG', target, part.text);
    this.send('BATCH', '-' + ref);
    if (this.caps.has('echo-message')) return;
    const text = parts.map((x, i) => (i > 0 && !x.concat ? '\n' : '') + x.text).join('');
    const parent = reply !== undefined ? this.#parentIn(b, reply) : undefined;
    this.addLine(b, 'message', text, {
      nick: this.nick,
      self: true,
      ...(reply !== undefined ? { replyTo: reply } : {}),
      ...(parent !== undefined ? { parent: quoteOf(parent) } : {}),
    });
  }

  /** Messages waiting for the connection to come back. */
  get pendingCount(): number {
    return this.#outbox.count;
  }

  /**
   * Keeps a message typed while not connected, shown as pending, to send once
   * registered again. False (nothing kept) when the outbox is full.
   */
  queue(target: string, text: string, action = false): boolean {
    if (!this.#outbox.fits(target, text)) return false;
    const buffer = this.buffer(target);
    const line = this.addLine(buffer, action ? 'action' : 'message', text, { nick: this.nick, self: true, pending: true });
    this.#outbox.add({ target, text, action, line, buffer });
    return true;
  }

  /** Sends what was typed while disconnected (after the rejoins, so rooms get it). */
  #flushOutbox(): void {
    const all = this.#outbox.takeAll();
    if (all.length === 0) return;
    for (const p of all) {
      // the placeholder goes; say() shows the message as sent (or echo-message does)
      const i = p.buffer.lines.indexOf(p.line);
      if (i >= 0) p.buffer.lines.splice(i, 1);
      this.say(p.target, p.text, p.action);
    }
    const per = new Map<ChatBuffer, number>();
    for (const p of all) per.set(p.buffer, (per.get(p.buffer) ?? 0) + 1);
    for (const [b, n] of per) this.info(b, `Sent ${n} ${n === 1 ? 'message' : 'messages'} typed while disconnected`);
  }

  join(channel: string, key?: string): void {
    this.#focusOnJoin.add(this.fold(channel));
    if (key !== undefined) this.send('JOIN', channel, key);
    else this.send('JOIN', channel);
  }

  /** True when the server offers chathistory. */
  get hasHistory(): boolean {
    return this.caps.has('draft/chathistory') || this.caps.has('chathistory') || this.isupport.chathistory > 0;
  }

  /**
   * Asks for the latest n lines of `target`; `explicit` (the user typed /history) shows
   * them even when already on screen. Returns an explanation when not offered.
   */
  history(target: string, n: number, explicit = true): string | null {
    if (!this.hasHistory) return `${this.label} does not offer history (no chathistory capability)`;
    const max = this.isupport.chathistory > 0 ? this.isupport.chathistory : n;
    this.#askHistory(target, explicit ? 'explicit' : 'join', 'LATEST', '*', Math.max(1, Math.min(n, max)));
    return null;
  }

  /** History pages the server will send at most. */
  get #page(): number {
    return Math.min(HISTORY_PAGE, this.isupport.chathistory || HISTORY_PAGE);
  }

  #askHistory(target: string, kind: HistoryKind, sub: string, ref: string, limit: number): void {
    if (!this.send('CHATHISTORY', sub, target, ref, String(limit))) return;
    this.#historyAsked.push(this.fold(target), { kind, limit });
    this.buffer(target).historyLoading++;
    this.emit('change');
  }

  /**
   * Can the view offer "load older messages" here? Not in the server window, not when
   * the server keeps no history or said there is nothing older, and in a private chat
   * only once the server showed it keeps some (tincan keeps none: docs/history.md).
   */
  canLoadOlder(b: ChatBuffer): boolean {
    if (b.kind === 'server' || !this.hasHistory || b.historyComplete) return false;
    return b.kind === 'channel' || b.historySeen;
  }

  /** Scrollback: asks for the page before the oldest line here (or the latest page). */
  loadOlder(b: ChatBuffer): void {
    if (b.kind === 'server' || !this.hasHistory || b.historyComplete || b.historyLoading > 0 || !this.connected) return;
    const ref = olderRef(b);
    if (ref === null) this.#askHistory(b.name, 'older', 'LATEST', '*', this.#page);
    else this.#askHistory(b.name, 'older', 'BEFORE', ref, this.#page);
  }

  /** After (re)joining or reconnecting: the latest page, or what was said since the last line here. */
  #catchUp(b: ChatBuffer): void {
    if (!this.hasHistory) return;
    const ref = catchUpRef(b);
    const n = this.opts.historyOnJoin ?? 0;
    if (ref === null) {
      if (n > 0) this.#askHistory(b.name, 'join', 'LATEST', '*', Math.max(1, Math.min(n, this.isupport.chathistory || n)));
    } else if (n > 0 || b.kind === 'query') {
      this.#askHistory(b.name, 'join', 'AFTER', ref, Math.max(this.#page, 100));
    }
  }

  /** True when the server has a SEARCH command (ISUPPORT SEARCH, or tincan with history). */
  get hasSearch(): boolean {
    return this.isupport.search || (this.isupport.chathistory > 0 && this.serverVersion.startsWith('tincan'));
  }

  /**
   * Searches the history of `channel` (or of all your rooms) for messages with every
   * word. Returns an explanation when the server cannot search.
   */
  search(channel: string | null, words: string): string | null {
    if (!this.hasSearch) return `${this.label} does not offer search (it has no SEARCH command)`;
    this.#searchBuffer = this.active;
    this.searchResults = { query: words, pending: true, results: [] };
    if (this.opts.searchLines !== false) this.info(this.active, `Searching ${channel ?? 'your rooms'} for "${words}"...`);
    else this.emit('change');
    if (channel) this.send('SEARCH', channel, ...words.split(/\s+/));
    else this.send('SEARCH', ...words.split(/\s+/));
    return null;
  }

  /** Forgets the last search results (the view closed them). */
  closeSearch(): void {
    this.searchResults = null;
    this.emit('change');
  }

  // ---- incoming ---------------------------------------------------------------------

  /** Handles one parsed message (public for tests). */
  handle(msg: IrcMessage): void {
    if (this.handleConnection(msg)) return;
    const ref = msg.tags?.get('batch');
    const batch = ref !== undefined ? this.#batches.get(ref) : undefined;
    this.#collect = batch?.lines ? batch : null;
    try {
      this.#handle(msg);
    } finally {
      this.#collect = null;
    }
  }

  #handle(msg: IrcMessage): void {
    const src = msg.source ?? '';
    const bang = src.indexOf('!');
    const from = bang >= 0 ? src.slice(0, bang) : src;
    const p = msg.params;
    const batchRef = msg.tags?.get('batch');
    const batch = batchRef !== undefined ? this.#batches.get(batchRef) : undefined;
    // (a nested multiline batch is one message: its closing line does not count again)
    if (batch && !(msg.command === 'BATCH' && (p[0] ?? '').startsWith('-'))) batch.count++;
    if (batch?.multi !== undefined && (msg.command === 'PRIVMSG' || msg.command === 'NOTICE')) return this.#multiLine(batch.multi, msg);
    const history = batch !== undefined && /chathistory/i.test(batch.type);
    if (batch !== undefined && /search/i.test(batch.type) && (msg.command === 'PRIVMSG' || msg.command === 'NOTICE')) {
      const when = msg.tags?.get('time');
      const d = when !== undefined ? new Date(when) : null;
      return this.#searchResult(msg.command, from, p[0] ?? '', p[1] ?? '', d !== null && !Number.isNaN(d.getTime()) ? d : null, msg.tags?.get('msgid'));
    }

    const extra: Partial<ChatLine> = { history };
    const t = msg.tags?.get('time');
    if (t !== undefined) {
      const d = new Date(t);
      if (!Number.isNaN(d.getTime())) extra.time = d;
    }
    const id = msg.tags?.get('msgid');
    if (id !== undefined) extra.msgid = id;
    const replyTo = msg.tags?.get('+draft/reply');
    if (replyTo !== undefined && replyTo !== '' && replyTo.length <= 200) extra.replyTo = replyTo;
    // replayed events (draft/event-playback) are shown, but change nothing: they are the past
    if (history && HISTORY_EVENTS.has(msg.command)) return this.#historyEvent(msg.command, from, p, extra);

    switch (msg.command) {
      case 'BATCH': {
        const ref = p[0] ?? '';
        if (ref.startsWith('+')) {
          const nb: Batch = { type: p[1] ?? '', params: p.slice(2), count: 0 };
          if (nb.type === 'draft/multiline') {
            nb.multi = { cmd: null, from, fromUser: bang >= 0 || this.isMe(from), target: p[2] ?? '', extra, text: '', lines: 0, full: false };
          } else if (/chathistory/i.test(nb.type)) {
            nb.lines = [];
            const req = this.#historyAsked.take(this.fold(nb.params[0] ?? ''));
            nb.kind = req?.kind ?? 'join';
            if (req !== null) nb.limit = req.limit;
            else this.buffer(nb.params[0] ?? '').historyLoading++; // balanced at its end
          } else if (/search/i.test(nb.type)) {
            this.#searchItems = [];
          }
          this.#batches.set(ref.slice(1), nb);
        } else if (ref.startsWith('-')) {
          const b = this.#batches.get(ref.slice(1));
          this.#batches.delete(ref.slice(1));
          if (b?.multi !== undefined) {
            const m = b.multi;
            // nested in a search batch (the closing line says which): a result, not a new message
            if (m.cmd !== null && m.text !== '' && batch !== undefined && /search/i.test(batch.type)) this.#searchResult(m.cmd, m.from, m.target, m.text, m.extra.time ?? null, m.extra.msgid);
            else if (m.cmd !== null && m.text !== '') this.#onMessage(m.cmd, m.from, m.fromUser, m.target, m.text, m.extra);
          } else if (b?.lines) {
            this.#endHistory(b);
          } else if (b && /search/i.test(b.type)) {
            if (this.opts.searchLines !== false) {
              this.info(this.#searchBuffer ?? this.active, b.count === 0 ? 'Search: no results' : `Search: ${b.count} ${b.count === 1 ? 'result' : 'results'}`);
            }
            const results = (this.#searchItems ?? []).sort((x, y) => y.time.getTime() - x.time.getTime());
            this.#searchItems = null;
            this.searchResults = { query: this.searchResults?.query ?? '', pending: false, results };
            this.emit('change');
          }
        }
        return;
      }
      case N.RPL_WELCOME: {
        // (the connection took the nick and the state from it)
        this.serverName = msg.source;
        this.info(this.server, `Connected to ${this.label} as ${this.nick}`);
        for (const b of this.buffers) {
          if (b.kind === 'channel' && b.joined) {
            b.joined = false;
            this.send('JOIN', b.name);
          }
        }
        if (this.away) this.send('AWAY', 'away');
        this.#flushOutbox();
        return;
      }
      case N.RPL_ISUPPORT:
        applyISupport(this.isupport, p.slice(1, -1));
        this.emit('change');
        return;
      case N.RPL_ENDOFMOTD:
      case N.ERR_NOMOTD:
        // private conversations: what was said while we were away (ISUPPORT is known by now)
        if (this.state === 'connected') for (const b of this.buffers) if (b.kind === 'query' && b.historySeen) this.#catchUp(b);
        break;
      case 'ERROR':
        this.info(this.server, `Server closed the connection: ${p[0] ?? ''}`, 'error');
        return;
      case 'JOIN': {
        const chan = p[0] ?? '';
        const b = this.buffer(chan);
        if (this.isMe(from)) {
          b.joined = true;
          b.members.clear();
          this.#noTyping.delete(this.fold(chan));
          if (this.#focusOnJoin.delete(this.fold(chan))) this.setActive(b);
          // with its msgid, so the same JOIN replayed from history is not shown twice
          this.addLine(b, 'join', `You joined ${chan}`, {
            ...(extra.msgid !== undefined ? { msgid: extra.msgid } : {}),
            ...(extra.time !== undefined ? { time: extra.time } : {}),
          });
          this.#catchUp(b);
          if (this.opts.whoOnJoin && this.send('WHO', chan)) this.#silentWho.add(this.fold(chan));
        } else {
          b.members.set(this.fold(from), { nick: from, prefix: '', away: false });
          this.addLine(b, 'join', `${from} joined ${chan}`, { ...extra, nick: from });
        }
        this.emit('change');
        return;
      }
      case 'PART': {
        const chan = p[0] ?? '';
        const b = this.find(chan);
        if (!b) return;
        if (this.isMe(from)) {
          b.joined = false;
          b.members.clear();
          this.info(b, `You left ${chan}`, 'part');
        } else {
          b.members.delete(this.fold(from));
          this.addLine(b, 'part', `${from} left ${chan}${p[1] ? ` (${p[1]})` : ''}`, { ...extra, nick: from });
        }
        this.emit('change');
        return;
      }
      case 'KICK': {
        const chan = p[0] ?? '';
        const who = p[1] ?? '';
        const b = this.find(chan);
        if (!b) return;
        b.members.delete(this.fold(who));
        if (this.isMe(who)) b.joined = false;
        this.addLine(b, 'kick', `${this.isMe(who) ? 'You were' : `${who} was`} kicked from ${chan} by ${from}${p[2] ? ` (${p[2]})` : ''}`, { ...extra, nick: who });
        return;
      }
      case 'QUIT': {
        const f = this.fold(from);
        for (const b of this.buffers) {
          if (b.members.delete(f) || (b.kind === 'query' && this.fold(b.name) === f)) {
            this.addLine(b, 'quit', `${from} quit${p[0] ? ` (${p[0]})` : ''}`, { ...extra, nick: from });
          }
        }
        return;
      }
      case 'NICK': {
        const to = p[0] ?? '';
        const me = this.isMe(from);
        if (me) {
          this.nick = to;
          this.wantedNick = to;
          this.emit('nick', to);
        }
        const f = this.fold(from);
        for (const b of this.buffers) {
          const m = b.members.get(f);
          const isQuery = b.kind === 'query' && this.fold(b.name) === f;
          if (m) {
            b.members.delete(f);
            b.members.set(this.fold(to), { ...m, nick: to });
          }
          if (isQuery) b.name = to;
          if (m || isQuery || (me && b === this.server)) this.addLine(b, 'nick', me ? `You are now known as ${to}` : `${from} is now known as ${to}`, { ...extra, nick: to });
        }
        return;
      }
      case 'TOPIC': {
        const b = this.buffer(p[0] ?? '');
        b.topic = p[1] ?? '';
        this.addLine(b, 'topic', `${from} set the topic: ${b.topic}`, { ...extra, nick: from });
        return;
      }
      case N.RPL_TOPIC: {
        const b = this.buffer(p[1] ?? '');
        b.topic = p[2] ?? '';
        this.info(b, `Topic: ${b.topic}`, 'topic');
        return;
      }
      case N.RPL_MYINFO:
        this.serverVersion = p[2] ?? '';
        return;
      case N.RPL_NOTOPIC:
      case N.RPL_TOPICWHOTIME:
      case N.RPL_CREATIONTIME:
        return;
      case N.RPL_NAMREPLY: {
        const chan = p[2] ?? '';
        const key = this.fold(chan);
        let acc = this.#names.get(key);
        if (!acc) this.#names.set(key, (acc = new Map()));
        for (const entry of (p[3] ?? '').split(' ')) {
          if (!entry) continue;
          let i = 0;
          while (i < entry.length && this.isupport.prefixChars.includes(entry[i] as string)) i++;
          const nick = entry.slice(i).split('!')[0] ?? '';
          acc.set(this.fold(nick), { nick, prefix: entry.slice(0, i) });
        }
        return;
      }
      case N.RPL_ENDOFNAMES: {
        const chan = p[1] ?? '';
        const acc = this.#names.get(this.fold(chan));
        this.#names.delete(this.fold(chan));
        const b = this.find(chan);
        if (b && acc) {
          b.members = acc;
          const list = b.nicks().map((n) => (acc.get(this.fold(n))?.prefix ?? '') + n);
          this.info(b, `${list.length} ${list.length === 1 ? 'person' : 'people'} here: ${list.join(' ')}`);
        }
        return;
      }
      case 'MODE': {
        const target = p[0] ?? '';
        if (!this.isChannel(target)) {
          if (this.isMe(target)) this.info(this.server, `Your modes: ${p.slice(1).join(' ')}`, 'mode');
          return;
        }
        const b = this.buffer(target);
        applyPrefixModes(this.isupport, b.members, (x) => this.fold(x), p[1] ?? '', p.slice(2));
        this.addLine(b, 'mode', `${from} sets mode ${p.slice(1).join(' ')}`, { ...extra, nick: from });
        return;
      }
      case 'PRIVMSG':
      case 'NOTICE':
        this.#onMessage(msg.command, from, bang >= 0 || this.isMe(from), p[0] ?? '', p[1] ?? '', extra);
        return;
      case 'TAGMSG':
        if (msg.tags !== null) this.#onTagmsg(from, p[0] ?? '', msg.tags, history);
        return;
      case 'REDACT':
        this.#onRedact(from, p[0] ?? '', p[1] ?? '');
        return;
      case 'INVITE':
        if (this.ignores(from)) return;
        this.info(this.active, `${from} invites you to ${p[1] ?? ''} (type /join ${p[1] ?? ''})`);
        return;
      case 'AWAY': {
        // away-notify: someone went away (a reason) or came back (none)
        const f = this.fold(from);
        for (const b of this.buffers) {
          const m = b.members.get(f);
          if (m) m.away = p.length > 0 && p[0] !== '';
        }
        this.emit('change');
        return;
      }
      case N.RPL_WHOREPLY: {
        // <me> <channel> <user> <host> <server> <nick> <flags> :<hops> <realname>
        const m = this.find(p[1] ?? '')?.members.get(this.fold(p[5] ?? ''));
        if (m) m.away = (p[6] ?? '').startsWith('G');
        if (this.#silentWho.has(this.fold(p[1] ?? ''))) return this.emit('change');
        break;
      }
      case N.RPL_ENDOFWHO:
        if (this.#silentWho.delete(this.fold(p[1] ?? ''))) return this.emit('change');
        break;
      case 'ACCOUNT':
      case 'CHGHOST':
      case 'SETNAME':
      case 'PONG':
        return;
      case N.RPL_NOWAWAY:
        this.away = true;
        this.info(this.active, 'You are now marked as away');
        return;
      case N.RPL_UNAWAY:
        this.away = false;
        this.info(this.active, 'You are no longer marked as away');
        return;
      case 'FAIL':
      case 'WARN':
      case 'NOTE': {
        const text = p[p.length - 1] ?? '';
        const verb = p[0] ?? '';
        if (msg.command === 'FAIL' && verb === 'CHATHISTORY') {
          // FAIL CHATHISTORY <code> <target|*> ...: that request is answered
          const target = p.length > 3 ? p[2] ?? '' : '';
          const b = target !== '' ? this.find(target) : undefined;
          if (b && this.#historyAsked.take(this.fold(b.name)) !== null) b.historyLoading = Math.max(0, b.historyLoading - 1);
        }
        if (msg.command === 'FAIL' && verb === 'SEARCH' && this.searchResults !== null) this.searchResults.pending = false;
        const line = verb === 'CHATHISTORY' || verb === 'SEARCH' ? `${verb.toLowerCase()}: ${text}` : text;
        this.info(this.active, line, msg.command === 'NOTE' ? 'info' : 'error');
        return;
      }
    }

    if ((msg.command === N.ERR_NOSUCHNICK || msg.command === N.ERR_CANNOTSENDTOCHAN) && p[1] !== undefined && this.#noTyping.size < 100) this.#noTyping.add(this.fold(p[1]));
    if (/^\d{3}$/.test(msg.command)) {
      const text = numericText(msg.command, p);
      if (text === null) return;
      const code = Number(msg.command);
      const toServer = code < 200 || (code >= 250 && code <= 266) || (code >= 370 && code <= 376) || code === 422;
      this.info(toServer ? this.server : this.active, text, code >= 400 ? 'error' : 'info');
      return;
    }
    // something we do not know: shown as readable text, not hidden
    this.info(this.server, `${from ? from + ' ' : ''}${msg.command} ${p.join(' ')}`.trim());
  }

  /** A replayed JOIN/PART/QUIT/...: a line in the buffer it happened in, no state change. */
  #historyEvent(cmd: string, from: string, p: readonly string[], extra: Partial<ChatLine>): void {
    const e = replayedEvent(cmd, from, p, (n) => this.isChannel(n));
    // QUIT and NICK name no channel: the batch's target is where it was seen
    const where = e === null ? null : (e.channel ?? this.#collect?.params[0] ?? null);
    if (e !== null && where) this.addLine(this.buffer(where), e.kind, e.text, { ...extra, nick: e.nick });
  }

  #onMessage(cmd: 'PRIVMSG' | 'NOTICE', from: string, fromUser: boolean, target: string, text: string, extra: Partial<ChatLine>): void {
    // ignored: not shown, not answered (CTCP), not a mention; replayed history included
    if (fromUser && this.ignores(from) && !this.isMe(from)) return;
    let action = false;
    if (text.startsWith('\x01')) {
      const body = text.slice(1).replace(/\x01$/, '');
      const sp = body.indexOf(' ');
      const verb = (sp < 0 ? body : body.slice(0, sp)).toUpperCase();
      const rest = sp < 0 ? '' : body.slice(sp + 1);
      if (verb === 'ACTION') {
        action = true;
        text = rest;
      } else {
        if (cmd === 'PRIVMSG' && !extra.history && !this.isMe(from)) {
          if (verb === 'VERSION') this.send('NOTICE', from, '\x01VERSION tincan chat\x01');
          else if (verb === 'PING') this.send('NOTICE', from, text);
        }
        return;
      }
    }
    const self = this.isMe(from);
    let targetName = target;
    while (targetName.length > 1 && this.isupport.statusmsg.includes(targetName[0] as string)) targetName = targetName.slice(1);
    let b: ChatBuffer;
    if (this.isChannel(targetName)) b = this.buffer(targetName);
    else if (cmd === 'NOTICE' && (!fromUser || this.state !== 'connected')) b = this.server;
    else if (cmd === 'NOTICE' && !this.find(self ? targetName : from)) b = this.active;
    else b = this.buffer(self ? targetName : from);
    const mention = !self && (mentions(text, this.nick, (s) => this.fold(s)) || (b.kind === 'query' && cmd === 'PRIVMSG'));
    // they sent what they were typing
    if (!extra.history && b.typing.delete(this.fold(from))) this.emit('change');
    if (!self && !extra.history) this.#noTyping.delete(this.fold(from));
    const parent = extra.replyTo !== undefined ? this.#parentIn(b, extra.replyTo) : undefined;
    if (parent !== undefined) extra = { ...extra, parent: quoteOf(parent) };
    this.addLine(b, action ? 'action' : cmd === 'NOTICE' ? 'notice' : 'message', text, { ...extra, nick: from, self, mention });
  }
}
