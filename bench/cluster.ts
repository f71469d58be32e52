/**
 * bench/cluster.ts: the cluster scenario of `npm run bench` (SCENARIOS=cluster500, run
 * by bench/run.sh after compare.sh). fanout500 on a cluster: 500 clients in one room, 5
 * of them sending, the rate doubled per step until a step fails (p99 latency over
 * 100 ms or less than 99.9% delivered), like ircbench's sweep. Twice in the same run,
 * on the same three `tincan serve --redis --postgres` nodes (test/helpers/cluster.ts:
 * a throwaway redis-server with its append-only file and PostgreSQL): all 500 members
 * on one node, then spread over the three. Printed as the three-node result and its
 * ratio to one node. What the difference costs: docs/performance.md ("Cluster").
 *
 * ircbench dials one port, so this load generator is its own (Node, one process, one
 * clock for send and receive times): compare its figures with each other, not with
 * ircbench's. Environment: CLUSTER_CLIENTS=500 CLUSTER_SENDERS=5 CLUSTER_STEP_S=3
 * CLUSTER_RATE_START=50 CLUSTER_RATE_MAX=100000 (a smoke run: CLUSTER_CLIENTS=30
 * CLUSTER_STEP_S=1 CLUSTER_RATE_MAX=100). Writes cluster.json into the directory given.
 */
import { connect, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterUnavailable, startCluster, type TestCluster } from '../test/helpers/cluster.js';

const env = (k: string, d: number): number => {
  const v = Number(process.env[k]);
  return Number.isFinite(v) && v > 0 ? v : d;
};
const CLIENTS = env('CLUSTER_CLIENTS', 500);
const SENDERS = Math.min(CLIENTS, env('CLUSTER_SENDERS', 5));
const STEP_S = env('CLUSTER_STEP_S', 3);
const GRACE_MS = 2000;
const RATE_START = env('CLUSTER_RATE_START', 50);
const RATE_MAX = env('CLUSTER_RATE_MAX', 100_000);
const P99_BOUND_MS = 100;
const MIN_FRACTION = 0.999;

interface Client {
  sock: Socket;
  /** latencies (ms) of the lines received in the current step */
  got: number[];
}

function open(port: number, nick: string, room: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.setNoDelay(true);
    sock.setEncoding('utf8');
    const c: Client = { sock, got: [] };
    let buf = '';
    let joined = false;
    const timer = setTimeout(() => reject(new Error(`${nick}: no JOIN within 60 s`)), 60_000);
    sock.on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('PING')) sock.write('PONG' + line.slice(4) + '\r\n');
        // JOIN after the welcome: a cluster node registers once the nick is claimed in Redis
        else if (!joined && / 001 /.test(line)) sock.write(`JOIN ${room}\r\n`);
        else if (!joined && / 366 /.test(line)) {
          joined = true;
          clearTimeout(timer);
          resolve(c);
        } else {
          // :nick!u@h PRIVMSG #room :t<hrtime ms>
          const m = / PRIVMSG \S+ :?t([0-9.]+)/.exec(line);
          if (m) c.got.push(performance.now() - Number(m[1]));
          else if (process.env["CLUSTER_DEBUG"]) process.stderr.write(line + "\n");
        }
      }
    });
    sock.on('error', reject);
    sock.write(`NICK ${nick}\r\nUSER ${nick} 0 * :bench\r\n`);
  });
}

interface Step {
  rate: number;
  sent: number;
  expected: number;
  delivered: number;
  p50: number;
  p99: number;
  pass: boolean;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Infinity;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function step(clients: Client[], senders: Client[], room: string, rate: number): Promise<Step> {
  for (const c of clients) c.got = [];
  const total = Math.round(rate * STEP_S);
  const start = performance.now();
  let sent = 0;
  // a 1 ms schedule: send what is due, as ircbench does
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      while (sent < due) {
        senders[sent % senders.length]!.sock.write(`PRIVMSG ${room} :t${performance.now().toFixed(3)}\r\n`);
        sent++;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const expected = sent * (clients.length - 1);
  const end = performance.now() + GRACE_MS;
  while (performance.now() < end && clients.reduce((n, c) => n + c.got.length, 0) < expected) await new Promise((r) => setTimeout(r, 20));
  const all = clients.flatMap((c) => c.got).sort((a, b) => a - b);
  const delivered = all.length;
  const p50 = pct(all, 50);
  const p99 = pct(all, 99);
  return { rate, sent, expected, delivered, p50, p99, pass: delivered >= expected * MIN_FRACTION && p99 <= P99_BOUND_MS };
}

/** The sweep: doubling rates until a step fails; the best passing rate and its step. */
async function sweep(cl: TestCluster, spread: number, tag: string): Promise<{ best: Step | null; steps: Step[] }> {
  const room = `#bench${tag}`;
  const clients: Client[] = [];
  // joined in batches: a realistic arrival, and no thundering herd on one Redis
  for (let i = 0; i < CLIENTS; i += 25) {
    const batch = [];
    for (let j = i; j < Math.min(CLIENTS, i + 25); j++) batch.push(open(cl.nodes[j % spread]!.port, `b${tag}${j}`, room));
    clients.push(...(await Promise.all(batch)));
  }
  // senders on different nodes when spread (clients 0..S-1 go round robin)
  const senders = clients.slice(0, SENDERS);
  const steps: Step[] = [];
  let best: Step | null = null;
  for (let rate = RATE_START; rate <= RATE_MAX; rate *= 2) {
    const s = await step(clients, senders, room, rate);
    steps.push(s);
    process.stderr.write(`  ${tag}: ${rate} msgs/s: ${s.delivered}/${s.expected} delivered, p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms ${s.pass ? 'ok' : 'FAIL'}\n`);
    if (!s.pass) break;
    best = s;
  }
  for (const c of clients) c.sock.destroy();
  return { best, steps };
}

async function main(): Promise<void> {
  const out = process.argv[2];
  const why = clusterUnavailable();
  if (why !== null) {
    process.stderr.write(`cluster500 left out: ${why}\n`);
    return;
  }
  process.stderr.write(`cluster500: ${CLIENTS} clients, ${SENDERS} senders, ${STEP_S} s steps; starting Redis, PostgreSQL and 3 nodes\n`);
  const cl = await startCluster(3, { leaseMs: 10_000 });
  try {
    const one = await sweep(cl, 1, '1');
    const three = await sweep(cl, 3, '3');
    const r1 = one.best?.rate ?? 0;
    const r3 = three.best?.rate ?? 0;
    const ratio = r1 > 0 ? r3 / r1 : NaN;
    const line = (name: string, s: Step | null): string =>
      s === null ? `${name}: no step passed` : `${name}: ${s.rate} msgs/s (${(s.rate * (CLIENTS - 1)).toLocaleString('en')} deliveries/s), p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms`;
    const report = [
      `## cluster500: fanout${CLIENTS} over three nodes (Redis Streams) vs one node, same run`,
      '',
      `- ${line('one node (all members on node 1)', one.best)}`,
      `- ${line('three nodes (members spread round robin)', three.best)}`,
      `- ratio three nodes / one node: ${Number.isNaN(ratio) ? 'n/a' : ratio.toFixed(2)}`,
      '',
    ].join('\n');
    process.stdout.write(report + '\n');
    if (out !== undefined) writeFileSync(join(out, 'cluster.json'), JSON.stringify({ clients: CLIENTS, senders: SENDERS, stepSeconds: STEP_S, one, three, ratio }, null, 2) + '\n');
  } finally {
    await cl.stop();
  }
}

await main();
