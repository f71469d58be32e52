/**
 * Display width of terminal text (UTF-8, CJK, emoji) and word wrapping by columns.
 * Widths come from string-width per grapheme cluster, so an emoji with modifiers is
 * one unit that is never split. Pure.
 */
import stringWidth from 'string-width';
import { stripControls, stripFormatting } from '../../text/format.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Grapheme clusters of `s`. */
export function graphemes(s: string): string[] {
  const out: string[] = [];
  for (const g of segmenter.segment(s)) out.push(g.segment);
  return out;
}

/** Columns `s` takes on a terminal (ANSI escapes count zero). */
export function width(s: string): number {
  return stringWidth(s);
}

/**
 * Removes what must not reach the terminal from peer text: IRC formatting codes
 * (bold, colour ...), other C0/C1 controls and ESC; tabs become spaces.
 */
export function sanitize(s: string): string {
  return stripControls(stripFormatting(s).replace(/\t/g, '    '));
}

/** The longest prefix of `s` that fits in `cols` columns, and its width. */
export function fit(s: string, cols: number): { text: string; width: number } {
  let w = 0;
  let text = '';
  for (const g of graphemes(s)) {
    const gw = width(g);
    if (w + gw > cols) break;
    w += gw;
    text += g;
  }
  return { text, width: w };
}

/**
 * Word-wraps `text` into rows of at most `first` columns (first row) and `rest`
 * columns (following rows). Breaks at spaces when it can; words longer than a row
 * are split between graphemes. Always returns at least one row.
 */
export function wrap(text: string, first: number, rest: number = first): string[] {
  const rows: string[] = [];
  let row = '';
  let rowW = 0;
  let limit = Math.max(1, first);
  const push = (): void => {
    rows.push(row.trimEnd());
    row = '';
    rowW = 0;
    limit = Math.max(1, rest);
  };
  // tokens: runs of spaces and runs of non-spaces
  for (const tok of text.match(/ +|[^ ]+/g) ?? []) {
    const tw = width(tok);
    if (tok.startsWith(' ')) {
      if (rowW + tw <= limit) {
        row += tok;
        rowW += tw;
      } else if (rowW > 0) push();
      continue;
    }
    if (rowW + tw <= limit) {
      row += tok;
      rowW += tw;
      continue;
    }
    if (rowW > 0 && tw <= Math.max(1, rest)) {
      push();
      row = tok;
      rowW = tw;
      continue;
    }
    for (const g of graphemes(tok)) {
      const gw = width(g);
      if (rowW + gw > limit && rowW > 0) push();
      row += g;
      rowW += gw;
    }
  }
  if (rowW > 0 || rows.length === 0) rows.push(row.trimEnd());
  return rows;
}
