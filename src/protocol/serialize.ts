/**
 * IrcMessage → wire line (without CRLF), plus byte-budget helpers for building replies.
 * Pure: no I/O. serialize() validates and throws SerializeError (our own data is wrong, not a peer's);
 * serializeParts() is the unchecked hot path. Neither enforces the 512-byte limit: use maxTrailingBytes.
 */
import type { IrcMessage } from './message.js';
import { MAX_BODY_BYTES, utf8Length } from './limits.js';
import { isValidTagKey, serializeTags } from './tags.js';

/** Thrown by {@link serialize} when a message cannot be represented on the wire. */
export class SerializeError extends Error {
  override name = 'SerializeError';
}

function hasBreak(s: string): boolean {
  return s.indexOf('\r') !== -1 || s.indexOf('\n') !== -1 || s.indexOf('\0') !== -1;
}

function validCommand(cmd: string): boolean {
  const n = cmd.length;
  if (n === 0) return false;
  const c0 = cmd.charCodeAt(0);
  const digits = c0 >= 0x30 && c0 <= 0x39;
  if (digits && n !== 3) return false;
  for (let i = 0; i < n; i++) {
    const c = cmd.charCodeAt(i);
    if (digits ? c < 0x30 || c > 0x39 : (c | 0x20) < 0x61 || (c | 0x20) > 0x7a) return false;
  }
  return true;
}

/** Does the last param need the ':' prefix? */
function needsColon(p: string): boolean {
  return p === '' || p.charCodeAt(0) === 0x3a || p.indexOf(' ') !== -1;
}

/**
 * Builds a line from pre-validated parts, without CRLF. `tags` is already serialized ('' for none).
 * The last param gets ':' only when needed. No validation: callers must pass safe data.
 */
export function serializeParts(tags: string, source: string | null, command: string, params: readonly string[]): string {
  let s = tags === '' ? '' : '@' + tags + ' ';
  if (source !== null) s += ':' + source + ' ';
  s += command;
  const n = params.length;
  for (let i = 0; i < n; i++) {
    const p = params[i] as string;
    s += i === n - 1 && needsColon(p) ? ' :' + p : ' ' + p;
  }
  return s;
}

/**
 * Serializes a message to its wire form without CRLF.
 * @throws {SerializeError} on an empty/invalid command, a bad source, a non-last param that is empty,
 * contains a space or starts with ':', CR/LF/NUL anywhere, or an invalid tag key / NUL in a tag value.
 */
export function serialize(msg: IrcMessage): string {
  const { tags, source, command, params } = msg;
  if (!validCommand(command)) throw new SerializeError(`invalid command ${JSON.stringify(command)}`);
  if (source !== null && (source === '' || source.indexOf(' ') !== -1 || hasBreak(source))) {
    throw new SerializeError(`invalid source ${JSON.stringify(source)}`);
  }
  const last = params.length - 1;
  for (let i = 0; i <= last; i++) {
    const p = params[i] as string;
    if (hasBreak(p)) throw new SerializeError(`param ${i} contains CR, LF or NUL`);
    if (i < last && (p === '' || p.charCodeAt(0) === 0x3a || p.indexOf(' ') !== -1)) {
      throw new SerializeError(`middle param ${i} is empty, starts with ':' or contains a space`);
    }
  }
  let tagStr = '';
  if (tags !== null && tags.size > 0) {
    for (const [k, v] of tags) {
      if (!isValidTagKey(k)) throw new SerializeError(`invalid tag key ${JSON.stringify(k)}`);
      if (v.indexOf('\0') !== -1) throw new SerializeError(`tag ${k} value contains NUL`);
    }
    tagStr = serializeTags(tags);
  }
  return serializeParts(tagStr, source, command, params);
}

/** Cuts `s` to at most `maxBytes` UTF-8 bytes at a code point boundary (lone surrogates count 3). */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes) return s;
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let w: number;
    let units = 1;
    if (c < 0x80) w = 1;
    else if (c < 0x800) w = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        w = 4;
        units = 2;
      } else w = 3;
    } else w = 3;
    if (bytes + w > maxBytes) return s.slice(0, i);
    bytes += w;
    i += units - 1;
  }
  return s;
}

/**
 * Bytes available for a final (trailing) param so that
 * `[:source ]command middle... :trailing\r\n` stays within {@link MAX_BODY_BYTES}.
 * Always reserves the ' :' before the trailing param. Never negative.
 */
export function maxTrailingBytes(source: string | null, command: string, middleParams: readonly string[]): number {
  let used = 2 + utf8Length(command) + 2; // CRLF, command, ' :'
  if (source !== null) used += utf8Length(source) + 2;
  for (const p of middleParams) used += utf8Length(p) + 1;
  return Math.max(0, MAX_BODY_BYTES - used);
}
