/**
 * Text helpers of the plain dialect: what makes network text safe on a bare terminal
 * (formatting, control, bidi and line-separator characters stripped), what cleans typed
 * input, `[HH:MM]` stamps, 80-column rows with indented continuations, and the splitter
 * for long typed lines. Pure functions, no state but the one-entry cleanText memo.
 */
import { utf8Length } from '../../protocol/index.js';
// pure column arithmetic (string-width per grapheme), shared with the terminal client
import { wrap } from '../../clients/tui/width.js';

// eslint-disable-next-line no-control-regex
const IRC_FORMATTING = /\x03(?:\d{1,2}(?:,\d{1,2})?)?|\x04(?:[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;
/**
 * Invisible characters that change what a line looks like: line/paragraph separators
 * (some terminals break there) and bidi controls (can reorder `<alice>` into view).
 * ZWJ/ZWNJ stay: emoji and scripts need them.
 */
const INVISIBLE = /[\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]/g;

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
  cleanOut = s.replace(IRC_FORMATTING, '').replace(CONTROL, '').replace(INVISIBLE, '').replace(/\t/g, ' ');
  return cleanOut;
}

/** Cleans what a plain user typed: control characters out, tabs to spaces, trailing blanks off. */
export function cleanInput(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\t/g, ' ').replace(/[\x00-\x1f\x7f]/g, '').replace(/^\uFEFF/, '').trimEnd();
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `[HH:MM]` (local time), with the date in front when `d` is not on the day of `now`. */
export function stamp(d: Date, now: Date = d): string {
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  const ymd = (x: Date): string => `${x.getFullYear()}-${pad2(x.getMonth() + 1)}-${pad2(x.getDate())}`;
  return ymd(d) === ymd(now) ? `[${hm}]` : `[${ymd(d)} ${hm}]`;
}

/** Splits text into pieces of at most `max` UTF-8 bytes, at spaces where possible. */
export function splitText(text: string, max: number): string[] {
  if (utf8Length(text) <= max) return [text];
  const out: string[] = [];
  let rest = text;
  while (utf8Length(rest) > max) {
    let bytes = 0;
    let cut = 0;
    for (const ch of rest) {
      const b = utf8Length(ch);
      if (bytes + b > max) break;
      bytes += b;
      cut += ch.length;
    }
    const space = rest.lastIndexOf(' ', cut);
    const at = space > cut / 2 ? space : cut;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^ /, '');
  }
  if (rest !== '') out.push(rest);
  return out;
}

export function nickOf(source: string | null): string {
  if (source === null) return '';
  const bang = source.indexOf('!');
  return bang === -1 ? source : source.slice(0, bang);
}

export function isChannel(name: string): boolean {
  return name.startsWith('#') || name.startsWith('&');
}
