/**
 * IRCv3 client tags the clients use: `+typing` (who is typing where), `+draft/reply`
 * (a message answers another, by msgid) and `+draft/react` / `+draft/unreact` (an emoji
 * on a message, sent as TAGMSG with +draft/reply naming the message). Pure state and
 * rules, no I/O: irc-client.ts sends and receives, the views draw.
 *
 * Everything a remote peer can grow is bounded here: typing entries per window,
 * distinct reactions per message and reactors per reaction, the reaction text, the
 * quoted parent, and how far back a msgid is looked for.
 * Specs: https://ircv3.net/specs/client-tags/typing, .../reply, .../react
 */
import { utf8Length } from '../../protocol/index.js';
import type { ChatBuffer, ChatLine } from './buffer.js';

/** typing spec: "active" at most every 3 s while typing... */
export const TYPING_SEND_EVERY_MS = 3000;
/** ...a receiver drops "active" after 6 s without another one... */
export const TYPING_ACTIVE_TTL_MS = 6000;
/** ...and "paused" after 30 s. */
export const TYPING_PAUSED_TTL_MS = 30000;
/** After this long without a keystroke (text still in the box) we say "paused". */
export const TYPING_PAUSE_AFTER_MS = 5000;
/** People shown typing in one window at most (a crowd is "several people"). */
export const MAX_TYPING_PER_BUFFER = 20;
/** Distinct reactions kept per message; more are ignored. */
export const MAX_REACTIONS_PER_LINE = 20;
/** People counted per reaction; more are ignored. */
export const MAX_REACTORS = 200;
/** A reaction longer than this (UTF-8 bytes) is not a reaction: ignored. */
export const MAX_REACTION_BYTES = 64;
/** Characters of the parent a reply quotes. */
export const MAX_QUOTE_CHARS = 200;
/** Lines searched back for a msgid (a buffer holds at most this many anyway). */
export const MAX_LOOKBACK = 2000;

/** The emoji the pickers offer. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🎉'] as const;

export type TypingState = 'active' | 'paused' | 'done';

export interface Typist {
  nick: string;
  state: 'active' | 'paused';
  /** when the entry expires (ms since the epoch) */
  until: number;
}

export interface Reaction {
  emoji: string;
  /** who reacted, as they were called then (folded comparison) */
  nicks: string[];
}

/** A reply's parent as it was when the reply came. */
export interface Quote {
  nick: string;
  text: string;
}

/** The `+typing` value, or null when it is not one of the three. */
export function typingState(v: string | undefined): TypingState | null {
  return v === 'active' || v === 'paused' || v === 'done' ? v : null;
}

/**
 * CLIENTTAGDENY (message-tags spec): a comma list where `*` denies every client tag,
 * `name` denies one, `-name` exempts one from `*`. Tag names without the `+`.
 */
export function clientTagAllowed(deny: readonly string[], tag: string): boolean {
  const name = tag.startsWith('+') ? tag.slice(1) : tag;
  let all = false;
  for (const d of deny) {
    if (d === '*') all = true;
    else if (d === name) return false;
  }
  return !all || deny.includes('-' + name);
}

/** A reaction as received: trimmed, no control characters, not too long; null when not acceptable. */
export function cleanReaction(v: string | undefined): string | null {
  if (v === undefined) return null;
  const t = v.trim();
  // eslint-disable-next-line no-control-regex
  if (t === '' || utf8Length(t) > MAX_REACTION_BYTES || /[\x00-\x1f\x7f]/.test(t)) return null;
  return t;
}

/** The newest line of `b` with this msgid (bounded look-back); `more` too (a history batch not placed yet). */
export function findByMsgid(b: ChatBuffer, msgid: string, more: readonly ChatLine[] = []): ChatLine | undefined {
  for (let i = more.length - 1; i >= 0; i--) if (more[i]!.msgid === msgid) return more[i];
  const stop = Math.max(0, b.lines.length - MAX_LOOKBACK);
  for (let i = b.lines.length - 1; i >= stop; i--) if (b.lines[i]!.msgid === msgid) return b.lines[i];
  return undefined;
}

