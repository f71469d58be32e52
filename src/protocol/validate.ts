/**
 * Syntax checks for nicknames, channel names, usernames and hostnames.
 * Pure. Does not check existence, reserved names or policy (that is the server's job).
 */
import { utf8Length } from './limits.js';

/** `[]\`_^{|}` */
function isSpecial(c: number): boolean {
  return c === 0x5b || c === 0x5d || c === 0x5c || c === 0x60 || c === 0x5f || c === 0x5e || c === 0x7b || c === 0x7c || c === 0x7d;
}
function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * True for an RFC 2812 nickname: first char a letter or one of `[]\`_^{|}`, the rest also digits and `-`,
 * ASCII only, 1..maxLen characters.
 */
export function isValidNick(nick: string, maxLen: number): boolean {
  const n = nick.length;
  if (n === 0 || n > maxLen) return false;
  const c0 = nick.charCodeAt(0);
  if (!isLetter(c0) && !isSpecial(c0)) return false;
  for (let i = 1; i < n; i++) {
    const c = nick.charCodeAt(i);
    if (!isLetter(c) && !isSpecial(c) && !isDigit(c) && c !== 0x2d) return false;
  }
  return true;
}

/**
 * True for a channel name: starts with '#' or '&', at least 2 characters, at most `maxLen` UTF-8 bytes,
 * and no space, comma, BEL, NUL, CR or LF.
 */
export function isValidChannelName(name: string, maxLen: number): boolean {
  const n = name.length;
  if (n < 2) return false;
  const c0 = name.charCodeAt(0);
  if (c0 !== 0x23 && c0 !== 0x26) return false;
  for (let i = 1; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x20 || c === 0x2c || c === 0x07 || c === 0x00 || c === 0x0d || c === 0x0a) return false;
  }
  return utf8Length(name) <= maxLen;
}

/**
 * True for a username (ident): 1..maxLen printable ASCII characters (0x21-0x7E) other than `@` and `!`,
 * not starting with ':'.
 */
export function isValidUsername(u: string, maxLen = Infinity): boolean {
  const n = u.length;
  if (n === 0 || n > maxLen || u.charCodeAt(0) === 0x3a) return false;
  for (let i = 0; i < n; i++) {
    const c = u.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x40 || c === 0x21) return false;
  }
  return true;
}

/**
 * True for a server/client hostname: dot-separated labels of letters, digits and '-'
 * (not starting or ending with '-'), at least one dot, an optional final dot, at most 253 characters.
 */
export function isValidHostname(h: string): boolean {
  const n = h.length;
  if (n === 0 || n > 253 || h.indexOf('.') === -1) return false;
  let start = 0;
  while (start < n) {
    let end = h.indexOf('.', start);
    if (end === -1) end = n;
    const len = end - start;
    if (len === 0 || len > 63) return false;
    if (h.charCodeAt(start) === 0x2d || h.charCodeAt(end - 1) === 0x2d) return false;
    for (let i = start; i < end; i++) {
      const c = h.charCodeAt(i);
      if (!isLetter(c) && !isDigit(c) && c !== 0x2d) return false;
    }
    start = end + 1;
  }
  return true;
}
