/**
 * Placeholder HTTP answer for browsers that open the IRC port: a small page saying
 * tincan is running and how to connect, then the connection is closed. The browser
 * client issue replaces this with the real app and the WebSocket upgrade on `/irc`
 * (see web-server.ts); the listener calls whichever handler it is given, with the
 * same signature as {@link handleHttp}.
 *
 * Deliberately tiny: reads the request head (bounded, with a timeout), answers GET and
 * HEAD for any path with the page (404 for anything but `/`), 405 for other methods,
 * 400 for a head that is too large or malformed, always `Connection: close`.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import { VERSION } from '../core/version.js';

/** Everything an HTTP handler gets besides the socket and the bytes already read. */
export interface HttpContext {
  config: Config;
  logger: Logger;
  /** the port this listener is bound to (for the "connect with" hints) */
  port: number;
}

/** Entry point the listener calls for a connection detected as HTTP. */
export type HttpHandler = (socket: Socket, head: Buffer, ctx: HttpContext) => void;

/** Largest request head we read. */
export const MAX_HEAD_BYTES = 8192;
/** How long the peer gets to send the whole request head, when the config has no web.headTimeout. */
export const HEAD_TIMEOUT_MS = 5000;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The placeholder page. */
export function placeholderPage(ctx: { serverName: string; host: string; port: number; channel: string }): string {
  const host = escapeHtml(ctx.host);
  const name = escapeHtml(ctx.serverName);
  const ch = escapeHtml(ctx.channel);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>tincan on ${name}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 2em auto; padding: 0 1em">
<h1>tincan is running</h1>
<p>This is the chat server <b>${name}</b> (tincan ${escapeHtml(VERSION)}). The browser client is coming soon.
Until then, join <b>${ch}</b> from a terminal:</p>
<pre>nc ${host} ${ctx.port}</pre>
<p>or point an IRC client at <code>irc://${host}:${ctx.port}/${ch}</code>.</p>
</body>
</html>
`;
}

/** Why a connection was refused before it got to the server (tcp.ts admission). */
export type Refusal = 'not-local' | 'too-many' | 'full';

/**
 * A complete HTTP response (head and body, Connection: close) telling a refused browser
 * why and what to do, instead of the IRC `ERROR` line an IRC client gets.
 */
export function refusalResponse(kind: Refusal, ip: string): string {
  const [status, title, text] =
    kind === 'not-local'
      ? [
          '403 Forbidden',
          'This tincan server only accepts the local network',
          `Your address (${ip}) is not on the server's local network, so it refused the connection. ` +
            'If you are on the same network, ask whoever runs the server to add your network ' +
            '(for example <code>allow: ["' + escapeHtml(ip) + '/24"]</code> in its configuration) ' +
            'or to start it with <code>--public</code>.',
        ]
      : kind === 'too-many'
        ? [
            '429 Too Many Requests',
            'Too many connections from your address',
            `tincan already has as many connections from your address (${ip}) as it allows. ` +
              'Close some tabs or chat windows, wait a minute, then reload this page.',
          ]
        : ['503 Service Unavailable', 'The server is full', 'tincan has as many users as it allows. Try again later.'];
  const body =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>tincan: ${escapeHtml(title)}</title></head>` +
    '<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 2em auto; padding: 0 1em">' +
    `<h1>${escapeHtml(title)}</h1><p>${text.replace(ip, escapeHtml(ip))}</p></body></html>\n`;
  return (
    `HTTP/1.1 ${status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n" +
    `${kind === 'not-local' ? '' : 'Retry-After: 60\r\n'}Connection: close\r\n\r\n${body}`
  );
}

function respond(socket: Socket, status: string, headers: Record<string, string>, body: string, head: boolean): void {
  const bytes = Buffer.byteLength(body);
  let out = `HTTP/1.1 ${status}\r\n`;
  const all: Record<string, string> = {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(bytes),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    Connection: 'close',
    ...headers,
  };
  for (const [k, v] of Object.entries(all)) out += `${k}: ${v}\r\n`;
  out += '\r\n';
  socket.end(head ? out : out + body);
}

/**
 * Answers one HTTP request on `socket` and closes it. `head` holds the bytes already
 * read by first-bytes detection (the start of the request).
 */
export const handleHttp: HttpHandler = (socket, head, ctx) => {
  let buf = head;
  let done = false;
  // absolute: a head trickled a byte at a time gets no more time than a quick one
  const timer = setTimeout(() => finish(null, true), (ctx.config.web?.headTimeout ?? HEAD_TIMEOUT_MS / 1000) * 1000);
  timer.unref();
  socket.on('error', () => {});

  const finish = (request: string | null, timedOut = false): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.pause();
    const destroy = setTimeout(() => socket.destroy(), 2000);
    destroy.unref();
    socket.once('close', () => clearTimeout(destroy));
    if (timedOut) {
      respond(socket, '408 Request Timeout', { 'Content-Type': 'text/plain; charset=utf-8' }, 'Request timeout\n', false);
      return;
    }
    if (request === null) {
      respond(socket, '400 Bad Request', { 'Content-Type': 'text/plain; charset=utf-8' }, 'Bad request\n', false);
      return;
    }
    const first = request.slice(0, request.indexOf('\r\n') === -1 ? request.indexOf('\n') : request.indexOf('\r\n'));
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(first)) {
      respond(socket, '400 Bad Request', { 'Content-Type': 'text/plain; charset=utf-8' }, 'Bad request\n', false);
      return;
    }
    const [method = '', target = ''] = first.split(' ');
    const hostHeader = /^host:[ \t]*([^\r\n]*)/im.exec(request)?.[1]?.trim();
    const hostOnly = hostHeader === undefined || hostHeader === '' ? 'this-machine' : hostHeader.replace(/:\d+$/, '');
    ctx.logger.debug({ ip: socket.remoteAddress, method, target }, 'http request');
    // no route takes a body: refuse it unread (the socket stays paused)
    if (/^transfer-encoding:/im.test(request) || /^content-length:[ \t]*0*[1-9]/im.test(request)) {
      respond(socket, '413 Content Too Large', { 'Content-Type': 'text/plain; charset=utf-8' }, 'This server takes no request bodies\n', false);
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      respond(socket, '405 Method Not Allowed', { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }, 'Method not allowed\n', false);
      return;
    }
    const path = target.split('?')[0];
    const page = placeholderPage({ serverName: ctx.config.serverName, host: hostOnly, port: ctx.port, channel: ctx.config.defaultChannel });
    if (path !== '/' && path !== '/index.html') {
      respond(socket, '404 Not Found', {}, page, method === 'HEAD');
      return;
    }
    respond(socket, '200 OK', {}, page, method === 'HEAD');
  };

  const check = (): void => {
    const s = buf.toString('latin1');
    const end = s.search(/\r?\n\r?\n/);
    if (end !== -1) finish(s.slice(0, end + 2));
    else if (buf.length > MAX_HEAD_BYTES) finish(null);
  };
  const onData = (chunk: Buffer): void => {
    buf = Buffer.concat([buf, chunk]);
    check();
  };
  socket.on('data', onData);
  socket.once('end', () => finish(null));
  check();
};