/** What a reply shows of its parent. */
export function quoteOf(l: ChatLine): Quote {
  const flat = l.text.replace(/\s*\n\s*/g, ' ');
  return { nick: l.nick ?? '', text: flat.length > MAX_QUOTE_CHARS ? flat.slice(0, MAX_QUOTE_CHARS - 1) + '…' : flat };
}

/**
 * Adds (or with `add` false removes) `nick`'s `emoji` on `line`. False when nothing
 * changed (already there, not there, or a bound reached).
 */
export function applyReaction(line: ChatLine, nick: string, emoji: string, add: boolean, fold: (s: string) => string): boolean {
  const list = (line.reactions ??= []);
  const f = fold(nick);
  let r = list.find((x) => x.emoji === emoji);
  if (!add) {
    if (r === undefined) return false;
    const i = r.nicks.findIndex((n) => fold(n) === f);
    if (i < 0) return false;
    r.nicks.splice(i, 1);
    if (r.nicks.length === 0) list.splice(list.indexOf(r), 1);
    return true;
  }
  if (r === undefined) {
    if (list.length >= MAX_REACTIONS_PER_LINE) return false;
    r = { emoji, nicks: [] };
    list.push(r);
  }
  if (r.nicks.length >= MAX_REACTORS || r.nicks.some((n) => fold(n) === f)) return false;
  r.nicks.push(nick);
  return true;
}

/** Did `nick` give this reaction? */
export function reacted(line: ChatLine, nick: string, emoji: string, fold: (s: string) => string): boolean {
  const f = fold(nick);
  return line.reactions?.find((r) => r.emoji === emoji)?.nicks.some((n) => fold(n) === f) ?? false;
}

/**
 * Who is typing in one window. Entries expire (6 s active, 30 s paused); the client
 * sweeps them with one timer for the soonest.
 */
export class TypingList {
  readonly #m = new Map<string, Typist>();

