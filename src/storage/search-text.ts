/**
 * What "a word" means for search, shared by every store so they agree: letters and
 * digits (Unicode), compared without case or accents. This matches SQLite FTS5's
 * unicode61 tokenizer with remove_diacritics=2, which the sqlite store uses.
 */

import { stripFormatting } from '../text/format.js';

/**
 * The searchable text of a message (the text of a PRIVMSG/NOTICE, an ACTION's text,
 * formatting removed), or null for events and other CTCPs.
 */
export function searchableText(command: string, params: readonly string[]): string | null {
  if (command !== 'PRIVMSG' && command !== 'NOTICE') return null;
  let text = params[params.length - 1] ?? '';
  if (text.charCodeAt(0) === 1) {
    if (!text.startsWith('\x01ACTION ')) return null;
    text = text.slice(8);
    if (text.endsWith('\x01')) text = text.slice(0, -1);
  }
  text = stripFormatting(text);
  return text === '' ? null : text;
}

/** Lower case, accents removed (NFD, combining marks dropped). */
export function foldWord(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const NON_TOKEN = /[^\p{L}\p{N}\p{Co}]+/u;

/** The words of a text, folded (what the memory store indexes). */
export function tokenize(text: string): string[] {
  return foldWord(text).split(NON_TOKEN).filter((t) => t !== '');
}

/** At most this many words per search. */
export const MAX_SEARCH_WORDS = 10;

/**
 * Turns what a user typed into search words: folded tokens, punctuation splitting a
 * word into several ("don't" -> don, t), a trailing '*' kept as a prefix marker on the
 * last piece. Returns [] when nothing searchable is left.
 */
export function parseSearchWords(input: string): string[] {
  const out: string[] = [];
  for (const raw of input.split(/\s+/)) {
    if (raw === '') continue;
    const prefix = raw.endsWith('*');
    const pieces = tokenize(prefix ? raw.slice(0, -1) : raw);
    pieces.forEach((p, i) => out.push(prefix && i === pieces.length - 1 ? p + '*' : p));
  }
  return out.slice(0, MAX_SEARCH_WORDS);
}

/** True when every search word matches one of `tokens` (exactly, or as a prefix). */
export function matchesWords(tokens: readonly string[], words: readonly string[]): boolean {
  return words.every((w) =>
    w.endsWith('*') ? tokens.some((t) => t.startsWith(w.slice(0, -1))) : tokens.includes(w),
  );
}
