/**
 * Client-side bookkeeping for CHATHISTORY (https://ircv3.net/specs/extensions/chathistory):
 * which request each answer belongs to (answers come back in order per target), and
 * the references to page from. Pure, no I/O; the client model (irc-client.ts) sends.
 */
import type { ChatBuffer, ChatLine } from './buffer.js';

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
