/**
 * A throwaway cluster for e2e tests: one redis-server (append-only file, so it can be
 * restarted without loss), one PostgreSQL database, and N `tincan serve --redis --postgres`
 * processes on port 0, each with its own data directory. Nodes use a short lease
 * (`leaseMs`, default 1500 ms) so a node killed with SIGKILL is noticed quickly.
 *
 *   const why = clusterUnavailable();         // skip with it when non-null
 *   const c = await startCluster(3);
 *   c.nodes[0].port ...                       // a RawClient per node
 *   await c.kill(1);                          // kill -9 node 1
 *   await c.redis.halt('kill'); await c.redis.start();
 *   await c.stop();
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, spawnServe, type CliServer } from './cli-server.js';
import { postgresUnavailable, startPostgres, type PgServer } from './postgres.js';
import { redisUnavailable, startRedis, type RedisServer } from './redis.js';
import type { RawClient } from './raw-client.js';

export function clusterUnavailable(): string | null {
  return redisUnavailable() ?? postgresUnavailable();
}

export interface ClusterNodeProc extends CliServer {
  /** the node id it was given (node1, node2, ...) */
  id: string;
}

export interface TestCluster {
  redis: RedisServer;
  pg: PgServer;
  /** the database URL every node uses */
  dbUrl: string;
  nodes: ClusterNodeProc[];
  /** starts one more node (id node<N+1>) */
  add(): Promise<ClusterNodeProc>;
  /** SIGKILL node i (resolves once it has exited) */
  kill(i: number): Promise<void>;
  /** stops every node (SIGKILL), Redis and PostgreSQL, removes the files */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  leaseMs?: number;
  /** extra config keys for every node (merged into the config file) */
  config?: Record<string, unknown>;
}

export async function startCluster(n: number, opts: ClusterOptions = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-cluster-'));
  const redis = await startRedis({ appendonly: true });
  let pg: PgServer;
  try {
    pg = await startPostgres();
  } catch (e) {
    await redis.stop();
    throw e;
  }
  const dbUrl = await pg.createDatabase();
  const confFile = join(dir, 'cluster.json');
  writeFileSync(
    confFile,
    JSON.stringify({
      cluster: { name: 'test', leaseMs: opts.leaseMs ?? 1500 },
      // no certificate to generate per node: a faster start
      tls: { enabled: false },
      // the tests drive many clients from one address
      connections: { perIp: 1000, ratePerMinute: 100_000 },
      // the tests send numbered bursts: judged on delivery, not on pace
      flood: { enabled: false },
      ...opts.config,
    }),
  );
  const nodes: ClusterNodeProc[] = [];
  const add = async (): Promise<ClusterNodeProc> => {
    const id = `node${nodes.length + 1}`;
    const data = join(dir, id);
    const args = ['--host', '127.0.0.1', '--port', '0', '--no-mdns', '--quiet', '--data', data, '--config', confFile, '--postgres', dbUrl, '--redis', redis.url];
    // the built server starts in a fraction of tsx's time (npm run build first)
    const p = await spawnServe(args, [], { dist: existsSync(join(REPO_ROOT, 'dist/cli/main.js')), timeoutMs: 40_000 });
    const node = Object.assign(p, { id });
    nodes.push(node);
    return node;
  };
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((x) => kill(x)));
    await redis.stop();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // one after the other: a node's first snapshot request must find the earlier ones
    for (let i = 0; i < n; i++) await add();
  } catch (e) {
    await stop();
    throw e;
  }
  return { redis, pg, dbUrl, nodes, add, kill: (i) => kill(nodes[i]!), stop };
}

function kill(p: CliServer): Promise<void> {
  if (p.proc.exitCode !== null || p.proc.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => p.proc.once('exit', () => r()));
  p.proc.kill('SIGKILL');
  return exited;
}

/** Polls `cond` until it holds; past `ms`, fails naming what it waited for. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The nicks NAMES lists for `chan`, asked of `c` (prefixes stripped, sorted). */
export async function names(c: RawClient, chan: string): Promise<string[]> {
  const from = c.lines.length;
  c.send(`NAMES ${chan}`);
  await c.waitFor(new RegExp(` 366 \\S+ ${chan} `), 5000, from);
  return c.lines
    .slice(from)
    .filter((l) => / 353 /.test(l))
    .flatMap((l) => l.slice(l.indexOf(' :', 1) + 2).split(' '))
    .map((n) => n.replace(/^[@+]+/, ''))
    .sort();
}
