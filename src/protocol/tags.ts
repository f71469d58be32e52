/**
 * IRCv3 message-tags: value escaping and the tag-section tokenizer/serializer.
 * Pure: no I/O. Does not enforce size limits (parse.ts does) and does not know which tags are allowed.
 */

/** Escapes a tag value for the wire (`;` `\s` `\\` `\r` `\n`). Returns `v` itself when nothing changes. */
export function escapeTagValue(v: string): string {
  let out: string[] | null = null;
  let last = 0;
  for (let i = 0; i < v.length; i++) {
    let rep: string;
    switch (v.charCodeAt(i)) {
      case 0x3b: rep = '\\:'; break;
      case 0x20: rep = '\\s'; break;
      case 0x5c: rep = '\\\\'; break;
      case 0x0d: rep = '\\r'; break;
      case 0x0a: rep = '\\n'; break;
      default: continue;
    }
    (out ??= []).push(v.slice(last, i), rep);
    last = i + 1;
  }
  if (out === null) return v;
  out.push(v.slice(last));
  return out.join('');
}

/**
 * Unescapes a wire tag value. An unknown escape drops the backslash (`\b` → `b`);
 * a trailing lone backslash is dropped.
 */
export function unescapeTagValue(v: string): string {
  let bs = v.indexOf('\\');
  if (bs === -1) return v;
  const out: string[] = [];
  let last = 0;
  while (bs !== -1) {
    out.push(v.slice(last, bs));
    const next = bs + 1 < v.length ? v.charCodeAt(bs + 1) : -1;
    switch (next) {
      case -1: break;
      case 0x3a: out.push(';'); break; // \:
      case 0x73: out.push(' '); break; // \s
      case 0x5c: out.push('\\'); break;
      case 0x72: out.push('\r'); break;
      case 0x6e: out.push('\n'); break;
      default: out.push(v[bs + 1] as string);
    }
    last = bs + 2;
    bs = last < v.length ? v.indexOf('\\', last) : -1;
  }
  if (last < v.length) out.push(v.slice(last));
  return out.join('');
}

/**
 * True if `key` is a valid tag key: optional client prefix `+`, optional vendor (`host/`),
 * then a name of letters, digits and `-`.
 */
export function isValidTagKey(key: string): boolean {
  let i = key.charCodeAt(0) === 0x2b ? 1 : 0; // '+'
  const slash = key.indexOf('/', i);
  if (slash !== -1) {
    if (slash === i) return false;
    for (; i < slash; i++) {
      const c = key.charCodeAt(i);
      if (!(isAlnum(c) || c === 0x2d || c === 0x2e)) return false; // vendor: host chars
    }
    i = slash + 1;
  }
  if (i >= key.length) return false;
  for (; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (!(isAlnum(c) || c === 0x2d)) return false;
  }
  return true;
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
}

/**
 * Serializes tags to the wire form without the leading '@' or a trailing space.
 * A '' value yields the bare key. Keys are not validated here (serialize() does that).
 */
export function serializeTags(tags: Map<string, string>): string {
  let s = '';
  for (const [k, v] of tags) {
    if (s !== '') s += ';';
    s += v === '' ? k : k + '=' + escapeTagValue(v);
  }
  return s;
}

/**
 * Parses a tag section (without '@' and without the trailing space) into unescaped values.
 * Empty elements (`a;;b`, trailing `;`) are ignored; a later duplicate key wins.
 * Returns null when malformed: no tags at all, or an invalid/empty key.
 */
export function parseTags(section: string): Map<string, string> | null {
  const tags = new Map<string, string>();
  const len = section.length;
  let i = 0;
  while (i < len) {
    let end = section.indexOf(';', i);
    if (end === -1) end = len;
    if (end > i) {
      const eq = section.indexOf('=', i);
      let key: string;
      let value = '';
      if (eq !== -1 && eq < end) {
        key = section.slice(i, eq);
        value = unescapeTagValue(section.slice(eq + 1, end));
      } else {
        key = section.slice(i, end);
      }
      if (!isValidTagKey(key)) return null;
      tags.set(key, value);
    }
    i = end + 1;
  }
  return tags.size === 0 ? null : tags;
}
