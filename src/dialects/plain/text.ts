/**
 * Text helpers of the plain dialect: what makes network text safe on a bare terminal
 * (the shared toolkit's cleanLine, src/text, memoized for fan-outs), what cleans typed
 * input, `[HH:MM]` stamps, 80-column rows with indented continuations, and the splitter
 * for long typed lines. Pure functions, no state but the one-entry cleanText memo.
 */
import { cleanLine, splitMessage } from '../../text/index.js';
// pure column arithmetic (string-width per grapheme), shared with the terminal client
import { wrap } from '../../clients/tui/width.js';

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
  // formatting, control, bidi and line-separator characters out, tabs to spaces
  cleanOut = cleanLine(s);
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

/**
 * Splits text into pieces of at most `max` UTF-8 bytes on word boundaries, mid-word only
 * for a word longer than a piece, never starting a piece with a space (src/text/split.ts).
 */
export function splitText(text: string, max: number): string[] {
  return splitMessage(text, max);
}

export function nickOf(source: string | null): string {
  if (source === null) return '';
  const bang = source.indexOf('!');
  return bang === -1 ? source : source.slice(0, bang);
}

export function isChannel(name: string): boolean {
  return name.startsWith('#') || name.startsWith('&');
}
