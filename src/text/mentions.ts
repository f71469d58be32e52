/**
 * Finding a nick in a message: whole words only, Unicode-aware word boundaries (a
 * letter or digit in any script, or a nick character, joins a word) and compared under
 * the server's casemapping. Pure, no node: imports.
 */
import { casefolder, type Casemapping } from '../protocol/casemap.js';
import { stripFormatting } from './format.js';

/** Characters that continue a nick-like word: letters, marks, digits (any script) and IRC's nick specials. */
const WORD = /[\p{L}\p{M}\p{N}_\-[\]\\`^{}|]/u;

type Fold = (s: string) => string;

function folder(f: Fold | Casemapping): Fold {
  return typeof f === 'function' ? f : casefolder(f);
}

function isWordAt(t: string, i: number): boolean {
  if (i < 0 || i >= t.length) return false;
  const c = t.codePointAt(i)!;
  // a low surrogate: look at the whole code point it ends
  if (c >= 0xdc00 && c <= 0xdfff && i > 0) return WORD.test(String.fromCodePoint(t.codePointAt(i - 1)!));
  return WORD.test(String.fromCodePoint(c));
}

/**
 * Where `text` names `nick` as a whole word: [start, end) index pairs into `text`.
 * `fold` is the casemapping (or its folding function, which must keep lengths, as the
 * IRC casemappings do). Formatting codes in `text` are not removed: strip them first.
 */
export function mentionRanges(text: string, nick: string, fold: Fold | Casemapping = 'rfc1459'): Array<[number, number]> {
  if (nick === '' || text.length < nick.length) return [];
  const f = folder(fold);
  const n = f(nick);
  const t = f(text);
  if (t.length !== text.length || n.length !== nick.length) return [];
  const out: Array<[number, number]> = [];
  let i = t.indexOf(n);
  while (i !== -1) {
    const end = i + n.length;
    if (!isWordAt(t, i - 1) && !isWordAt(t, end)) {
      out.push([i, end]);
      i = t.indexOf(n, end);
    } else {
      i = t.indexOf(n, i + 1);
    }
  }
  return out;
}

/** Does `text` (formatting ignored) name `nick` as a whole word under `fold`? */
export function mentions(text: string, nick: string, fold: Fold | Casemapping = 'rfc1459'): boolean {
  return mentionRanges(stripFormatting(text), nick, fold).length > 0;
}
