/**
 * The TCP listener: accepts sockets, applies the network policy (local network only
 * unless --public, CIDR allow list) and connection limits, and hands everything else
 * to the core as a TcpConnection.
 *
 * With `detect` set, the first bytes of each connection decide how it talks
 * (detect.ts): IRC goes to the core as a TcpConnection; plain text (netcat, telnet, the
 * lesson's Python socket, or a listener that stays silent for SILENT_MS) goes through
 * the plain dialect the caller injects (src/gateway.ts: this module imports no dialect),
 * still an ordinary session to the core; HTTP to the HTTP handler; a TLS ClientHello is
 * handshaken (tls.ts) and detection runs again on the decrypted stream, the same code
 * path, so IRC, plain lines, HTTPS and WSS all work over TLS on the one port (and on the
 * optional TLS-only port, `tls.port`).
 *
 * Over 500 lines: every per-socket admission decision (peer policy, PROXY header, caps
 * per address group, silent listeners, TLS handshakes) shares one set of counters and
 * one close path here; the refusal texts and the TLS/PROXY parsing live elsewhere.
 * Splitting the counters apart would let a socket be counted in one and not the other.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { Connection } from './connection.js';
import { closeText, closingLine, type CloseCode } from '../errors.js';
import { addressGroup, isPeerAllowed, normalizeAddress } from '../util/netmask.js';
import { TcpConnection, type TcpConnectionOptions } from './tcp-connection.js';
import { TokenBucket } from '../util/token-bucket.js';
import { describeFirstBytes, detect, DETECT_MAX_BYTES, whyDetected, type Detected } from './detect.js';
import { handleHttp, refusalResponse, type HttpHandler, type Refusal } from './http.js';
import type { SecureContext } from 'node:tls';
import { acceptTls } from './tls.js';
import { isTrustedProxy, looksLikeProxyHeader, PROXY_TIMEOUT_MS, readProxyHeader, untrustedProxyMessage } from './proxy-protocol.js';

export { isPeerAllowed } from '../util/netmask.js';

export interface TcpListenerOptions {
  host: string;
  port: number;
  config: () => Config;
  logger: Logger;
  onConnection: (conn: Connection) => void;
  /**
   * First-bytes detection (IRC / plain / HTTP). Absent: every connection is IRC, as
   * before. `http` replaces the placeholder page handler (the browser client).
   */
  detect?: { http?: HttpHandler; plain?: PlainDialect };
  /**
   * TLS: the context for new handshakes (read per handshake, so a reload swaps it) and an
   * optional TLS-only port. Absent: a ClientHello gets a handshake_failure alert.
   */
  tls?: { context: () => SecureContext; port?: number | null };
  /** `tincan serve --teach`: log each connection's first bytes (escaped, bounded) and how detection classified them */
  teach?: boolean;
}

/**
 * How a connection detected as plain text is served (src/gateway.ts builds it). Absent:
 * plain text is taken as IRC lines.
 */
export interface PlainDialect {
  /** framing for the line connection underneath (byte filters, partial-line flush) */
  framing(): Omit<TcpConnectionOptions, 'initial'>;
  /** wraps the line connection; `lurking`: it has sent nothing yet (a listener) */
  wrap(inner: Connection, info: { lurking: boolean; handOff?: (conn: Connection) => void }): Connection;
}

export interface TcpListener {
  address(): { host: string; port: number };
  close(): Promise<void>;
  readonly connectionCount: number;
  /** the TLS-only port's address, when one is configured */
  tlsAddress(): { host: string; port: number } | null;
}

/** How long a refused socket gets to read its ERROR line. */
const REFUSE_GRACE_MS = 1000;
/** How often the per-IP rate map is pruned. */
const PRUNE_INTERVAL_MS = 60_000;
/** How long close() waits for open sockets before destroying them. */
const CLOSE_WAIT_MS = 3000;
/** A connection silent this long is a plain listener (`nc HOST 4444`). */
export const SILENT_MS = 1000;
/** Refused sockets being answered at once; beyond this they are dropped without a word. */
const MAX_REFUSING = 1000;
/** A fatal TLS alert (handshake_failure): what a TLS client gets with tls.enabled false. */
const TLS_ALERT = Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28]);

