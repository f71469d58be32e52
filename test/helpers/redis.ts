/**
 * A throwaway redis-server for tests: 127.0.0.1 at a port found free at runtime, its
 * files in a temporary directory, no RDB snapshots; with `appendonly: true` it keeps an
 * append-only file (fsync always) so a restart (halt, start) keeps what was written.
 * One instance per test file; `stop()` ends it and removes its files.
 *
 *   const reason = redisUnavailable();  // skip with it when non-null
 *   const redis = await startRedis();
 *   new Redis(redis.url)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startDaemon, type Daemon } from './daemon.js';

function findRedis(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** Why a throwaway Redis cannot be started here, or null when it can. */
export function redisUnavailable(): string | null {
  return findRedis() === null ? 'redis-server is not installed (apt-get install redis-server)' : null;
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** stops it: 'kill' is SIGKILL (nothing saved beyond the append-only file) */
  halt(how?: 'term' | 'kill'): Promise<void>;
  /** starts it again on the same port and directory (after halt) */
  start(): Promise<void>;
  log(): string;
  /** stops it and removes its files */
  stop(): Promise<void>;
}

export async function startRedis(opts: { appendonly?: boolean } = {}): Promise<RedisServer> {
  const bin = findRedis();
  if (bin === null) throw new Error(redisUnavailable()!);
  const dir = mkdtempSync(join(tmpdir(), 'tincan-redis-'));
  let port = 0;
  let daemon: Daemon | null = null;
  const launch = async (): Promise<void> => {
    const args = [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
      '--appendonly', opts.appendonly === true ? 'yes' : 'no', '--appendfsync', 'always',
      '--daemonize', 'no', '--loglevel', 'notice',
    ];
    const d = startDaemon(bin, args, { cwd: dir });
    daemon = d;
    try {
      await d.waitFor(/Ready to accept connections/, 10_000);
    } catch (e) {
      await d.stop('SIGKILL');
      throw e;
    }
  };
  try {
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      try {
        await launch();
        break;
      } catch (e) {
        if (attempt >= 4 || !/Address already in use/i.test(String(e))) throw e;
      }
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    get port() {
      return port;
    },
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    async halt(how = 'term') {
      await daemon?.stop(how === 'kill' ? 'SIGKILL' : 'SIGTERM');
    },
    async start() {
      await launch();
    },
    log: () => daemon?.output() ?? '',
    async stop() {
      await daemon?.stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
