/**
 * Protocol size limits and a UTF-8 byte counter.
 * Pure: no I/O, no node: imports. Does not enforce anything itself (see parse.ts / serialize.ts).
 */

/** Max bytes of a message body (source, command, params) including the trailing CRLF. */
export const MAX_BODY_BYTES = 512;
/** Max bytes of the tag section including the leading '@' and the trailing space. */
export const MAX_TAG_BYTES = 8191;
/**
 * Put in front of a received line whose bytes were not valid UTF-8 (the IRC line reader
 * does it; the core answers FAIL INVALID_UTF8). A lone surrogate: no UTF-8 decoding ever
 * produces one, so a peer cannot forge it.
 */
export const INVALID_UTF8_MARK = '\udfff';

/** Max bytes of client-only tags a client may send (IRCv3 message-tags). */
export const MAX_CLIENT_TAG_BYTES = 4094;

/**
 * Number of bytes `s` takes in UTF-8, without allocating.
 * Lone surrogates count 3 bytes (they are encoded as U+FFFD).
 */
export function utf8Length(s: string): number {
  return utf8LengthRange(s, 0, s.length);
}

/** UTF-8 byte length of `s.slice(start, end)` without slicing. @internal */
export function utf8LengthRange(s: string, start: number, end: number): number {
  let n = end - start;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      n += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // 2 code units -> 4 bytes
        i++;
      } else {
        n += 2;
      }
    } else {
      n += 2;
    }
  }
  return n;
}