  /** Applies a received `+typing`; true when what is shown changed. */
  set(folded: string, nick: string, state: TypingState, now: number): boolean {
    if (state === 'done') return this.#m.delete(folded);
    const had = this.#m.get(folded);
    if (had === undefined && this.#m.size >= MAX_TYPING_PER_BUFFER) return false;
    this.#m.set(folded, { nick, state, until: now + (state === 'active' ? TYPING_ACTIVE_TTL_MS : TYPING_PAUSED_TTL_MS) });
    return had === undefined || had.state !== state || had.nick !== nick;
  }

  delete(folded: string): boolean {
    return this.#m.delete(folded);
  }

  clear(): boolean {
    const had = this.#m.size > 0;
    this.#m.clear();
    return had;
  }

  /** Drops expired entries; true when some went. */
  sweep(now: number): boolean {
    let gone = false;
    for (const [k, t] of this.#m) {
      if (t.until <= now) {
        this.#m.delete(k);
        gone = true;
      }
    }
    return gone;
  }

  /** The soonest expiry, or null when nobody is listed. */
  next(): number | null {
    let n: number | null = null;
    for (const t of this.#m.values()) if (n === null || t.until < n) n = t.until;
    return n;
  }

  /** Those typing now ("active" first), in arrival order. */
  list(): Typist[] {
    const all = [...this.#m.values()];
    return [...all.filter((t) => t.state === 'active'), ...all.filter((t) => t.state === 'paused')];
  }

  get size(): number {
    return this.#m.size;
  }
}

/** "ana is typing…", "ana and bo are typing…", "ana, bo and 3 others are typing…"; '' for nobody. */
export function typingText(list: readonly Typist[]): string {
  const active = list.filter((t) => t.state === 'active').map((t) => t.nick);
  if (active.length === 0) return '';
  if (active.length === 1) return `${active[0]} is typing…`;
  if (active.length === 2) return `${active[0]} and ${active[1]} are typing…`;
  return `${active[0]}, ${active[1]} and ${active.length - 2} ${active.length === 3 ? 'other' : 'others'} are typing…`;
}

/**
 * Our own typing notifications, per target: "active" at most every 3 s while the text
 * changes, "paused" after 5 s without a keystroke, "done" when the box is emptied or
 * the message sent. Remembers only the targets with something pending (bounded).
 */
export class TypingSender {
  readonly #t = new Map<string, { last: TypingState; at: number; pause: ReturnType<typeof setTimeout> | null }>();

  constructor(
    /** sends `+typing=state` to target; false when it could not */
    readonly send: (target: string, state: TypingState) => boolean,
    readonly now: () => number,
  ) {}

  /** The text in the box for `target` changed. */
  input(target: string, text: string): void {
    // a command is not a message being typed (but /me and /reply are)
    const commandOrEmpty = text.trim() === '' || (text.startsWith('/') && !text.startsWith('//') && !/^\/(me|reply|re)\s/i.test(text));
    if (commandOrEmpty) return this.done(target);
    let s = this.#t.get(target);
    const now = this.now();
    if (s === undefined) {
      if (this.#t.size >= 20) this.#forgetOldest();
      s = { last: 'done', at: 0, pause: null };
      this.#t.set(target, s);
    }
    if (s.last !== 'active' || now - s.at >= TYPING_SEND_EVERY_MS) {
      if (this.send(target, 'active')) {
        s.last = 'active';
        s.at = now;
      }
    }
    if (s.pause !== null) clearTimeout(s.pause);
    const st = s;
    st.pause = setTimeout(() => {
      st.pause = null;
      if (st.last === 'active' && this.send(target, 'paused')) st.last = 'paused';
    }, TYPING_PAUSE_AFTER_MS);
    (st.pause as { unref?: () => void }).unref?.();
  }

  /** The message was sent or the box emptied: "done" if we said anything. */
  done(target: string): void {
    const s = this.#t.get(target);
    if (s === undefined) return;
    if (s.pause !== null) clearTimeout(s.pause);
    this.#t.delete(target);
    if (s.last !== 'done') this.send(target, 'done');
  }

  /** The connection went: nothing to send, every timer cleared. */
  reset(): void {
    for (const s of this.#t.values()) if (s.pause !== null) clearTimeout(s.pause);
    this.#t.clear();
  }

  get pending(): number {
    return this.#t.size;
  }

  #forgetOldest(): void {
    const first = this.#t.keys().next();
    if (!first.done) this.done(first.value);
  }
}

/** Messages `/reply N` and `/react N` count back over (1: the latest). */
export const MAX_PICK = 100;

/**
 * The message `ref` names in `b` for /reply and /react: a number N is the N-th latest
 * message there (1: the latest), a nick that person's latest. Only messages with a
 * msgid count (nothing else can be answered); at most {@link MAX_PICK} back.
 */
export function pickMessage(b: ChatBuffer, ref: string, fold: (s: string) => string): ChatLine | undefined {
  const n = /^\d{1,3}$/.test(ref) ? Number(ref) : null;
  if (n !== null && (n < 1 || n > MAX_PICK)) return undefined;
  const who = n === null ? fold(ref) : null;
  let seen = 0;
  const stop = Math.max(0, b.lines.length - MAX_LOOKBACK);
  for (let i = b.lines.length - 1; i >= stop; i--) {
    const l = b.lines[i]!;
    if (l.msgid === undefined || (l.kind !== 'message' && l.kind !== 'action' && l.kind !== 'notice')) continue;
    if (who !== null) {
      if (fold(l.nick ?? '') === who) return l;
      continue;
    }
    if (++seen === n) return l;
  }
  return undefined;
}
