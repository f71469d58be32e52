/**
 * The HTTP side of the IRC port: serves the built browser client (dist/web/) and
 * upgrades `GET /irc` to an IRC-over-WebSocket connection (IRCv3 WebSocket spec,
 * subprotocols text.ircv3.net and binary.ircv3.net; clients offering neither get text).
 *
 * It is a plain `http.Server` that never listens itself: the TCP listener sniffs the
 * first bytes and hands HTTP sockets in with {@link WebServer.handleSocket}. Peer policy
 * (local network only, per-IP caps) has already been applied by then. Because it never
 * listens, Node's own headersTimeout/requestTimeout never run: {@link HttpDeadlines}
 * gives every socket a head deadline (web.headTimeout, however slowly the head
 * trickles), a request deadline and a keep-alive idle timeout. No route takes a
 * request body: one is refused with 413 and the connection closed unread.
 *
 * Static files are read once into memory at start (the app is a few files), with
 * precompressed .br / .gz siblings served by Accept-Encoding, strong ETags, and
 * Cache-Control: hashed assets are immutable, index.html is revalidated every time.
 * Every response carries a strict Content-Security-Policy.
 *
 * Not here: TLS (see tls.ts), first-bytes detection (detect.ts), the IRC core.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Config } from '../config/types.js';
import { closeText } from '../errors.js';
import type { Connection } from './connection.js';
import { BINARY_PROTOCOL, TEXT_PROTOCOL, WsConnection } from './websocket.js';

/** The WebSocket endpoint. `/` is accepted too, for clients configured with a bare host. */
export const WS_PATH = '/irc';

export const CSP =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; " +
  "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

interface StaticFile {
  type: string;
  etag: string;
  body: Buffer;
  gz: Buffer | null;
  br: Buffer | null;
  immutable: boolean;
}

/** Looks for the built client next to the compiled code (dist/web) or, from src/, in dist/web. */
export function findWebRoot(): string | null {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const rel of ['../web', '../../dist/web']) {
    const p = join(here, rel);
    if (existsSync(join(p, 'index.html'))) return p;
  }
  return null;
}

/** Reads every file under `root` (without .gz/.br siblings, which are attached). */
export function loadStatic(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        walk(p);
        continue;
      }
      if (name.endsWith('.gz') || name.endsWith('.br')) continue;
      const body = readFileSync(p);
      const url = '/' + relative(root, p).split(sep).join('/');
      const read = (q: string): Buffer | null => (existsSync(q) ? readFileSync(q) : null);
      files.set(url, {
        type: TYPES[extname(name)] ?? 'application/octet-stream',
        etag: '"' + createHash('sha256').update(body).digest('base64url').slice(0, 22) + '"',
        body,
        gz: read(p + '.gz'),
        br: read(p + '.br'),
        // esbuild's [name]-[hash] naming: anything under /assets/ is content-addressed
        immutable: url.startsWith('/assets/'),
      });
    }
  };
  walk(root);
  return files;
}

const FALLBACK_PAGE = Buffer.from(
  '<!doctype html><meta charset="utf-8"><title>tincan</title>' +
    '<p>The tincan web client has not been built (run <code>npm run build</code>). ' +
    'IRC clients and netcat can connect to this port directly.</p>',
);

export interface WebServerOptions {
  config: () => Config;
  logger: Logger;
  onConnection: (conn: Connection) => void;
  /** directory of the built client; default: {@link findWebRoot}. null serves a fallback page. */
  root?: string | null;
  /** more routes, asked first (the shared files, src/files/service.ts); they may take a body */
  routes?: HttpRoutes;
  /** more Origins allowed to open /irc: the other nodes of a cluster (a page served by one fails over to another) */
  extraOrigins?: () => readonly string[];
}

/** Routes outside the app: `handle` answers and returns true, or returns false to pass. */
export interface HttpRoutes {
  handle(req: IncomingMessage, res: ServerResponse, ctl: { clearDeadline(): void; expectsContinue: boolean }): boolean;
}

export interface WebServer {
  /** the http.Server (not listening): tests may `.listen(0)` it directly */
  readonly http: Server;
  /** true when the built client was found */
  readonly hasApp: boolean;
  /** true when it has more routes than the app (then it answers HTTP even without the app) */
  readonly hasRoutes: boolean;
  /** Adopts a socket whose first bytes (`firstChunk`, already read) look like HTTP. */
  handleSocket(socket: Socket, firstChunk?: Buffer): void;
  /** Closes open WebSocket and HTTP connections. */
  close(): void;
}

/**
 * The deadlines of one HTTP socket. Exactly one timer is armed at a time: waiting for a
 * request head (from the first byte of it), answering it, or idling between requests.
 */
