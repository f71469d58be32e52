/**
 * A throwaway PostgreSQL for tests: initdb into a temporary directory, the postmaster on
 * 127.0.0.1 at a port found free at runtime, its unix socket in that directory, trust
 * authentication, fsync off. Never the system's cluster (Debian's package may have
 * started one on 5432: nothing here looks at it). PostgreSQL refuses to run as root, so
 * under root it runs as the `postgres` user (or `nobody`) through setpriv, the
 * directory chowned to it.
 *
 * One instance per test file (initdb ~0.7 s); each test takes its own database
 * (`createDatabase()`, ~80 ms), so tests do not see each other's rows.
 *
 *   const pg = await startPostgres();   // or skip: postgresUnavailable() says why
 *   const url = await pg.createDatabase();
 *   ...
 *   await pg.stop();                    // stops it and removes its files
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, startDaemon, type Daemon } from './daemon.js';

const USER = 'tincan';

/** The directory holding initdb and postgres: $TINCAN_PG_BIN, the newest /usr/lib/postgresql/N/bin, or PATH. */
function findBinDir(): string | null {
  const env = process.env['TINCAN_PG_BIN'];
  if (env !== undefined && existsSync(join(env, 'postgres'))) return env;
  try {
    const versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const dir = `/usr/lib/postgresql/${v}/bin`;
      if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
    }
  } catch {
    // no Debian layout
  }
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
  }
  return null;
}

/** The unprivileged account to run as when we are root, or null when not root. */
function runAs(): { uid: number; gid: number; name: string } | null {
  if (process.getuid?.() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { uid, gid, name };
    } catch {
      // no such user
    }
  }
  return null;
}

/** Why a throwaway PostgreSQL cannot be started here, or null when it can. */
export function postgresUnavailable(): string | null {
  if (findBinDir() === null) return 'PostgreSQL is not installed (no initdb/postgres in /usr/lib/postgresql/*/bin or PATH; apt-get install postgresql)';
  if (process.getuid?.() === 0) {
    if (runAs() === null) return 'running as root and there is no postgres or nobody user to run PostgreSQL as';
    if (!existsSync('/usr/bin/setpriv') && !existsSync('/bin/setpriv')) return 'running as root and setpriv (util-linux) is missing to drop privileges for PostgreSQL';
  }
  return null;
}

export interface PgServer {
  readonly port: number;
  /** connection string for `db` */
  url(db?: string): string;
  /** a fresh, empty database; returns its URL */
  createDatabase(): Promise<string>;
  /** runs SQL as the superuser in the `postgres` database */
  admin(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  /** stops the server ('fast': disconnects clients cleanly; 'immediate': like a crash, committed data kept) */
  halt(mode?: 'fast' | 'immediate'): Promise<void>;
  /** starts it again on the same port and data (after halt) */
  start(): Promise<void>;
  /**
   * Freezes the server (SIGSTOP to the postmaster and every backend): connections stay
   * open and nothing answers, like a hung host or a silent network. Returns the thaw.
   */
  freeze(): () => void;
  /** everything the postmaster printed (for failure messages) */
  log(): string;
  /** stops it and removes its files */
  stop(): Promise<void>;
}

let dbCounter = 0;

export async function startPostgres(): Promise<PgServer> {
  const why = postgresUnavailable();
  if (why !== null) throw new Error(why);
  const bin = findBinDir()!;
  const as = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'tincan-pg-'));
  const data = join(dir, 'data');
  if (as !== null) chownSync(dir, as.uid, as.gid);
  const wrap = (cmd: string, args: string[]): [string, string[]] =>
    as === null ? [cmd, args] : ['setpriv', [`--reuid=${as.uid}`, `--regid=${as.gid}`, '--clear-groups', '--', cmd, ...args]];
  try {
    const [c, a] = wrap(join(bin, 'initdb'), ['-D', data, '-U', USER, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync', '--no-instructions']);
    execFileSync(c, a, { stdio: 'pipe', cwd: dir });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`initdb failed: ${err.stderr?.toString() ?? err.message}`);
  }

  let port = 0;
  let daemon: Daemon | null = null;
  const launch = async (): Promise<void> => {
    const [c, a] = wrap(join(bin, 'postgres'), [
      '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
      // throwaway: no fsync (a killed postmaster still keeps every commit: they are in
      // the OS page cache; synchronous_commit stays on so that holds for halt('immediate'))
      '-c', 'fsync=off', '-c', 'full_page_writes=off',
      '-c', 'max_connections=100', '-c', 'shared_buffers=16MB',
    ]);
    const d = startDaemon(c, a, { cwd: dir });
    daemon = d;
    // a postmaster that cannot start exits (waitFor rejects with its log); clients
    // connecting meanwhile ("the database system is starting up") are not its failure
    try {
      await d.waitFor(/ready to accept connections/, 15_000);
    } catch (e) {
      await d.stop('SIGKILL');
      throw new Error(`postgres did not start: ${(e as Error).message}`);
    }
  };
  const first = async (): Promise<void> => {
    // a free port can be taken between the probe and the bind: try a few
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      try {
        await launch();
        return;
      } catch (e) {
        if (attempt >= 4 || !/could not bind|address already in use/i.test(String(e))) throw e;
      }
    }
  };
  try {
    await first();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  const url = (db = 'postgres'): string => `postgres://${USER}@127.0.0.1:${port}/${db}`;
  const admin = async (sql: string, params: unknown[] = []): Promise<pg.QueryResult> => {
    const c = new pg.Client({ connectionString: url() });
    await c.connect();
    try {
      return await c.query(sql, params);
    } finally {
      await c.end();
    }
  };
  return {
    get port() {
      return port;
    },
    url,
    admin,
    async createDatabase() {
      const name = `t${process.pid}_${++dbCounter}`;
      await admin(`CREATE DATABASE ${name}`);
      return url(name);
    },
    async halt(mode = 'fast') {
      await daemon?.stop(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    },
    async start() {
      await launch();
    },
    freeze() {
      const main = daemon!.proc.pid!;
      const kids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(main)], { encoding: 'utf8' }).split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
      const all = [main, ...kids];
      for (const pid of all) process.kill(pid, 'SIGSTOP');
      return () => {
        for (const pid of all) {
          try {
            process.kill(pid, 'SIGCONT');
          } catch {
            // gone
          }
        }
      };
    },
    log: () => daemon?.output() ?? '',
    async stop() {
      await daemon?.stop('SIGINT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