/**
 * Reads the first bytes of `socket` until detect() decides (or SILENT_MS of silence,
 * or the peer's end of stream), then calls `done` with the kind and the bytes read.
 * Not called if the socket is gone by then.
 */
function sniff(socket: Socket, done: (kind: Exclude<Detected, 'need-more'>, head: Buffer, silent: boolean) => void): void {
  let head: Buffer = Buffer.alloc(0);
  let finished = false;
  const finish = (kind: Detected, silent = false): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('error', onError);
    if (socket.destroyed) return;
    done(kind === 'need-more' ? 'plain' : kind, head, silent);
  };
  const onData = (chunk: Buffer): void => {
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    const kind = detect(head, { final: head.length >= DETECT_MAX_BYTES });
    if (kind !== 'need-more') finish(kind);
  };
  const onEnd = (): void => finish(detect(head, { final: true }));
  const onError = (): void => {
    finished = true;
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(() => finish(detect(head, { final: true }), head.length === 0), SILENT_MS);
  socket.on('data', onData);
  socket.once('end', onEnd);
  socket.once('error', onError);
}

export function notLocalMessage(ip: string): string {
  return closingLine(ip, 'TINCAN_ERR_NOT_LOCAL');
}
export function tooManyMessage(ip: string): string {
  return closingLine(ip, 'TINCAN_ERR_TOO_MANY');
}
export function serverFullMessage(ip: string): string {
  return closingLine(ip, 'TINCAN_ERR_SERVER_FULL');
}
/** Sent (as text) to a silent connection refused because its address has too many. */
export function tooManySilentMessage(n: number): string {
  return closeText('TINCAN_ERR_SILENT_TOO_MANY', String(n));
}
/** Sent (as text) to a connection closed for never sending a byte. */
export function silentIdleMessage(seconds: number): string {
  const t = seconds >= 120 ? `${Math.round(seconds / 60)} minutes` : `${Math.round(seconds)} seconds`;
  return closeText('TINCAN_ERR_SILENT_IDLE', t);
}

