/**
 * Text helpers for the web client: IRC formatting removal, link detection, nick colours
 * and time labels. Pure functions (no DOM), unit-tested in test/unit/web/.
 */

/** Removes mIRC formatting: bold, colour (with up to two numbers), reset, reverse, etc. */
export function stripFormatting(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x03) {
      // \x03[fg[,bg]]: each one or two digits
      let j = i + 1;
      let n = 0;
      while (n < 2 && j < s.length && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x39) (j++, n++);
      if (n > 0 && s[j] === ',' && j + 1 < s.length && /[0-9]/.test(s[j + 1]!)) {
        j++;
        n = 0;
        while (n < 2 && j < s.length && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x39) (j++, n++);
      }
      i = j - 1;
      continue;
    }
    if (c === 0x04) {
      // hex colour: \x04RRGGBB[,RRGGBB]
      let j = i + 1;
      if (/^[0-9a-fA-F]{6}/.test(s.slice(j, j + 6))) j += 6;
      if (s[j] === ',' && /^[0-9a-fA-F]{6}/.test(s.slice(j + 1, j + 7))) j += 7;
      i = j - 1;
      continue;
    }
    if (c === 0x02 || c === 0x0f || c === 0x11 || c === 0x16 || c === 0x1d || c === 0x1e || c === 0x1f) continue;
    out += s[i];
  }
  return out;
}

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

/** True when `text` mentions `nick` as a whole word (case-insensitive). */
export function mentions(text: string, nick: string, fold: (s: string) => string): boolean {
  if (nick === '') return false;
  const t = fold(text);
  const n = fold(nick);
  let i = t.indexOf(n);
  while (i !== -1) {
    const before = i === 0 ? '' : t[i - 1]!;
    const after = t[i + n.length] ?? '';
    if (!/[\p{L}\p{N}_\-\[\]\\`^{}|]/u.test(before) && !/[\p{L}\p{N}_\-\[\]\\`^{}|]/u.test(after)) return true;
    i = t.indexOf(n, i + 1);
  }
  return false;
}
