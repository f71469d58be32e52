/**
 * Text helpers for the web client: link detection, nick colours, time labels, runs of
 * replayed events (formatting, controls and mentions: src/text/). Pure functions (no
 * DOM), unit-tested in test/unit/web/.
 */
export { displaySegments, type DisplaySegment } from '../../text/format.js';

export type Segment = { text: string; href?: string };

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;

/** Splits text into plain and link segments. Only http(s) links become clickable. */
export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0];
    // trailing punctuation is usually the sentence's, and a ')' only if unbalanced
    while (/[.,;:!?'\]]$/.test(url) || (url.endsWith(')') && count(url, '(') < count(url, ')'))) {
      url = url.slice(0, -1);
    }
    const start = m.index;
    if (start > last) out.push({ text: text.slice(last, start) });
    out.push({ text: url, href: url.toLowerCase().startsWith('www.') ? 'http://' + url : url });
    last = start + url.length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

/** Number of distinct nick colour classes in styles.css (.n0 ... .n15). */
export const NICK_COLOURS = 16;

/** A well-mixed 32-bit hash of a nick, case-insensitive (FNV-1a, then murmur3's finalizer: short, similar nicks spread). */
export function nickHash(nick: string): number {
  let h = 2166136261;
  const s = nick.toLowerCase();
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The colour class a nick has on its own (the same everywhere). */
export function nickColourClass(nick: string): string {
  return 'n' + (nickHash(nick) % NICK_COLOURS);
}

/**
 * Colours for the people of one room: each keeps its own colour unless someone before
 * it (alphabetically) has it, then takes the next free one, so up to NICK_COLOURS
 * people never share a colour. Keyed by lower-cased nick.
 */
export function roomColours(nicks: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<number>();
  const sorted = [...new Set(nicks.map((n) => n.toLowerCase()))].sort();
  for (const n of sorted) {
    let c = nickHash(n) % NICK_COLOURS;
    if (used.size < NICK_COLOURS) while (used.has(c)) c = (c + 1) % NICK_COLOURS;
    used.add(c);
    out.set(n, 'n' + c);
  }
  return out;
}

function pad(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** "14:05" for today, "Mon 14:05" within a week, "2024-03-01 14:05" otherwise. */
export function timeLabel(t: number, now: number = Date.now()): string {
  const d = new Date(t);
  const hm = pad(d.getHours()) + ':' + pad(d.getMinutes());
  const today = new Date(now);
  if (d.toDateString() === today.toDateString()) return hm;
  if (now - t < 6 * 86_400_000 && now >= t) {
    return ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getDay()] + ' ' + hm;
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
}

/**
 * Replayed joins, parts, quits and nick changes (draft/event-playback) in runs of at
 * least `min` become one entry, so history reads as the conversation. Live events stay
 * as they are.
 */
export function collapseEvents<L extends { kind: string; history: boolean }>(lines: readonly L[], min = 3): Array<L | { run: L[] }> {
  const out: Array<L | { run: L[] }> = [];
  let run: L[] = [];
  const flush = (): void => {
    if (run.length >= min) out.push({ run });
    else out.push(...run);
    run = [];
  };
  for (const l of lines) {
    if (l.history && EVENT_KINDS.has(l.kind)) run.push(l);
    else {
      flush();
      out.push(l);
    }
  }
  flush();
  return out;
}

const EVENT_KINDS = new Set(['join', 'part', 'quit', 'kick', 'nick']);
