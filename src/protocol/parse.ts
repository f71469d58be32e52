/**
 * The IRC line tokenizer: one line (without CR/LF) → IrcMessage or a ParseErrorKind.
 * Pure and hot: indexOf/slice only, no regex, never throws on peer input.
 * It is not a command validator: parameter counts and meanings are the caller's business.
 */
import type { IrcMessage, ParseResult } from './message.js';
import { MAX_BODY_BYTES, MAX_TAG_BYTES, utf8LengthRange } from './limits.js';
import { parseTags } from './tags.js';

const SPACE = 0x20;
const COLON = 0x3a;

/** Byte length of s[start, end) exceeds `max`? Avoids counting when the answer is obvious. */
function overBytes(s: string, start: number, end: number, max: number): boolean {
  const units = end - start;
  if (units > max) return true;
  if (units * 3 <= max) return false;
  return utf8LengthRange(s, start, end) > max;
}

/** Returns the command word if it is letters only or exactly 3 digits, upper-cased; else null. */
function checkCommand(cmd: string): string | null {
  const n = cmd.length;
  if (n === 0) return null;
  const c0 = cmd.charCodeAt(0);
  if (c0 >= 0x30 && c0 <= 0x39) {
    if (n !== 3) return null;
    for (let i = 1; i < 3; i++) {
      const c = cmd.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return null;
    }
    return cmd;
  }
  let lower = false;
  for (let i = 0; i < n; i++) {
    const c = cmd.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) lower = true;
    else if (c < 0x41 || c > 0x5a) return null;
  }
  return lower ? cmd.toUpperCase() : cmd;
}

function isAllWhitespace(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== SPACE && (c < 0x09 || c > 0x0d)) return false;
  }
  return true;
}

/**
 * Parses one IRC line given without its CR/LF.
 * Spaces between parts may be repeated; `:` introduces the trailing parameter.
 * Limits: tag section (with '@' and the space) over {@link MAX_TAG_BYTES} → 'tags-too-long';
 * body + CRLF over {@link MAX_BODY_BYTES} → 'input-too-long' (with `command` when recognisable).
 * Parameters beyond the RFC's 15 are kept.
 */
export function parse(line: string): ParseResult {
  const len = line.length;
  let i = 0;
  while (i < len && line.charCodeAt(i) === SPACE) i++;
  if (i === len || isAllWhitespace(line)) return { ok: false, error: 'empty' };

  let tags: Map<string, string> | null = null;
  if (line.charCodeAt(i) === 0x40) {
    // '@'
    let sp = line.indexOf(' ', i);
    if (sp === -1) sp = len;
    // section incl. '@' and one trailing space
    if (overBytes(line, i, sp, MAX_TAG_BYTES - 1)) return { ok: false, error: 'tags-too-long' };
    tags = parseTags(line.slice(i + 1, sp));
    if (tags === null) return { ok: false, error: 'malformed-tags' };
    i = sp;
    while (i < len && line.charCodeAt(i) === SPACE) i++;
    if (i === len) return { ok: false, error: 'no-command' };
  }

  const tooLong = overBytes(line, i, len, MAX_BODY_BYTES - 2);

  let source: string | null = null;
  if (line.charCodeAt(i) === COLON) {
    let sp = line.indexOf(' ', i);
    if (sp === -1) sp = len;
    if (sp === i + 1) return { ok: false, error: tooLong ? 'input-too-long' : 'malformed-source' };
    source = line.slice(i + 1, sp);
    i = sp;
    while (i < len && line.charCodeAt(i) === SPACE) i++;
    if (i === len) return { ok: false, error: tooLong ? 'input-too-long' : 'no-command' };
  }

  let sp = line.indexOf(' ', i);
  if (sp === -1) sp = len;
  const command = checkCommand(line.slice(i, sp));
  if (tooLong) {
    return command === null
      ? { ok: false, error: 'input-too-long' }
      : { ok: false, error: 'input-too-long', command };
  }
  if (command === null) return { ok: false, error: 'invalid-command', command: line.slice(i, Math.min(sp, i + 32)) };
  i = sp;

  const params: string[] = [];
  while (i < len) {
    while (i < len && line.charCodeAt(i) === SPACE) i++;
    if (i === len) break;
    if (line.charCodeAt(i) === COLON) {
      params.push(line.slice(i + 1));
      break;
    }
    sp = line.indexOf(' ', i);
    if (sp === -1) sp = len;
    params.push(line.slice(i, sp));
    i = sp;
  }

  const msg: IrcMessage = { tags, source, command, params };
  return { ok: true, msg };
}
