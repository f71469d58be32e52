/**
 * IRC formatting and control characters: the one stripper used by the server (plain
 * dialect, search), the terminal client and the browser. Pure, no node: imports (the
 * browser bundles it).
 */

// Bold, colour (fg[,bg], one or two digits each), hex colour (RRGGBB[,RRGGBB]), reset,
// monospace, reverse, italic, strikethrough, underline.
// eslint-disable-next-line no-control-regex
const FORMATTING = /\x03(?:\d{1,2}(?:,\d{1,2})?)?|\x04(?:[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g;
// eslint-disable-next-line no-control-regex
const HAS_FORMATTING = /[\x02\x03\x04\x0f\x11\x16\x1d\x1e\x1f]/;

/** Removes mIRC formatting codes (with a colour code's numbers), keeps the text. */
export function stripFormatting(s: string): string {
  return HAS_FORMATTING.test(s) ? s.replace(FORMATTING, '') : s;
}

// C0 controls except tab, DEL, C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

/** Removes C0 (except tab), DEL and C1 control characters: what a screen shows as boxes or acts on. */
export function stripControls(s: string): string {
  return s.replace(CONTROLS, '');
}

/**
 * Bidi controls that reorder the text around them: embeddings, overrides, isolates and
 * marks. One right-to-left override makes "\u202egnp.exe" read "exe.png".
 */
export const BIDI_CONTROLS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/g;

/**
 * Invisible characters that change what a line looks like: line/paragraph separators
 * (some terminals break there), bidi controls and a byte-order mark. ZWJ/ZWNJ stay:
 * emoji and scripts need them.
 */
const INVISIBLE = /[\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]/g;

/** Removes the invisible characters that reorder or break a line (see INVISIBLE). */
export function stripInvisible(s: string): string {
  return s.replace(INVISIBLE, '');
}

/**
 * Text from the network as one safe display line: formatting, controls and invisible
 * reordering characters removed, each tab replaced by `tab`.
 */
export function cleanLine(s: string, tab = ' '): string {
  return stripInvisible(stripControls(stripFormatting(s).replace(/\t/g, tab)));
}

/** Bidi controls that reorder text (embeddings, overrides, isolates), by name; the marks (LRM, RLM, ALM) only nudge and stay. */
const BIDI_NAMES: Readonly<Record<string, string>> = {
  '\u202a': 'LRE',
  '\u202b': 'RLE',
  '\u202c': 'PDF',
  '\u202d': 'LRO',
  '\u202e': 'RLO',
  '\u2066': 'LRI',
  '\u2067': 'RLI',
  '\u2068': 'FSI',
  '\u2069': 'PDI',
};
const REORDERING = /[\u202a-\u202e\u2066-\u2069]/;

/** Display text, or a bidi control shown by name where it was (and no longer acting). */
export type DisplaySegment = { text: string } | { bidi: string };

/**
 * Peer text for a screen that renders Unicode itself (the browser): formatting codes
 * and control characters removed (tabs and line separators become spaces), and every
 * reordering bidi control taken out of the text and returned as a named marker, so
 * "\u202egnp.exe" reads "gnp.exe" with an RLO marker, not "exe.png".
 */
export function displaySegments(s: string): DisplaySegment[] {
  const clean = stripControls(stripFormatting(s).replace(/[\t\u2028\u2029]/g, ' '));
  if (!REORDERING.test(clean)) return clean === '' ? [] : [{ text: clean }];
  const out: DisplaySegment[] = [];
  let from = 0;
  for (let i = 0; i < clean.length; i++) {
    const name = BIDI_NAMES[clean[i]!];
    if (name === undefined) continue;
    if (i > from) out.push({ text: clean.slice(from, i) });
    out.push({ bidi: name });
    from = i + 1;
  }
  if (from < clean.length) out.push({ text: clean.slice(from) });
  return out;
}
