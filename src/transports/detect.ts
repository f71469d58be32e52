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
 *   is 'plain': IRC clients and browsers never start like that; except that a non-ASCII
 *   byte after an opener's command word (`NICK Işıl`) waits for the line end and is
 *   judged by the IRC rule below on the UTF-8 text (the core then registers or 432s).
 * - a complete first line shaped like an HTTP request line is 'http': `METHOD target
 *   HTTP/x` with a known method, or any other token (`get`, `FOO`) before an HTTP target
 *   (`/...`, `*`, `scheme://...`, `host:port`). The HTTP side answers 400/405/501; an
 *   odd request must never be taken for chat. Control bytes (a NUL) inside a line that
 *   started like a request keep it HTTP.
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
const IRC_OPENERS: ReadonlyMap<string, (params: string[], complete: boolean) => boolean> = new Map<string, (params: string[], complete: boolean) => boolean>([
  // a known subcommand in any case; an unknown one (the core answers 410) only alone, in
  // upper case, on a complete line, so `cap it`, `CAP IS OFF` or a cut-off `CAP L` stay chat
  ['CAP', (p, complete) => p.length >= 1 && (/^(LS|REQ|END|LIST|ACK|NAK|NEW|DEL)$/i.test(p[0]!) ? p.length <= 3 : complete && p.length === 1 && /^[A-Z][A-Z0-9_-]*$/.test(p[0]!))],
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

/** The HTTP-version token is case-sensitive (RFC 9112), so `get / http/1.1` stays chat. */
const HTTP_VERSION = /^HTTP\/\d(\.\d)?$/;
/** origin-form, asterisk-form, absolute-form, authority-form (RFC 9112 3.2) */
const HTTP_TARGET = /^(\/|\*$|[A-Za-z][A-Za-z0-9+.-]*:\/\/|[^\s/]+:\d+$)/;
/** the start of a request line: a method-like word, a space, the start of a target */
const HTTP_START = /^[!-~]{1,32} ([/*]|[A-Za-z][A-Za-z0-9+.-]*:)/;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\xff]/g;

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
  /** a control or non-ASCII byte in what looks like an HTTP request line */
  let junk = false;
  /** a non-ASCII byte came after an IRC opener's command word: UTF-8 parameters */
  let utf8 = false;
  for (let i = 0; i < n; i++) {
    const c = prefix[i]!;
    if (c === CR || c === LF) {
      end = i;
      break;
    }
    if (c >= 0x80 && !junk && (utf8 || openerWordDone(prefix.toString('latin1', 0, i)))) {
      utf8 = true;
      continue;
    }
    // IRC and HTTP openers are printable ASCII (tags may carry UTF-8, and are
    // checked by the parser once the line is complete); a request line with junk in it
    // is still HTTP (the HTTP parser answers 400), never chat
    if (((c < 0x20 && c !== 0x09) || c === 0x7f || (c >= 0x80 && b0 !== 0x40)) && !junk) {
      if (!couldBeHttp(prefix.toString('latin1', 0, i).replace(CONTROLS, ''))) return 'plain';
      junk = true;
    }
  }
  const complete = end !== -1;
  const line = prefix.toString('latin1', 0, complete ? end : n);

  if (junk) {
    if (complete || final) return isHttpRequestLine(line.replace(CONTROLS, '')) ? 'http' : 'plain';
    return 'need-more';
  }
  if (complete || final) {
    if (isHttpRequestLine(line)) return 'http';
    if (isIrcOpener(prefix.toString('utf8', 0, complete ? end : n), complete)) return 'irc';
    return 'plain';
  }
  return utf8 || couldBecomeOpener(line) ? 'need-more' : 'plain';
}

/** Does this unfinished ASCII line start with an IRC opener's command word and a space (after optional @tags / :source)? */
function openerWordDone(line: string): boolean {
  let rest = line;
  if (rest.startsWith('@')) {
    const sp = rest.indexOf(' ');
    if (sp === -1) return false;
    rest = rest.slice(sp + 1).replace(/^ +/, '');
  }
  if (rest.startsWith(':')) {
    const sp = rest.indexOf(' ');
    if (sp === -1) return false;
    rest = rest.slice(sp + 1).replace(/^ +/, '');
  }
  const sp = rest.indexOf(' ');
  return sp > 0 && IRC_OPENERS.has(rest.slice(0, sp).toUpperCase());
}

/** `METHOD target HTTP/x.y`: a known method with any target, or any token with an HTTP target. */
export function isHttpRequestLine(line: string): boolean {
  const parts = line.split(' ');
  if (parts.length !== 3) return false;
  const [method, target, version] = parts as [string, string, string];
  if (!HTTP_VERSION.test(version) || target === '' || method === '' || method.length > 32) return false;
  if (HTTP_METHODS.includes(method)) return true;
  return /^[!-~]+$/.test(method) && HTTP_TARGET.test(target);
}

/** Could this unfinished first line (control bytes removed) still be an HTTP request line? */
function couldBeHttp(line: string): boolean {
  const sp = line.indexOf(' ');
  if (sp === -1) return line !== '' && HTTP_METHODS.some((m) => m.startsWith(line));
  return HTTP_METHODS.includes(line.slice(0, sp)) || HTTP_START.test(line);
}

function isIrcOpener(line: string, complete: boolean): boolean {
  const r = parse(line);
  if (!r.ok) return false;
  const shape = IRC_OPENERS.get(r.msg.command);
  return shape !== undefined && shape(r.msg.params, complete);
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
  return IRC_OPENERS.has(upper) || HTTP_METHODS.includes(word) || HTTP_START.test(line);
}

/** The first bytes of a connection for a log line: at most `max`, escaped (\r \n \xNN), never raw. */
export function describeFirstBytes(head: Buffer, max = 120): string {
  let s = '';
  for (const c of head.subarray(0, max)) {
    if (c === 13) s += '\\r';
    else if (c === 10) s += '\\n';
    else if (c === 9) s += '\\t';
    else if (c === 0x5c) s += '\\\\';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\x' + c.toString(16).padStart(2, '0');
  }
  return head.length > max ? s + `… (${head.length} bytes)` : s;
}

/** Why detect() said `kind` about these first bytes, in a learner's words (`tincan serve --teach`). */
export function whyDetected(kind: Exclude<Detected, 'need-more'>, head: Buffer, silent: boolean): string {
  if (silent) return 'plain: it sent nothing for a second, so it is someone listening with nc or telnet';
  switch (kind) {
    case 'tls':
      return 'TLS: it starts with 0x16 0x03, a TLS ClientHello; after the handshake detection runs again on the decrypted bytes';
    case 'http':
      return 'HTTP: its first line is an HTTP request line (METHOD /path HTTP/1.1): a browser, curl or the web app';
    case 'irc': {
      const word = /^(?:@\S+ +)?(?::\S+ +)?([A-Za-z]+)/.exec(head.toString('latin1'))?.[1]?.toUpperCase() ?? '?';
      return `IRC: its first line starts with the IRC command ${word}, so it is an IRC client`;
    }
    case 'plain':
      if (head[0] === IAC) return 'plain: it starts with 0xFF, telnet option negotiation';
      return 'plain: text that is neither an IRC command nor an HTTP request, so a person typing (nc, telnet, a lesson script)';
  }
}
