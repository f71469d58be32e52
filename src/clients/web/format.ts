/**
 * Text helpers for the web client: link detection, nick colours and time labels
 * (formatting and mentions: src/text/). Pure functions (no DOM), unit-tested in test/unit/web/.
 */

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

/** A stable hue (0-359) for a nick, so each person keeps their colour everywhere. */
export function nickHue(nick: string): number {
  let h = 2166136261;
  for (let i = 0; i < nick.length; i++) {
    h ^= nick.toLowerCase().charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % 360;
}

/** Number of distinct nick colour classes in styles.css (.n0 ... .n11). */
export const NICK_COLOURS = 12;

export function nickColourClass(nick: string): string {
  return 'n' + (Math.floor(nickHue(nick) / 30) % NICK_COLOURS);
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
