/**
 * The admin socket: `<dataDir>/admin.sock`, a unix socket with mode 0600, so only the
 * user running the server can talk to it (`tincan admin`). One command line in, one
 * JSON line out (`{"lines": [...]}`). Lines are capped at MAX_LINE_BYTES (over that:
 * an error and the connection closes), an idle connection closes after IDLE_MS, and at
 * most MAX_CONNECTIONS are open at once.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { IrcServer } from '../core/server.js';
import { runAdminLine } from './commands.js';

export const SOCKET_FILE = 'admin.sock';
export const MAX_LINE_BYTES = 4096;
export const IDLE_MS = 60_000;
export const MAX_CONNECTIONS = 8;
/** Reply lines per command at most (the listings are capped before this). */
const MAX_REPLY_LINES = 2000;

export function socketPath(dataDir: string): string {
  return join(dataDir, SOCKET_FILE);
}

export interface AdminSocket {
  readonly path: string;
  close(): Promise<void>;
}

/** Is something listening at `path`? (A socket left by a crashed server is not.) */
function alive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/**
 * Listens on `<dataDir>/admin.sock`. Refuses (throws, saying why) when the path is taken
 * by something that is not our own stale socket: another user's file, or a live server.
 */
export async function startAdminSocket(srv: IrcServer, dataDir: string, logger: Logger, opts: { idleMs?: number } = {}): Promise<AdminSocket> {
  const idleMs = opts.idleMs ?? IDLE_MS;
  const path = socketPath(dataDir);
  const st = (() => {
    try {
      return lstatSync(path);
    } catch {
      return null;
    }
  })();
  if (st !== null) {
    if (!st.isSocket()) throw new Error(`${path} exists and is not a socket: remove it, or set moderation.socket to false`);
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw new Error(`${path} belongs to another user (uid ${st.uid}): not using it`);
    if (await alive(path)) throw new Error(`${path} is in use: is another tincan running on this data directory?`);
    unlinkSync(path);
  }
  const open = new Set<Socket>();
  const server: Server = createServer((sock) => {
    if (open.size >= MAX_CONNECTIONS) {
      sock.end(JSON.stringify({ error: `too many admin connections (${MAX_CONNECTIONS})` }) + '\n');
      return;
    }
    open.add(sock);
    sock.once('close', () => open.delete(sock));
    serveConnection(srv, sock, idleMs);
  });
  // created 0600 from the start (the umask is the process's; bind happens inside listen)
  const old = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(old);
  }
  chmodSync(path, 0o600);
  server.on('error', (err) => logger.error({ err }, 'admin socket error'));
  logger.info({ path }, `admin socket ${path}: tincan admin talks to the server through it`);
  return {
    path,
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    },
  };
}

function serveConnection(srv: IrcServer, sock: Socket, idleMs: number): void {
  let buf = '';
  sock.setEncoding('utf8');
  sock.setTimeout(idleMs, () => sock.destroy());
  sock.on('error', () => {});
  const answer = (obj: unknown): void => {
    if (!sock.destroyed) sock.write(JSON.stringify(obj) + '\n');
  };
  sock.on('data', (d: string) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (Buffer.byteLength(line) > MAX_LINE_BYTES) break;
      const out: string[] = [];
      try {
        runAdminLine({ srv, by: 'tincan admin', session: null, reply: (lines) => out.push(...lines) }, line);
      } catch (err) {
        srv.logger.error({ err, line }, 'admin command failed');
        out.push('That command failed (a bug, logged by the server).');
      }
      answer({ lines: out.slice(0, MAX_REPLY_LINES) });
    }
    if (Buffer.byteLength(buf) > MAX_LINE_BYTES || buf.indexOf('\n') >= 0) {
      answer({ error: `line too long (at most ${MAX_LINE_BYTES} bytes)` });
      sock.end();
      sock.destroy();
    }
  });
}
