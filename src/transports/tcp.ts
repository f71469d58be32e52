/**
 * The TCP listener: accepts sockets, applies the network policy (local network only
 * unless --public, CIDR allow list) and connection limits, and hands everything else
 * to the core as a TcpConnection.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { Connection } from './connection.js';
import { isPeerAllowed, normalizeAddress } from './netmask.js';
import { TcpConnection } from './tcp-connection.js';
import { TokenBucket } from './token-bucket.js';

export { isPeerAllowed } from './netmask.js';

export interface TcpListenerOptions {
  host: string;
  port: number;
  config: () => Config;
  logger: Logger;
  onConnection: (conn: Connection) => void;
}

export interface TcpListener {
  address(): { host: string; port: number };
  close(): Promise<void>;
  readonly connectionCount: number;
}

/** How long a refused socket gets to read its ERROR line. */
const REFUSE_GRACE_MS = 1000;
/** How often the per-IP rate map is pruned. */
const PRUNE_INTERVAL_MS = 60_000;
/** How long close() waits for open sockets before destroying them. */
const CLOSE_WAIT_MS = 3000;

export function notLocalMessage(ip: string): string {
  return `ERROR :Closing link: ${ip} (tincan only accepts connections from the local network; start the server with --public to allow others)`;
}
export function tooManyMessage(ip: string): string {
  return `ERROR :Closing link: ${ip} (Too many connections from your address)`;
}
export function serverFullMessage(ip: string): string {
  return `ERROR :Closing link: ${ip} (Server is full)`;
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

export async function startTcpListener(opts: TcpListenerOptions): Promise<TcpListener> {
  const { config, logger, onConnection } = opts;
  const perIp = new Map<string, number>();
  const rates = new Map<string, TokenBucket>();
  const sockets = new Set<Socket>();
  let connectionCount = 0;

  const refuse = (socket: Socket, ip: string, line: string, why: string): void => {
    logger.info({ ip, port: socket.remotePort }, `refused connection: ${why}`);
    socket.on('error', () => {});
    // discard what the peer sends so its FIN is seen and the socket closes promptly
    socket.resume();
    socket.end(line + '\r\n');
    const t = setTimeout(() => socket.destroy(), REFUSE_GRACE_MS);
    t.unref();
    socket.once('close', () => clearTimeout(t));
  };

  const server = createServer({ noDelay: true }, (socket) => {
    socket.setNoDelay(true);
    const raw = socket.remoteAddress;
    if (raw === undefined) {
      // already gone
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    const ip = normalizeAddress(raw);
    const cfg = config();
    const limits = cfg.connections;
    const count = perIp.get(ip) ?? 0;
    const err = admissionError(ip, cfg, {
      total: connectionCount,
      perIp: count,
      rateOk: () => {
        let bucket = rates.get(ip);
        if (bucket === undefined || bucket.burst !== limits.ratePerMinute) {
          bucket = new TokenBucket(limits.ratePerMinute / 60, limits.ratePerMinute);
          rates.set(ip, bucket);
        }
        return bucket.take();
      },
    });
    if (err !== null) {
      refuse(socket, ip, err, err.slice(err.indexOf('(') + 1, -1));
      return;
    }

    connectionCount++;
    perIp.set(ip, count + 1);
    sockets.add(socket);
    socket.once('close', () => {
      connectionCount--;
      sockets.delete(socket);
      const n = (perIp.get(ip) ?? 1) - 1;
      if (n <= 0) perIp.delete(ip);
      else perIp.set(ip, n);
    });

    let conn: TcpConnection;
    try {
      conn = new TcpConnection(socket, config);
    } catch (e) {
      logger.error({ err: e, ip }, 'could not set up connection');
      socket.destroy();
      return;
    }
    logger.debug({ ip, port: socket.remotePort, id: conn.id }, 'connection');
    try {
      onConnection(conn);
    } catch (e) {
      logger.error({ err: e, ip, id: conn.id }, 'onConnection threw; closing connection');
      conn.close('ERROR :Closing link: internal error');
    }
  });
  server.on('error', (e) => logger.error({ err: e }, 'listener error'));

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
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(pruneTimer);
        rates.clear();
        let done = false;
        const timer = setTimeout(() => {
          for (const s of sockets) s.destroy();
        }, CLOSE_WAIT_MS);
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
