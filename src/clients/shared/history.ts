/**
 * Client-side CHATHISTORY (https://ircv3.net/specs/extensions/chathistory): which
 * request each answer belongs to (answers come back in order per target), the
 * references to page from, where a finished batch's lines go, and replayed events as
 * lines. No I/O; the client model (irc-client.ts) sends and receives.
 */
import { lineId, type ChatBuffer, type ChatLine, type LineKind } from './buffer.js';

/**
 * - explicit: the user typed /history (shown again at the bottom, even lines on screen)
 * - join: loaded on joining, or catching up after a reconnect (merged by time, with a marker)
 * - older: a page before the oldest line here (scrollback; put in front as a block)
 */
export type HistoryKind = 'explicit' | 'join' | 'older';

/** Most unanswered requests kept per target (a user scrolling fast cannot grow it). */
const MAX_ASKED = 100;

export interface HistoryRequest {
  kind: HistoryKind;
  /** lines asked for: an answer with fewer means nothing more is there */
  limit: number;
}

/** Requests sent, per folded target, oldest first. */
export class HistoryRequests {
  readonly #asked = new Map<string, HistoryRequest[]>();

  push(key: string, req: HistoryRequest): void {
    const q = this.#asked.get(key) ?? [];
    if (q.length >= MAX_ASKED) q.shift();
    q.push(req);
    this.#asked.set(key, q);
  }

  /** The request an answer (a batch, or a FAIL) for `key` answers; null when none was asked. */
  take(key: string): HistoryRequest | null {
    const q = this.#asked.get(key);
    const r = q?.shift();
    if (q !== undefined && q.length === 0) this.#asked.delete(key);
    return r ?? null;
  }

  clear(): void {
    this.#asked.clear();
  }
}

/** A line that is a position in the server's history (not a local note such as "You joined #a"). */
export function isHistoryLine(l: ChatLine): boolean {
  return l.kind !== 'info' && l.kind !== 'error' && !l.pending && l.nick !== undefined;
}

/** The reference to ask for what came before the oldest line here (msgid: exact even when many share a millisecond). */
export function olderRef(b: ChatBuffer): string | null {
  const first = b.lines.find(isHistoryLine);
  if (first === undefined) return null;
  return first.msgid !== undefined ? `msgid=${first.msgid}` : `timestamp=${first.time.toISOString()}`;
}

/**
 * The reference to catch up from: the newest line here, as a timestamp (it survives a
 * server restart, msgids may not; the overlap is removed by msgid).
 */
export function catchUpRef(b: ChatBuffer): string | null {
  for (let i = b.lines.length - 1; i >= 0; i--) {
    const l = b.lines[i]!;
    if (isHistoryLine(l)) return `timestamp=${l.time.toISOString()}`;
  }
  return null;
}

/** A chathistory batch as the model collected it. */
export interface HistoryBatch {
  /** messages in it (a page shorter than its request's limit is the last) */
  count: number;
  lines?: { b: ChatBuffer; line: ChatLine }[];
  kind?: HistoryKind;
  limit?: number;
}

/** What endHistory needs from the model. */
export interface HistoryHost {
  buffer(name: string): ChatBuffer;
  /** a line was put in a buffer: counters and events */
  added(b: ChatBuffer, line: ChatLine): void;
  info(b: ChatBuffer, text: string): void;
  changed(): void;
  now(): Date;
}

function marker(k: number, time: Date, history: boolean): ChatLine {
  return {
    id: lineId(),
    time,
    kind: 'info',
    text: `--- ${k} earlier ${k === 1 ? 'message' : 'messages'} from history ---`,
    self: false,
    mention: false,
    history,
    marker: true,
  };
}

/**
 * The end of a chathistory batch for `buf`. What /history asked for is shown again at
 * the bottom, after a marker, so the answer is always visible. An older page
 * (scrollback) goes in front as a block. Lines loaded on join or on a catch-up go in
 * time order, after a marker, skipping ones already here (by msgid).
 */
export function endHistory(host: HistoryHost, buf: ChatBuffer, b: HistoryBatch): void {
  buf.historyLoading = Math.max(0, buf.historyLoading - 1);
  const lines = b.lines ?? [];
  if (lines.length > 0) buf.historySeen = true;
  // a page before everything here that came back shorter than asked: nothing older is left
  const fromStart = b.kind === 'older' || (b.kind === 'join' && !buf.lines.some(isHistoryLine));
  if (fromStart && b.limit !== undefined && b.count < b.limit) buf.historyComplete = true;
  if (b.kind === 'explicit') {
    if (lines.length === 0) return host.info(buf, `No earlier messages in history for ${buf.name}`);
    const m = marker(lines.length, host.now(), false);
    buf.append(m);
    host.added(buf, m);
    for (const { b: where, line } of lines) {
      where.append(line);
      host.added(where, line);
    }
    return;
  }
  if (b.kind === 'older') {
    buf.prepend(lines.filter((l) => l.b === buf).map((l) => l.line));
    return host.changed();
  }
  const seen = new Set(buf.lines.map((l) => l.msgid).filter((id) => id !== undefined));
  const fresh = lines.filter((l) => l.line.msgid === undefined || l.b !== buf || !seen.has(l.line.msgid));
  if (fresh.length === 0) return host.changed();
  const first = fresh.reduce((t, l) => Math.min(t, l.line.time.getTime()), Infinity);
  // placed by time like the lines, and before them (add() puts equal times after)
  const m = marker(fresh.length, new Date(first), true);
  buf.add(m);
  host.added(buf, m);
  for (const { b: where, line } of fresh) if (where.add(line)) host.added(where, line);
}

/**
 * A replayed JOIN/PART/QUIT/... (draft/event-playback) as a line: its text, kind, who it
 * is about, and the channel it names (none for QUIT and NICK: the batch's target).
 * Null for what is not shown (a user MODE).
 */
export function replayedEvent(
  cmd: string,
  from: string,
  p: readonly string[],
  isChannel: (name: string) => boolean,
): { kind: LineKind; text: string; nick: string; channel: string | null } | null {
  const why = (s: string | undefined): string => (s ? ` (${s})` : '');
  const chan = p[0] ?? '';
  switch (cmd) {
    case 'JOIN':
      return { kind: 'join', text: `${from} joined ${chan}`, nick: from, channel: chan };
    case 'PART':
      return { kind: 'part', text: `${from} left ${chan}${why(p[1])}`, nick: from, channel: chan };
    case 'QUIT':
      return { kind: 'quit', text: `${from} quit${why(p[0])}`, nick: from, channel: null };
    case 'KICK':
      return { kind: 'kick', text: `${p[1] ?? ''} was kicked from ${chan} by ${from}${why(p[2])}`, nick: p[1] ?? '', channel: chan };
    case 'NICK':
      return { kind: 'nick', text: `${from} is now known as ${p[0] ?? ''}`, nick: p[0] ?? '', channel: null };
    case 'TOPIC':
      return { kind: 'topic', text: `${from} set the topic: ${p[1] ?? ''}`, nick: from, channel: chan };
    case 'MODE':
      return isChannel(chan) ? { kind: 'mode', text: `${from} sets mode ${p.slice(1).join(' ')}`, nick: from, channel: chan } : null;
  }
  return null;
}