const REFUSAL_CODES: Record<Refusal, CloseCode> = {
  full: 'TINCAN_ERR_SERVER_FULL',
  'too-many': 'TINCAN_ERR_TOO_MANY',
  'not-local': 'TINCAN_ERR_NOT_LOCAL',
};
/** The one line a plaintext IRC client gets with tls.require. */
export function tlsRequiredMessage(port: number, host = 'HOST'): string {
  return `ERROR :Closing link: this server requires TLS: connect with TLS to port ${port} (irssi: /connect -tls ${host} ${port}; WeeChat: /set irc.server.NAME.tls on)`;
}
/** What a netcat user gets with tls.require + tls.requirePlain. */
export function tlsRequiredPlainMessage(port: number, host = 'HOST'): string {
  return `* tincan: this server only accepts encrypted connections. Use: openssl s_client -quiet -connect ${host.includes(':') ? `[${host}]` : host}:${port}`;
}
/** What plaintext on the TLS-only port gets. */
export function tlsOnlyMessage(kind: Detected, plainPort: number): string {
  if (kind === 'http') {
    const body = `This port only speaks TLS: use https:// (or port ${plainPort}).\n`;
    return `HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  }
  return kind === 'irc'
    ? `ERROR :Closing link: this port only speaks TLS: turn TLS on in your client (irssi: -tls), or use port ${plainPort}`
    : `* tincan: this port only speaks TLS. Use port ${plainPort}, or: openssl s_client -quiet -connect HOST:PORT`;
}

/**
 * A 308 to the same URL over https:// (same port). The Host header is used when it came
 * with the first bytes, else the address the peer reached us on.
 */
export function httpsRedirect(head: Buffer, localAddr: string, port: number): string {
  const text = head.toString('latin1');
  const target = /^[!-~]+ (\/[!-~]*) HTTP\//.exec(text)?.[1] ?? '/';
  const hostHeader = /\r?\nhost:[ \t]*([A-Za-z0-9.:[\]-]{1,300})[ \t]*\r?\n/i.exec(text)?.[1];
  const host = hostHeader ?? (localAddr.includes(':') ? `[${localAddr}]:${port}` : `${localAddr}:${port}`);
  const url = `https://${host}${target}`;
  const body = `This server only accepts encrypted connections: ${url}\n`;
  return `HTTP/1.1 308 Permanent Redirect\r\nLocation: ${url}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** The address the peer reached us on, for "connect to ..." hints. */
function localHost(socket: Socket): string {
  return normalizeAddress(socket.localAddress ?? 'HOST');
}

function refusalKind(line: string): Refusal {
  const is = (kind: Refusal): boolean => line.endsWith(`(${closeText(REFUSAL_CODES[kind])})`);
  return is('full') ? 'full' : is('too-many') ? 'too-many' : 'not-local';
}

/**
 * Decides whether a new connection from `ip` is admitted. Returns null to admit, or
 * the ERROR line to send. Exported for tests; counters are not touched.
 */
export function admissionError(
  ip: string,
  config: Config,
  state: { total: number; perIp: number; rateOk: () => boolean },
): string | null {
  if (!isPeerAllowed(ip, config)) return notLocalMessage(ip);
  const c = config.connections;
  if (!c.enabled) return null;
  if (state.total >= c.maxClients) return serverFullMessage(ip);
  if (state.perIp >= c.perIp) return tooManyMessage(ip);
  if (!state.rateOk()) return tooManyMessage(ip);
  return null;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port });
  });
}

/** the address group a tracked socket is counted under (startTcpListener's track) */
const GROUP = Symbol('tincan.addressGroup');
type TrackedSocket = Socket & { [GROUP]: string };

export async function startTcpListener(opts: TcpListenerOptions): Promise<TcpListener> {
  const { config, logger, onConnection } = opts;
  // keyed by addressGroup(): an IPv4 address, or an IPv6 /connections.ipv6Prefix
  const perIp = new Map<string, number>();
  const rates = new Map<string, TokenBucket>();
  /** connections that have never sent a byte (plain listeners), per address group */
  const silentPerGroup = new Map<string, number>();
  const sockets = new Set<Socket>();
  let connectionCount = 0;
  let refusing = 0;

  const hangUp = (socket: Socket, data: string | Buffer): void => {
    socket.end(data);
    const t = setTimeout(() => socket.destroy(), REFUSE_GRACE_MS);
    t.unref();
    socket.once('close', () => clearTimeout(t));
  };

  /**
   * Refuses a socket. With HTTP served on this port, the first bytes are peeked first
   * (at most DETECT_MAX_BYTES, for at most SILENT_MS) so a browser gets a readable page
   * rather than an IRC ERROR line as its HTTP response.
   */
  const refuse = (socket: Socket, ip: string, line: string, why: string): void => {
    logger.info({ ip, port: socket.remotePort, code: REFUSAL_CODES[refusalKind(line)] }, `refused connection: ${why}`);
    socket.on('error', () => {});
    if (refusing >= MAX_REFUSING) {
      socket.destroy();
      return;
    }
    refusing++;
    socket.once('close', () => refusing--);
    if (opts.detect === undefined) {
      // discard what the peer sends so its FIN is seen and the socket closes promptly
      socket.resume();
      hangUp(socket, line + '\r\n');
      return;
    }
    let head: Buffer = Buffer.alloc(0);
    let answered = false;
    const answer = (kind: Detected): void => {
      if (answered) return;
      answered = true;
      clearTimeout(peek);
      socket.off('data', onData);
      socket.resume(); // from here on, what the peer sends is discarded
      if (socket.destroyed) return;
      // a TLS client cannot read a plaintext ERROR line: it gets a TLS alert instead
      hangUp(socket, kind === 'http' ? refusalResponse(refusalKind(line), ip) : kind === 'tls' ? TLS_ALERT : line + '\r\n');
    };
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]).subarray(0, DETECT_MAX_BYTES);
      const kind = detect(head, { final: head.length >= DETECT_MAX_BYTES });
      if (kind !== 'need-more') answer(kind);
    };
    const peek = setTimeout(() => answer(detect(head, { final: true })), SILENT_MS);
    peek.unref();
    socket.on('data', onData);
    socket.once('end', () => answer(detect(head, { final: true })));
    socket.once('close', () => clearTimeout(peek));
  };

  /** TLS handshakes in progress, per address group */
  const handshaking = new Map<string, number>();
  const tlsOpts = opts.tls;

  /**
   * Counts a socket until it closes. One listener function for every socket of this
   * listener, the address group kept on the socket: a 'close' listener made inside
   * onSocket would keep onSocket's whole context (hand, detectOn, ...) for the life of
   * every connection (about 400 bytes each), and a closure per socket registered with
   * once() costs a closure, its context, a bound wrapper and its state (about 200 bytes
   * each, docs/performance.md). 'close' is emitted once, so on() is enough.
   */
  function onTrackedClose(this: Socket): void {
    const group = (this as TrackedSocket)[GROUP];
    connectionCount--;
    sockets.delete(this);
    const n = (perIp.get(group) ?? 1) - 1;
    if (n <= 0) perIp.delete(group);
    else perIp.set(group, n);
  }
  const track = (socket: Socket, group: string): void => {
    sockets.add(socket);
    (socket as TrackedSocket)[GROUP] = group;
    socket.on('close', onTrackedClose);
  };

  /**
   * One accepted socket: admission, then detection. `tlsOnly` is the dedicated TLS port,
   * where anything but a ClientHello gets a one-line hint and is closed. `proxied`: the
   * client address a trusted proxy's PROXY header gave (proxy-protocol.ts).
   */
  const onSocket = (socket: Socket, tlsOnly: boolean, proxied?: string): void => {
    socket.setNoDelay(true);
    const raw = socket.remoteAddress;
    if (raw === undefined) {
      // already gone
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    const ip = proxied ?? normalizeAddress(raw);
    const cfg = config();
    if (proxied === undefined && isTrustedProxy(ip, cfg.connections.trustedProxies)) {
      readProxyHeader(socket, PROXY_TIMEOUT_MS, (r) => {
        if (!r.ok) {
          logger.info({ ip, port: socket.remotePort, reason: r.reason }, 'bad PROXY header from a trusted proxy');
          hangUp(socket, `ERROR :Closing link: ${r.reason}\r\n`);
          return;
        }
        if (r.rest.length > 0) socket.unshift(r.rest);
        onSocket(socket, tlsOnly, r.address ?? ip);
        socket.resume();
      });
      return;
    }
    const limits = cfg.connections;
    const group = addressGroup(ip, limits.ipv6Prefix);
    const count = perIp.get(group) ?? 0;
    const err = admissionError(ip, cfg, {
      total: connectionCount,
      perIp: count,
      rateOk: () => {
        let bucket = rates.get(group);
        if (bucket === undefined || bucket.burst !== limits.ratePerMinute) {
          bucket = new TokenBucket(limits.ratePerMinute / 60, limits.ratePerMinute);
          rates.set(group, bucket);
        }
        return bucket.take();
      },
    });
    if (err !== null) {
      refuse(socket, ip, err, err.slice(err.indexOf('(') + 1, -1));
      return;
    }

    connectionCount++;
    perIp.set(group, count + 1);
    track(socket, group);

    const hand = (make: () => Connection, dialect: string, secure: boolean): void => {
      let conn: Connection;
      try {
        conn = make();
      } catch (e) {
        logger.error({ err: e, ip }, 'could not set up connection');
        socket.destroy();
        return;
      }
      // conn.remotePort, not the socket's: the connection dropped Node's cached peer name
      if (logger.isLevelEnabled('debug')) logger.debug({ ip, port: conn.remotePort, id: conn.id, dialect, secure }, 'connection');
      try {
        onConnection(conn);
      } catch (e) {
        logger.error({ err: e, ip, id: conn.id }, 'onConnection threw; closing connection');
        conn.close(`ERROR :Closing link: ${closeText('TINCAN_ERR_HANDOFF')}`);
      }
    };

    const detectOpts = opts.detect;
    if (detectOpts === undefined && !tlsOnly) {
      hand(() => new TcpConnection(socket, config, { remoteAddress: ip, strictUtf8: true }), 'irc', false);
      return;
    }
    /**
     * A connection that has sent nothing yet (a listener): bounded per address group,
     * and closed with a goodbye line after timeouts.silentIdle unless a byte arrives.
     * `stream` is the socket lines come from (the TLSSocket for an encrypted one).
     */
    const trackSilent = (stream: Socket, inner: TcpConnection): void => {
      silentPerGroup.set(group, (silentPerGroup.get(group) ?? 0) + 1);
      let over = false;
      const stop = (): void => {
        if (over) return;
        over = true;
        clearTimeout(idle);
        stream.off('data', stop);
        const n = (silentPerGroup.get(group) ?? 1) - 1;
        if (n <= 0) silentPerGroup.delete(group);
        else silentPerGroup.set(group, n);
      };
      const idleS = config().timeouts.silentIdle;
      const idle = setTimeout(() => {
        stop();
        logger.info({ ip, id: inner.id }, 'closing a connection that never sent anything');
        inner.close(silentIdleMessage(idleS));
      }, idleS * 1000);
      idle.unref();
      stream.once('data', stop);
      stream.once('close', stop);
    };

    /** Hands the TLS socket's handshake off; on success, detection runs again inside. */
    const startTls = (head: Buffer): void => {
      if (tlsOpts === undefined || !config().tls.enabled) {
        logger.info({ ip, port: socket.remotePort }, 'TLS connection refused: TLS is turned off on this server (tls.enabled)');
        socket.on('error', () => {});
        socket.end(TLS_ALERT);
        setTimeout(() => socket.destroy(), REFUSE_GRACE_MS).unref();
        return;
      }
      const t = config().tls;
      const busy = handshaking.get(group) ?? 0;
      // like the other per-address caps, off with connections.enabled false
      if (config().connections.enabled && busy >= t.handshakesPerIp) {
        logger.debug({ ip, port: socket.remotePort, handshaking: busy }, 'TLS handshake refused: too many in progress from this address');
        socket.on('error', () => {});
        socket.destroy();
        return;
      }
      handshaking.set(group, busy + 1);
      let counted = true;
      const uncount = (): void => {
        if (!counted) return;
        counted = false;
        const n = (handshaking.get(group) ?? 1) - 1;
        if (n <= 0) handshaking.delete(group);
        else handshaking.set(group, n);
      };
      acceptTls(socket, head, tlsOpts.context(), t.handshakeTimeout * 1000, (r) => {
        uncount();
        if (!r.ok) {
          logger.debug({ ip, port: socket.remotePort, reason: r.reason }, 'TLS handshake failed');
          return;
        }
        detectOn(r.socket, true);
      });
    };

    /** First-bytes detection on `stream` (the raw socket, or the decrypted TLS stream). */
    const detectOn = (stream: Socket, secure: boolean): void => {
      sniff(stream, (kind, head, silent) => {
        if (opts.teach === true) {
          logger.info({ ip, port: socket.remotePort, secure, kind, bytes: head.length, first: describeFirstBytes(head) }, `teach: ${ip}${secure ? ' (inside TLS)' : ''} sent "${describeFirstBytes(head, 60)}": ${whyDetected(kind, head, silent)}`);
        }
        if (!secure && looksLikeProxyHeader(head)) {
          logger.info({ ip, port: socket.remotePort }, 'PROXY header from an address not in connections.trustedProxies refused');
          hangUp(stream, untrustedProxyMessage(ip) + '\r\n');
          return;
        }
        if (tlsOnly && !secure && kind !== 'tls') {
          logger.info({ ip, port: socket.remotePort, kind }, 'plaintext on the TLS-only port refused');
          hangUp(stream, tlsOnlyMessage(kind, listenPort()) + '\r\n');
          return;
        }
        const t = config().tls;
        switch (kind) {
          case 'irc':
            if (!secure && t.require && tlsOpts !== undefined && t.enabled) {
              logger.info({ ip, port: socket.remotePort }, 'plaintext IRC refused (tls.require)');
              hangUp(stream, tlsRequiredMessage(listenPort(), localHost(socket)) + '\r\n');
              return;
            }
            hand(() => new TcpConnection(stream, config, { initial: head, remoteAddress: ip, strictUtf8: true }), 'irc', secure);
            return;
          case 'plain': {
            if (!secure && t.require && t.requirePlain && tlsOpts !== undefined && t.enabled) {
              logger.info({ ip, port: socket.remotePort }, 'plaintext connection refused (tls.require, tls.requirePlain)');
              hangUp(stream, tlsRequiredPlainMessage(listenPort(), localHost(socket)) + '\r\n');
              return;
            }
            const c = config().connections;
            const quiet = silentPerGroup.get(group) ?? 0;
            if (silent && c.enabled && quiet >= c.silentPerIp) {
              logger.info({ ip, port: socket.remotePort, silent: quiet }, 'refused connection: too many silent connections');
              hangUp(stream, tooManySilentMessage(quiet) + '\r\n');
              return;
            }
            let inner: TcpConnection | null = null;
            const dialect = detectOpts?.plain;
            hand(
              () => {
                inner = new TcpConnection(stream, config, { initial: head, remoteAddress: ip, ...dialect?.framing() });
                // handOff: a plain guess that turns out to be an IRC client becomes an IRC session
                return dialect === undefined ? inner : dialect.wrap(inner, { lurking: silent, handOff: onConnection });
              },
              'plain',
              secure,
            );
            if (silent && inner !== null && !stream.destroyed) trackSilent(stream, inner);
            return;
          }
          case 'http':
            if (!secure && t.require && tlsOpts !== undefined && t.enabled) {
              // the page would open ws://, plaintext IRC: send the browser to https:// instead
              logger.info({ ip, port: socket.remotePort }, 'plaintext HTTP redirected to https:// (tls.require)');
              hangUp(stream, httpsRedirect(head, localHost(socket), listenPort()));
              return;
            }
            try {
              (detectOpts?.http ?? handleHttp)(stream, head, { config: config(), logger, port: listenPort() });
            } catch (e) {
              logger.error({ err: e, ip }, 'HTTP handler threw');
              stream.destroy();
            }
            return;
          case 'tls':
            if (secure) {
              // a ClientHello inside TLS: nothing speaks that
              logger.debug({ ip, port: socket.remotePort }, 'TLS inside TLS refused');
              stream.destroy();
              return;
            }
            startTls(head);
            return;
        }
      });
    };
    detectOn(socket, false);
  };

  const listenPort = (): number => {
    const a = server.address();
    return a !== null && typeof a === 'object' ? a.port : opts.port;
  };
  const server = createServer({ noDelay: true }, (socket) => onSocket(socket, false));

  try {
    await listen(server, opts.host, opts.port);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // '::' on a host without IPv6: fall back to all IPv4 interfaces
    if (opts.host === '::' && (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL' || code === 'EINVAL')) {
      logger.warn(`IPv6 is unavailable (${code}); listening on 0.0.0.0 (IPv4 only)`);
      await listen(server, '0.0.0.0', opts.port);
    } else {
      throw e;
    }
  }
  // only after listening: a failed listen is the caller's to report (no stack in the log)
  server.on('error', (e) => logger.error({ err: e }, 'listener error'));

  let tlsServer: Server | null = null;
  if (tlsOpts?.port !== undefined && tlsOpts.port !== null) {
    tlsServer = createServer({ noDelay: true }, (socket) => onSocket(socket, true));
    tlsServer.on('error', (e) => logger.error({ err: e }, 'TLS listener error'));
    const a = server.address();
    const host = a !== null && typeof a === 'object' ? a.address : opts.host;
    try {
      await listen(tlsServer, host, tlsOpts.port);
    } catch (e) {
      server.close();
      throw e;
    }
  }

  // Rate buckets that have refilled completely are equivalent to no entry at all.
  const pruneTimer = setInterval(() => {
    for (const [ip, bucket] of rates) if (bucket.isFull()) rates.delete(ip);
  }, PRUNE_INTERVAL_MS);
  pruneTimer.unref();

  let closing: Promise<void> | null = null;
  return {
    address() {
      const a = server.address();
      if (a === null || typeof a === 'string') return { host: opts.host, port: opts.port };
      return { host: a.address, port: a.port };
    },
    get connectionCount() {
      return connectionCount;
    },
    tlsAddress() {
      const a = tlsServer?.address();
      if (a === undefined || a === null || typeof a === 'string') return null;
      return { host: a.address, port: a.port };
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(pruneTimer);
        rates.clear();
        let done = false;
        const timer = setTimeout(() => {
          for (const s of sockets) s.destroy();
        }, CLOSE_WAIT_MS);
        tlsServer?.close();
        // kept referenced: close() must settle even when nothing else keeps the loop alive
        server.close(() => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve();
        });
      });
      return closing;
    },
  };
}
