/**
 * First-bytes sniffing: decides from the start of a connection whether the peer speaks
 * IRC, HTTP, TLS, or is a person with netcat / telnet / the lesson's Python socket
 * ("plain"). Pure: no sockets, no timers. The listener (tcp.ts) feeds it the bytes
 * received so far and waits while it answers 'need-more'; after a short silence it
 * calls it again with `final: true`, which never answers 'need-more'.
 *
 * Rules (in order):
 * - 0x16 0x03 (a TLS ClientHello) is 'tls'.
 * - a telnet command (0xFF), a control byte, a non-ASCII byte or an empty first line
 *   is 'plain': IRC clients and browsers never start like that.
 * - a complete first line `METHOD target HTTP/x` with a known method is 'http'.
 * - a complete first line that parses as one of the commands an IRC client opens with
 *   (CAP, NICK, USER, PASS, PING, PONG, QUIT, WEBIRC, STARTTLS), optionally after
 *   '@tags' and/or ':prefix', AND has that command's shape (`NICK alice`, `USER a 0 *
 *   :A`, `CAP LS 302`...) is 'irc'. Case-insensitive, so someone typing `nick bob` by
 *   hand gets IRC; but `Pass me the salt` or `user here?` is chat, not IRC.
 * - an unfinished first line is 'need-more' while its first word could still become
 *   one of those commands or methods (or it starts with '@' / ':'); otherwise 'plain'
 *   at once, so the lesson's `sendall(b'Your message')` is classified on its first byte.
 *
 * It is not a validator: a line classified 'irc' may still be refused by the core.
 */
import { parse } from '../protocol/index.js';

export type Detected = 'irc' | 'http' | 'plain' | 'tls' | 'need-more';

/** Commands an IRC client may open a connection with, and the parameter counts they take. */
const IRC_OPENERS: ReadonlyMap<string, (params: string[]) => boolean> = new Map<string, (params: string[]) => boolean>([
  ['CAP', (p) => p.length >= 1 && /^(LS|REQ|END|LIST)$/i.test(p[0]!)],
  ['NICK', (p) => p.length === 1 && p[0] !== '' && !p[0]!.includes(' ')],
  ['USER', (p) => p.length === 4],
  ['PASS', (p) => p.length === 1 && p[0] !== ''],
  ['PING', (p) => p.length === 1],
  ['PONG', (p) => p.length === 1],
  ['QUIT', (p) => p.length <= 1],
  ['WEBIRC', (p) => p.length >= 4],
  ['STARTTLS', (p) => p.length === 0],
]);

const HTTP_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'PRI'];

const HTTP_REQUEST_LINE = /^([A-Z]+) (\S+) HTTP\/\d(\.\d)?$/;

/** How many bytes the listener looks at before giving up waiting for a line end. */
export const DETECT_MAX_BYTES = 4096;

const CR = 13;
const LF = 10;
const IAC = 0xff;

export interface DetectOptions {
  /** no more bytes are coming soon (silence, end of stream, or DETECT_MAX_BYTES reached) */
  final?: boolean;
}

/**
 * Classifies the bytes a connection sent first.
 * @param prefix everything received so far (may be empty)
 */
export function detect(prefix: Buffer, opts: DetectOptions = {}): Detected {
  const final = opts.final === true;
  const n = prefix.length;
  if (n === 0) return final ? 'plain' : 'need-more';

  const b0 = prefix[0]!;
  if (b0 === 0x16) {
    if (n === 1) return final ? 'plain' : 'need-more';
    if (prefix[1] === 0x03) return 'tls';
  }
  if (b0 === IAC || b0 === CR || b0 === LF) return 'plain';

  // the first line, up to CR / LF (or everything so far)
  let end = -1;
  for (let i = 0; i < n; i++) {
    const c = prefix[i]!;
    if (c === CR || c === LF) {
      end = i;
      break;
    }
    // IRC and HTTP openers are printable ASCII (tags may carry UTF-8, and are
    // checked by the parser once the line is complete)
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return 'plain';
    if (c >= 0x80 && b0 !== 0x40 /* @ */) return 'plain';
  }
  const complete = end !== -1;
  const line = prefix.toString('latin1', 0, complete ? end : n);

  if (complete || final) {
    if (isHttpRequestLine(line)) return 'http';
    if (isIrcOpener(complete ? prefix.toString('utf8', 0, end) : line)) return 'irc';
    return 'plain';
  }
  return couldBecomeOpener(line) ? 'need-more' : 'plain';
}

function isHttpRequestLine(line: string): boolean {
  const m = HTTP_REQUEST_LINE.exec(line);
  return m !== null && HTTP_METHODS.includes(m[1]!);
}

function isIrcOpener(line: string): boolean {
  const r = parse(line);
  if (!r.ok) return false;
  const shape = IRC_OPENERS.get(r.msg.command);
  return shape !== undefined && shape(r.msg.params);
}

/** Could this unfinished first line still turn into an IRC opener or an HTTP request? */
function couldBecomeOpener(line: string): boolean {
  const c0 = line.charCodeAt(0);
  if (c0 === 0x40 /* @ */ || c0 === 0x3a /* : */) return true;
  const sp = line.indexOf(' ');
  const word = sp === -1 ? line : line.slice(0, sp);
  const upper = word.toUpperCase();
  if (sp === -1) {
    for (const cmd of IRC_OPENERS.keys()) if (cmd.startsWith(upper)) return true;
    for (const m of HTTP_METHODS) if (m.startsWith(word)) return true;
    return false;
  }
  return IRC_OPENERS.has(upper) || HTTP_METHODS.includes(word);
}
