/**
 * IRC wildcard masks (`*`, `?`, `\` escapes) and nick!user@host handling.
 * Pure. Matching is iterative with single-star backtracking: O(mask × subject) worst case, never exponential.
 * Case-insensitivity is opt-in through a fold function (see casemap.ts); no extbans, no CIDR.
 */

const LIT = 0;
const ONE = 1;
const ANY = 2;

interface Pattern {
  kinds: Uint8Array;
  /** literal code units; placeholder '\0' at wildcard positions */
  chars: string;
}

function compilePattern(mask: string, fold?: (s: string) => string): Pattern {
  const kinds: number[] = [];
  const chars: string[] = [];
  for (let i = 0; i < mask.length; i++) {
    const c = mask.charCodeAt(i);
    if (c === 0x2a) {
      if (kinds[kinds.length - 1] !== ANY) {
        kinds.push(ANY);
        chars.push('\0');
      }
    } else if (c === 0x3f) {
      kinds.push(ONE);
      chars.push('\0');
    } else {
      if (c === 0x5c && i + 1 < mask.length) i++; // '\x' → literal x; trailing '\' is literal
      kinds.push(LIT);
      chars.push(mask[i] as string);
    }
  }
  const joined = chars.join('');
  return { kinds: Uint8Array.from(kinds), chars: fold ? fold(joined) : joined };
}

function run(pat: Pattern, subj: string): boolean {
  const { kinds, chars } = pat;
  const m = kinds.length;
  const n = subj.length;
  let p = 0;
  let s = 0;
  let starP = -1;
  let starS = 0;
  while (s < n) {
    const k = p < m ? kinds[p] : -1;
    if (k === ONE) {
      const c = subj.charCodeAt(s);
      const d = s + 1 < n ? subj.charCodeAt(s + 1) : 0;
      s += c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
      p++;
    } else if (k === LIT && chars.charCodeAt(p) === subj.charCodeAt(s)) {
      p++;
      s++;
    } else if (k === ANY) {
      starP = p++;
      starS = s;
    } else if (starP !== -1) {
      p = starP + 1;
      s = ++starS;
    } else {
      return false;
    }
  }
  while (p < m && kinds[p] === ANY) p++;
  return p === m;
}

/**
 * Matches `subject` against an IRC mask: `*` = any run, `?` = one character, `\` escapes the next
 * character (a trailing `\` is literal). Case-sensitive unless `fold` is given (applied to both sides).
 */
export function matchMask(mask: string, subject: string, fold?: (s: string) => string): boolean {
  return run(compilePattern(mask, fold), fold ? fold(subject) : subject);
}

/** Pre-compiles a mask (e.g. a ban entry) for repeated matching; `fold` makes it case-insensitive. */
export function compileMask(mask: string, fold?: (s: string) => string): (subject: string) => boolean {
  const pat = compilePattern(mask, fold);
  return fold ? (subject) => run(pat, fold(subject)) : (subject) => run(pat, subject);
}

/** Escapes `*`, `?` and `\` so the result, as a mask, matches exactly `s`. */
export function escapeMask(s: string): string {
  let out: string[] | null = null;
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2a || c === 0x3f || c === 0x5c) {
      (out ??= []).push(s.slice(last, i), '\\');
      last = i;
    }
  }
  if (out === null) return s;
  out.push(s.slice(last));
  return out.join('');
}

/** Splits `nick!user@host`; missing parts are null (`nick@host` has no user, `nick!user` no host). */
export function splitUserhost(source: string): { nick: string; user: string | null; host: string | null } {
  const bang = source.indexOf('!');
  const at = source.indexOf('@', bang === -1 ? 0 : bang + 1);
  if (bang !== -1 && (at === -1 || bang < at)) {
    return at === -1
      ? { nick: source.slice(0, bang), user: source.slice(bang + 1), host: null }
      : { nick: source.slice(0, bang), user: source.slice(bang + 1, at), host: source.slice(at + 1) };
  }
  if (at !== -1) return { nick: source.slice(0, at), user: null, host: source.slice(at + 1) };
  return { nick: source, user: null, host: null };
}

/**
 * Completes a ban-style mask to `nick!user@host` form, filling missing or empty parts with `*`:
 * `nick` → `nick!*@*`, `user@host` → `*!user@host`, `nick!user` → `nick!user@*`,
 * a bare word with '.' or ':' (a host) → `*!*@host`.
 */
export function normalizeMask(m: string): string {
  const bang = m.indexOf('!');
  const at = m.indexOf('@', bang === -1 ? 0 : bang + 1);
  let nick: string;
  let user: string;
  let host: string;
  if (bang !== -1) {
    nick = m.slice(0, bang);
    user = at === -1 ? m.slice(bang + 1) : m.slice(bang + 1, at);
    host = at === -1 ? '' : m.slice(at + 1);
  } else if (at !== -1) {
    nick = '';
    user = m.slice(0, at);
    host = m.slice(at + 1);
  } else if (m.indexOf('.') !== -1 || m.indexOf(':') !== -1) {
    nick = '';
    user = '';
    host = m;
  } else {
    nick = m;
    user = '';
    host = '';
  }
  return (nick || '*') + '!' + (user || '*') + '@' + (host || '*');
}
