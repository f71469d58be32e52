/**
 * Splitting a message into protocol-sized parts: at most `maxBytes` UTF-8 bytes each,
 * on word boundaries (spaces), mid-word only when one word is longer than a part, and
 * then between graphemes (between code points only when one grapheme is longer than a
 * part). The spaces at a break are dropped, so no part after the first starts with a
 * space. Pure, no node: imports; used by the plain dialect and every client.
 */
import { utf8Length, utf8LengthRange } from '../protocol/limits.js';

/** The smallest part size honoured: one code point (4 bytes) always fits, so a split always advances. */
export const MIN_PART_BYTES = 4;

let segmenter: Intl.Segmenter | undefined;

function cpEnd(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return i + 2;
  }
  return i + 1;
}

/**
 * The furthest index `e` > `from` such that `s.slice(from, e)` fits in `max` bytes and
 * ends between graphemes, or between code points when the first grapheme alone is too
 * big. `s.slice(from)` is known not to fit.
 */
function furthestCut(s: string, from: number, max: number): number {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  // only look at a window: max bytes are at most max code units
  const window = s.slice(from, from + max + 1);
  let end = 0;
  let bytes = 0;
  for (const g of segmenter.segment(window)) {
    const b = utf8Length(g.segment);
    if (bytes + b > max) break;
    bytes += b;
    end = g.index + g.segment.length;
  }
  if (end > 0) return from + end;
  // one grapheme longer than a part (a base and many combining marks): cut between code points
  let i = from;
  bytes = 0;
  for (;;) {
    const next = cpEnd(s, i);
    const b = utf8LengthRange(s, i, next);
    if (bytes + b > max && i > from) return i;
    bytes += b;
    i = next;
  }
}

/**
 * Splits one line of text into parts of at most `maxBytes` UTF-8 bytes (floored at
 * MIN_PART_BYTES). Text that fits comes back as is; an empty text gives no parts.
 */
export function splitMessage(text: string, maxBytes: number): string[] {
  const max = Math.max(MIN_PART_BYTES, Math.floor(Number.isFinite(maxBytes) ? maxBytes : MIN_PART_BYTES));
  if (text === '') return [];
  if (text.length * 3 <= max || utf8Length(text) <= max) return [text];
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (utf8LengthRange(text, i, text.length) <= max) {
      out.push(text.slice(i));
      break;
    }
    const e = furthestCut(text, i, max);
    // the last space that ends a part here (a space at e itself ends it exactly)
    const k = text.lastIndexOf(' ', e);
    let r = k;
    while (r > i && text.charCodeAt(r - 1) === 0x20) r--;
    if (k > i && r > i) {
      out.push(text.slice(i, r));
      i = k + 1;
    } else if (k >= i && r === i) {
      // only the text's leading spaces come before the break: drop them rather than cut a word
      i = k + 1;
    } else {
      out.push(text.slice(i, e));
      i = e;
      continue; // a mid-word cut: the next part starts with the rest of the word
    }
    while (text.charCodeAt(i) === 0x20) i++;
  }
  return out;
}

/** Splits typed or pasted text into lines (CR, LF or CRLF) and each line into parts; blank lines are dropped. */
export function splitLines(text: string, maxBytes: number): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line.trim() === '') continue;
    for (const part of splitMessage(line, maxBytes)) out.push(part);
  }
  return out;
}
