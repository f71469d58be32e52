/**
 * The cluster namespace brick (src/cluster/node.ts) against a real redis-server
 * (test/helpers/redis.ts): atomic nick claims across nodes, release, leases that expire
 * with a node killed -9, the sweep of what a dead node left, a lost lease noticed.
 * Skipped, saying why, without redis-server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { ClusterNode } from '../../../src/cluster/node.js';
import { REPO_ROOT } from '../../helpers/cli-server.js';
import { redisUnavailable, startRedis, type RedisServer } from '../../helpers/redis.js';

const skip = redisUnavailable() ?? false;
let redis: RedisServer | null = null;
const nodes: ClusterNode[] = [];
before(async () => {
  if (skip === false) redis = await startRedis();
});
after(async () => {
  for (const n of nodes) await n.stop();
  await redis?.stop();
});

let clusterN = 0;
async function startNodes(n: number, cluster = `c${++clusterN}`, leaseMs = 10_000): Promise<ClusterNode[]> {
  const out = await Promise.all(Array.from({ length: n }, () => ClusterNode.start({ redis: redis!.url, cluster, leaseMs })));
  nodes.push(...out);
  return out;
}

async function until(cond: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('100 concurrent claims of one nick from 3 nodes (3 Redis connections): exactly one winner', { skip }, async () => {
  const three = await startNodes(3);
  for (let round = 0; round < 5; round++) {
    const nick = `alice${round}`;
    const tries = Array.from({ length: 100 }, (_, i) => ({ node: three[i % 3]!, session: `s${i}` }));
    const won = await Promise.all(tries.map((t) => t.node.claimNick(nick, t.session)));
    const winners = tries.filter((_, i) => won[i]);
    assert.equal(winners.length, 1, `round ${round}: ${winners.length} winners`);
    const owner = await three[1]!.ownerOf(nick);
    assert.deepEqual(owner, { node: winners[0]!.node.id, session: winners[0]!.session }, 'every node sees the winner');
    // claiming again what one already holds is idempotent; anyone else still loses
    assert.equal(await winners[0]!.node.claimNick(nick, winners[0]!.session), true);
    assert.equal(await three[0]!.claimNick(nick, 'late'), false);
  }
});

test('release on quit frees the nick for anyone; only the holder can release it', { skip }, async () => {
  const [a, b] = await startNodes(2);
  assert.equal(await a!.claimNick('bob', 's1'), true);
  assert.equal(await b!.releaseNick('bob', 's1'), false, 'another node cannot release it');
  assert.equal(await a!.releaseNick('bob', 's2'), false, 'nor another session');
  assert.equal(await b!.claimNick('bob', 'x'), false);
  assert.equal(await a!.releaseNick('bob', 's1'), true);
  assert.equal(await a!.ownerOf('bob'), null);
  assert.equal(await b!.claimNick('bob', 'x'), true);
  assert.equal((await a!.ownerOf('bob'))?.node, b!.id);
});

test('a node killed -9 keeps its claims until its lease runs out, then they are free and the sweep clears them', { skip, timeout: 30_000 }, async () => {
  const cluster = `killed${++clusterN}`;
  const leaseMs = 600;
  const code = `
    import { ClusterNode } from ${JSON.stringify(REPO_ROOT + 'src/cluster/node.ts')};
    const n = await ClusterNode.start({ redis: ${JSON.stringify(redis!.url)}, cluster: ${JSON.stringify(cluster)}, leaseMs: ${leaseMs}, nodeId: 'doomed' });
    for (const nick of ['carol', 'dave', 'erin']) if (!(await n.claimNick(nick, 'sess-' + nick))) throw new Error('claim failed');
    console.log('claimed');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await until(async () => out.includes('claimed'), 'the child to claim: ' + out, 15_000);
    const [survivor] = await startNodes(1, cluster, leaseMs);
    // alive: its nicks are its own, across several renewals
    const start = Date.now();
    while (Date.now() - start < leaseMs * 2) {
      assert.equal(await survivor!.claimNick('carol', 'mine'), false);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual((await survivor!.liveNodes()).sort(), ['doomed', survivor!.id].sort());
    child.kill('SIGKILL');
    const killedAt = Date.now();
    // killed: still held until the TTL runs out (nobody renews it now)
    assert.equal(await survivor!.claimNick('carol', 'mine'), false, 'just after the kill the lease still holds');
    await until(() => survivor!.claimNick('carol', 'mine'), 'the dead lease to expire');
    const waited = Date.now() - killedAt;
    assert.ok(waited <= leaseMs + 1000, `free within the TTL (${waited} ms)`);
    assert.deepEqual(await survivor!.ownerOf('carol'), { node: survivor!.id, session: 'mine' });
    assert.equal(await survivor!.ownerOf('dave'), null, 'a dead claim is nobody’s');
    assert.deepEqual(await survivor!.liveNodes(), [survivor!.id]);
    // the sweep deletes the leftover keys (carol is the survivor's now: kept)
    assert.deepEqual(await survivor!.sweep(), { claims: 2, nodes: 1 });
    const raw = new Redis(redis!.url);
    try {
      assert.deepEqual(await raw.keys(`tincan:{${cluster}}:nick:*`), [`tincan:{${cluster}}:nick:carol`]);
      assert.equal(await raw.exists(`tincan:{${cluster}}:claims:doomed`), 0);
    } finally {
      raw.disconnect();
    }
  } finally {
    child.kill('SIGKILL');
  }
});

test('stop() releases every claim and the lease at once', { skip }, async () => {
  const [a, b] = await startNodes(2);
  assert.equal(await a!.claimNick('frank', 's'), true);
  assert.equal(await a!.claimNick('gina', 't'), true);
  await a!.stop();
  assert.equal(await b!.ownerOf('frank'), null);
  assert.equal(await b!.claimNick('gina', 'u'), true);
  assert.deepEqual(await b!.liveNodes(), [b!.id]);
});

test('a lease lost (expired while paused, or wiped) is noticed: claims refused until rejoin, and old claims are void', { skip }, async () => {
  const cluster = `lost${++clusterN}`;
  let lost = 0;
  const a = await ClusterNode.start({ redis: redis!.url, cluster, leaseMs: 300, onLeaseLost: () => lost++ });
  nodes.push(a);
  const [b] = await startNodes(1, cluster);
  assert.equal(await a.claimNick('hank', 's'), true);
  const raw = new Redis(redis!.url);
  try {
    await raw.del(`tincan:{${cluster}}:lease:${a.id}`);
  } finally {
    raw.disconnect();
  }
  await until(async () => lost === 1, 'the renewal to notice');
  assert.equal(a.leaseHeld, false);
  assert.equal(await b!.claimNick('hank', 'other'), true, 'the void claim is free for others');
  assert.equal(await a.claimNick('ivy', 's'), false, 'no claims without a lease');
  await a.rejoin();
  assert.equal(a.leaseHeld, true);
  assert.equal(await a.claimNick('ivy', 's'), true);
  assert.equal(await a.claimNick('hank', 's'), false, 'what others took meanwhile stays theirs');
  assert.equal(lost, 1);
});

test('Redis down: calls reject at once (no queue piling up), the lease is lost past its TTL, and the node works again when Redis is back', { skip, timeout: 30_000 }, async () => {
  const cluster = `down${++clusterN}`;
  let lost = 0;
  const a = await ClusterNode.start({ redis: redis!.url, cluster, leaseMs: 500, onLeaseLost: () => lost++ });
  nodes.push(a);
  await redis!.halt('kill');
  const t = Date.now();
  await until(async () => a.redis.status !== 'ready', 'the client to see the connection drop');
  await assert.rejects(a.claimNick('jack', 's'));
  assert.ok(Date.now() - t < 3000);
  await until(async () => lost === 1, 'the lease to count as lost');
  await redis!.start();
  await until(async () => a.redis.status === 'ready', 'the reconnect');
  await a.rejoin();
  assert.equal(await a.claimNick('jack', 's'), true);
});

test('Redis killed and restarted (append-only file): leases and claims survive a restart shorter than the lease', { skip, timeout: 30_000 }, async () => {
  const aof = await startRedis({ appendonly: true });
  const mine: ClusterNode[] = [];
  try {
    let lost = 0;
    const cluster = `aof${++clusterN}`;
    const a = await ClusterNode.start({ redis: aof.url, cluster, leaseMs: 4000, onLeaseLost: () => lost++ });
    mine.push(a);
    assert.equal(await a.claimNick('kate', 's'), true);
    await aof.halt('kill');
    await aof.start();
    await until(async () => a.redis.status === 'ready', 'the reconnect');
    const b = await ClusterNode.start({ redis: aof.url, cluster, leaseMs: 4000 });
    mine.push(b);
    assert.deepEqual(await b.ownerOf('kate'), { node: a.id, session: 's' }, 'the claim came back with Redis');
    assert.equal(await b.claimNick('kate', 'x'), false);
    // a's renewals carry on with the same epoch: watch its lease's TTL go back up twice
    const leaseKey = `tincan:{${cluster}}:lease:${a.id}`;
    let prev = await b.redis.pttl(leaseKey);
    let renewals = 0;
    await until(async () => {
      const now = await b.redis.pttl(leaseKey);
      if (now > prev + 200) renewals++;
      prev = now;
      return renewals >= 2;
    }, 'two renewals after the restart');
    assert.equal(lost, 0);
    assert.equal(a.leaseHeld, true);
    assert.equal(await b.claimNick('kate', 'x'), false);
  } finally {
    for (const n of mine) await n.stop();
    await aof.stop();
  }
});
