/**
 * How buffer lines look on the terminal: "HH:MM <nick> text" with the nick in a
 * colour picked by hash, actions as "* nick text", joins and info dimmed, mentions
 * highlighted, continuation rows indented under the text. Produces ANSI strings. Pure.
 */
import type { ChatLine } from '../shared/buffer.js';
import { fit, sanitize, width, wrap } from './width.js';

export const SGR = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  reverse: '\x1b[7m',
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  mention: '\x1b[1;33m',
  status: '\x1b[0;30;46m',
  topic: '\x1b[0;37;44m',
} as const;

// readable on dark and light backgrounds: no black, white or blue-on-black
const NICK_COLOURS = [31, 32, 33, 35, 36, 91, 92, 93, 94, 95, 96, 34];

/** Stable colour for a nick (djb2 hash over the lower-cased nick). */
export function nickColour(nick: string): string {
  let h = 5381;
  for (const ch of nick.toLowerCase()) h = ((h * 33) ^ ch.codePointAt(0)!) >>> 0;
  return `\x1b[${NICK_COLOURS[h % NICK_COLOURS.length]}m`;
}

export function timestamp(d: Date): string {
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** Plain text of a line for logs and line mode: "<nick> text", "* nick text", "-nick- text", "-!- text". */
/** What a message typed while disconnected carries until it is sent. */
export const PENDING_MARK = ' (not sent yet)';

/** "[re alice: lunch?] " before a reply (its parent as quoted), '' for a message that answers none. */
export function replyMark(l: ChatLine): string {
  if (l.replyTo === undefined) return '';
  if (l.parent === undefined) return '[re an earlier message] ';
  const q = sanitize(l.parent.text);
  return `[re ${sanitize(l.parent.nick)}: ${q.length > 60 ? q.slice(0, 59) + '…' : q}] `;
}

/** "👍 2  ❤️ 1" for a message's reactions ('' for none). */
export function reactionsText(l: ChatLine): string {
  return (l.reactions ?? []).map((r) => `${sanitize(r.emoji)} ${r.nicks.length}`).join('  ');
}

/** What makes a line look different once drawn (its reactions): part of the screen cache key. */
export function lineVersion(l: ChatLine): string {
  return (l.deleted !== undefined ? 'deleted|' : '') + (l.reactions === undefined ? '' : reactionsText(l));
}

/** What a deleted message shows instead of its text. */
export const DELETED_TEXT = '(message deleted)';

/** Peer text made safe line by line: the line breaks of a multiline message kept. */
export function sanitizeLines(s: string): string {
  return s.includes('\n') ? s.split('\n').map(sanitize).join('\n') : sanitize(s);
}

/** One line as text; a multiline message gives its lines separated by "\n" (formatPlain prefixes each). */
export function plainLine(l: ChatLine): string {
  const text = l.deleted !== undefined ? DELETED_TEXT : replyMark(l) + sanitizeLines(l.text) + (l.pending ? PENDING_MARK : '');
  switch (l.kind) {
    case 'message':
      return `<${l.nick ?? '?'}> ${text}`;
    case 'action':
      return `* ${l.nick ?? '?'} ${text}`;
    case 'notice':
      return `-${l.nick ?? '?'}- ${text}`;
    case 'error':
      return `-!- ${text}`;
    default:
      return `-- ${text}`;
  }
}

/**
 * Renders one line into terminal rows of exactly `cols` columns or fewer (ANSI included),
 * wrapped with continuation rows indented to where the text starts.
 */
export function renderLine(l: ChatLine, cols: number): string[] {
  const time = timestamp(l.time);
  const text = l.deleted !== undefined ? DELETED_TEXT : sanitizeLines(l.text) + (l.pending ? PENDING_MARK : '');
  let prefix: string;
  let prefixW: number;
  let body = text;
  let bodyStyle = '';
  const nick = l.nick ?? '';
  switch (l.kind) {
    case 'message':
      prefix = `${SGR.dim}${time}${SGR.reset} ${l.self ? SGR.bold : ''}<${nickColour(nick)}${nick}${SGR.reset}${l.self ? SGR.bold : ''}>${SGR.reset} `;
      prefixW = width(time) + 1 + width(nick) + 3;
      break;
    case 'action':
      prefix = `${SGR.dim}${time}${SGR.reset} * ${nickColour(nick)}${nick}${SGR.reset} `;
      prefixW = width(time) + 3 + width(nick) + 1;
      break;
    case 'notice':
      prefix = `${SGR.dim}${time}${SGR.reset} -${nickColour(nick)}${nick}${SGR.reset}- `;
      prefixW = width(time) + 2 + width(nick) + 2;
      break;
    case 'error':
      prefix = `${SGR.dim}${time}${SGR.reset} ${SGR.red}-!-${SGR.reset} `;
      prefixW = width(time) + 5;
      bodyStyle = SGR.red;
      break;
    default:
      prefix = `${SGR.dim}${time} --${SGR.reset} `;
      prefixW = width(time) + 4;
      bodyStyle = SGR.dim;
  }
  if (l.mention) bodyStyle = SGR.mention;
  if (l.deleted !== undefined) bodyStyle = SGR.dim;
  if (prefixW > cols / 2) {
    // very narrow terminal: no hanging indent
    body = text;
  }
  const indent = prefixW > cols / 2 ? 0 : prefixW;
  // a multiline message: each of its lines wrapped on its own, all under the first
  const paras = body.includes('\n') ? body.split('\n') : [body];
  const rows = paras.flatMap((p, j) => wrap(p, Math.max(1, j === 0 ? cols - prefixW : cols - indent), Math.max(1, cols - indent)));
  const out = rows.map((r, i) => (i === 0 ? prefix : ' '.repeat(indent)) + (bodyStyle ? bodyStyle + r + SGR.reset : r));
  // a reply: its parent quoted on a row above; reactions on a row below
  if (l.replyTo !== undefined) {
    const q = l.parent === undefined ? 'an earlier message' : `<${sanitize(l.parent.nick)}> ${sanitize(l.parent.text)}`;
    const pad = Math.min(indent, 6);
    out.unshift(' '.repeat(pad) + SGR.dim + fit(`↪ ${q}`, Math.max(1, cols - pad)).text + SGR.reset);
  }
  const reactions = reactionsText(l);
  if (reactions !== '') out.push(' '.repeat(indent) + SGR.dim + fit(reactions, Math.max(1, cols - indent)).text + SGR.reset);
  return out;
}

/** Longest wire line shown by --show-bytes. */
export const WIRE_CHARS = 600;

/**
 * One IRC line for --show-bytes: ">> " sent or "<< " received, the password of
 * PASS/AUTHENTICATE hidden, control characters shown as \xNN (a peer's text must never
 * reach the terminal as escape sequences), cut at WIRE_CHARS.
 */
export function wireText(dir: 'in' | 'out', line: string): string {
  const l = dir === 'out' && /^(PASS|AUTHENTICATE) /i.test(line) ? line.replace(/ .*/, ' ******') : line;
  // eslint-disable-next-line no-control-regex
  let t = l.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
  if (t.length > WIRE_CHARS) t = t.slice(0, WIRE_CHARS) + '…';
  return `${dir === 'out' ? '>>' : '<<'} ${t}`;
}
