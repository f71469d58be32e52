/**
 * IRC case folding (CASEMAPPING=rfc1459 or ascii) for nick/channel comparison keys.
 * Pure. Not Unicode-aware by design: only ASCII (and rfc1459's []\~) ever change.
 */

/** Supported CASEMAPPING values. */
export type Casemapping = 'rfc1459' | 'ascii';

function foldCode(c: number, rfc: boolean): number {
  if (c >= 0x41 && c <= 0x5a) return c + 0x20;
  if (rfc && (c === 0x5b || c === 0x5c || c === 0x5d || c === 0x7e)) {
    return c === 0x7e ? 0x5e : c + 0x20; // [\] → {|}, ~ → ^
  }
  return c;
}

/** Folds `s` to lower case under `cm`. Returns `s` itself when nothing changes. */
export function foldCase(s: string, cm: Casemapping): string {
  const rfc = cm === 'rfc1459';
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (foldCode(c, rfc) !== c) break;
    i++;
  }
  if (i === n) return s;
  const codes = new Array<number>(n - i);
  for (let j = i; j < n; j++) codes[j - i] = foldCode(s.charCodeAt(j), rfc);
  let out = s.slice(0, i);
  for (let k = 0; k < codes.length; k += 8192) {
    out += String.fromCharCode.apply(null, codes.slice(k, k + 8192));
  }
  return out;
}

/** Returns a folding function bound to `cm`. */
export function casefolder(cm: Casemapping): (s: string) => string {
  return cm === 'rfc1459' ? (s) => foldCase(s, 'rfc1459') : (s) => foldCase(s, 'ascii');
}