class HttpDeadlines {
  #timer: NodeJS.Timeout | null = null;
  #waitingForData = false;
  readonly #onData = (): void => {
    // the first byte of the next request on a kept-alive connection
    if (!this.#waitingForData) return;
    this.#waitingForData = false;
    this.head();
  };
  constructor(
    readonly socket: Socket,
    readonly config: () => Config,
  ) {
    socket.on('data', this.#onData);
    socket.once('close', () => this.clear());
  }
  #arm(seconds: number, onExpiry: () => void): void {
    this.clear();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      onExpiry();
    }, seconds * 1000);
    this.#timer.unref();
  }
  /** waiting for a (complete) request head */
  head(): void {
    this.#arm(this.config().web.headTimeout, () => {
      if (this.socket.writable) this.socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      this.#doom();
    });
  }
  /** a request is being answered */
  request(): void {
    this.#waitingForData = false;
    this.#arm(this.config().web.requestTimeout, () => this.socket.destroy());
  }
  /** answered; a kept-alive connection waits for its next request */
  idle(): void {
    this.#waitingForData = true;
    this.#arm(this.config().web.keepAliveTimeout, () => this.socket.destroy());
  }
  /** upgraded to a WebSocket: the IRC core's PINGs take over */
  clear(): void {
    this.#waitingForData = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
  detach(): void {
    this.clear();
    this.socket.off('data', this.#onData);
  }
  #doom(): void {
    const t = setTimeout(() => this.socket.destroy(), 1000);
    t.unref();
  }
}

/** How long a refused request's socket lingers (to deliver the answer) before it is destroyed. */
const REFUSED_LINGER_MS = 1000;

/**
 * Whether a WebSocket upgrade with this Origin may talk IRC as the user: no Origin (not
 * a browser), same origin (Origin's host:port is the request's Host), or an origin in
 * web.allowedOrigins ("*" = any). Anything else is another web page the user has open,
 * which must not read or post as them.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes('*')) return true;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, file://) and garbage
  }
  if (o.origin === 'null') return false;
  if (allowed.includes(o.origin)) return true;
  if (host === undefined || host === '') return false;
  try {
    // the Host header has no scheme; compare it with the origin's host:port, the default
    // port of the origin's scheme filled in where either leaves it out
    const h = new URL(`${o.protocol}//${host}`);
    return h.host === o.host && h.pathname === '/';
  } catch {
    return false;
  }
}

/** True when the request announces a body (no route here takes one). */
export function hasBody(req: IncomingMessage): boolean {
  const te = req.headers['transfer-encoding'];
  if (te !== undefined) return true;
  const cl = req.headers['content-length'];
  return cl !== undefined && cl.trim() !== '0';
}

function chooseEncoding(accept: string | undefined, f: StaticFile): 'br' | 'gzip' | null {
  if (accept === undefined) return null;
  const tokens = accept.split(',').map((t) => t.trim().split(';'));
  const ok = (name: string): boolean =>
    tokens.some((t) => t[0]?.trim() === name && !t.slice(1).some((q) => /^\s*q=0(\.0*)?\s*$/.test(q)));
  if (f.br !== null && ok('br')) return 'br';
  if (f.gz !== null && ok('gzip')) return 'gzip';
  return null;
}

export function createWebServer(opts: WebServerOptions): WebServer {
  const root = opts.root === undefined ? findWebRoot() : opts.root;
  const files = root === null ? new Map<string, StaticFile>() : loadStatic(root);
  const hasApp = files.has('/index.html');
  const log = opts.logger;

  const deadlines = new WeakMap<Socket, HttpDeadlines>();
  /** requests that sent `Expect: 100-continue` (a route that takes the body answers 100 itself) */
  const continued = new WeakSet<IncomingMessage>();

  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    const dl = deadlines.get(req.socket);
    if (dl !== undefined) {
      dl.request();
      res.once('finish', () => {
        if (!req.socket.destroyed) dl.idle();
      });
    }
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const expectsContinue = continued.has(req);
    continued.delete(req);
    if (opts.routes !== undefined) {
      try {
        if (opts.routes.handle(req, res, { clearDeadline: () => dl?.clear(), expectsContinue })) return;
      } catch (err) {
        // a bug in a route costs that request only
        log.error({ err, url: req.url }, 'HTTP route failed');
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
        res.end('internal error\n');
        return;
      }
    }
    const method = req.method ?? 'GET';
    if (hasBody(req)) {
      // Refuse without reading: stop the socket so the body is never consumed (a 20 GB
      // chunked upload used to be read to the end), answer, and close.
      const socket = req.socket;
      socket.pause();
      log.info({ ip: socket.remoteAddress, method, url: req.url }, 'HTTP request with a body refused (413)');
      res.shouldKeepAlive = false;
      res.writeHead(413, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end('this server takes no request bodies\n');
      res.once('finish', () => {
        socket.pause();
        const t = setTimeout(() => socket.destroy(), REFUSED_LINGER_MS);
        t.unref();
        socket.once('close', () => clearTimeout(t));
      });
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('method not allowed\n');
      return;
    }
    let path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/' || path === '/index.html') path = '/index.html';
    if (path === WS_PATH) {
      res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket' });
      res.end('this is the IRC-over-WebSocket endpoint (subprotocol text.ircv3.net)\n');
      return;
    }
    if (!hasApp && path === '/index.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' });
      res.end(method === 'HEAD' ? undefined : FALLBACK_PAGE);
      return;
    }
    const f = files.get(path);
    if (f === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
      res.end('not found\n');
      return;
    }
    const headers: Record<string, string | number> = {
      'Content-Type': f.type,
      ETag: f.etag,
      'Cache-Control': f.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      Vary: 'Accept-Encoding',
    };
    const inm = req.headers['if-none-match'];
    if (inm !== undefined && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === f.etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const enc = chooseEncoding(req.headers['accept-encoding'], f);
    const body = enc === 'br' ? f.br! : enc === 'gzip' ? f.gz! : f.body;
    if (enc !== null) headers['Content-Encoding'] = enc;
    headers['Content-Length'] = body.length;
    res.writeHead(200, headers);
    res.end(method === 'HEAD' ? undefined : body);
  };

  // timeouts are HttpDeadlines' (this server never listens, so Node's would never run)
  const http = createServer({ requestTimeout: 0, headersTimeout: 0, keepAliveTimeout: 0 }, serve);
  // without this Node answers 100 Continue to everyone, inviting bodies that will be refused
  http.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    continued.add(req);
    serve(req, res);
  });
  http.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const wss = new WebSocketServer({
    noServer: true,
    // a little over one full IRC line with tags; bigger frames are refused (close 1009)
    maxPayload: opts.config().limits.maxLineBytes + 1024,
    perMessageDeflate: false,
    clientTracking: true,
    handleProtocols: (protocols) => {
      if (protocols.has(TEXT_PROTOCOL)) return TEXT_PROTOCOL;
      if (protocols.has(BINARY_PROTOCOL)) return BINARY_PROTOCOL;
      return false;
    },
  });

  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    deadlines.get(socket)?.detach();
    deadlines.delete(socket);
    const path = (req.url ?? '/').split('?')[0];
    const upgrade = (req.headers.upgrade ?? '').toLowerCase();
    if ((path !== WS_PATH && path !== '/') || upgrade !== 'websocket') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const origin = req.headers.origin;
    const allowed = opts.config().web.allowedOrigins;
    if (!originAllowed(origin, req.headers.host, opts.extraOrigins === undefined ? allowed : [...allowed, ...opts.extraOrigins()])) {
      log.warn({ ip: socket.remoteAddress, origin, host: req.headers.host }, 'WebSocket refused: Origin is neither this server nor in web.allowedOrigins');
      const body = 'This page may not use this tincan server: its Origin is not allowed (see web.allowedOrigins).\n';
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    const offered = req.headers['sec-websocket-protocol'];
    if (offered !== undefined) {
      const list = offered.split(',').map((s) => s.trim());
      // Offering subprotocols but none of ours: refuse (RFC 6455 4.2.2 lets us), rather
      // than talk IRC to a client that expects something else.
      if (!list.includes(TEXT_PROTOCOL) && !list.includes(BINARY_PROTOCOL)) {
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new WsConnection(ws, {
        socket,
        binary: ws.protocol === BINARY_PROTOCOL,
        secure: 'encrypted' in socket && socket.encrypted === true,
        config: opts.config,
      });
      log.debug({ ip: conn.remoteAddress, id: conn.id, protocol: ws.protocol || '(none)' }, 'websocket connection');
      try {
        opts.onConnection(conn);
      } catch (e) {
        log.error({ err: e, id: conn.id }, 'onConnection threw; closing websocket');
        conn.close(`ERROR :Closing link: ${closeText('TINCAN_ERR_HANDOFF')}`);
      }
    });
  });

  return {
    http,
    hasApp,
    hasRoutes: opts.routes !== undefined,
    handleSocket(socket, firstChunk) {
      if (firstChunk !== undefined && firstChunk.length > 0) socket.unshift(firstChunk);
      const dl = new HttpDeadlines(socket, opts.config);
      deadlines.set(socket, dl);
      dl.head(); // the first request has begun (detection read its first bytes)
      http.emit('connection', socket);
      // detection may have paused the socket; the http parser reads from here on
      socket.resume();
    },
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      http.closeAllConnections();
      http.close();
    },
  };
}

/**
 * The listener's HTTP entry point (tcp.ts `detect.http`, same shape as http.ts's
 * placeholder handleHttp): the web app and WebSocket when the client is built, else the
 * placeholder page from http.ts.
 */
export function webHttpHandler<C>(web: WebServer, fallback: (socket: Socket, head: Buffer, ctx: C) => void): (socket: Socket, head: Buffer, ctx: C) => void {
  return (socket, head, ctx) => {
    if (web.hasApp || web.hasRoutes) web.handleSocket(socket, head);
    else fallback(socket, head, ctx);
  };
}
