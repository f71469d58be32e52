/**
 * The node registry (src/cluster/registry.ts) against a real redis-server: nodes see
 * each other's advertised addresses, a node killed -9 drops out when its TTL runs out,
 * a stopped node at once, damaged or oversized entries are never listed, the list is
 * bounded; and GET /nodes.json (nodes-route.ts) answers what the registry last read.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import { Redis } from 'ioredis';
import { MAX_NODES, NodeRegistry, parseEntry } from '../../../src/cluster/registry.js';
import { parseHostPort, validAddress } from '../../../src/cluster/address.js';
import { chainRoutes, nodesRoute } from '../../../src/cluster/nodes-route.js';
import { REPO_ROOT } from '../../helpers/cli-server.js';
import { redisUnavailable, startRedis, type RedisServer } from '../../helpers/redis.js';

const skip = redisUnavailable() ?? false;
let redis: RedisServer | null = null;
const regs: NodeRegistry[] = [];
before(async () => {
  if (skip === false) redis = await startRedis();
});
after(async () => {
  for (const r of regs) await r.stop();
  await redis?.stop();
});

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function start(cluster: string, nodeId: string, addresses: string[], ttlMs = 10_000): Promise<NodeRegistry> {
  const r = await NodeRegistry.start({ redis: redis!.url, cluster, nodeId, addresses, ttlMs });
  regs.push(r);
  return r;
}
const ids = (r: NodeRegistry): string[] => r.nodes.map((n) => n.id).sort();

test('addresses: host:port, [v6]:port, nothing else', () => {
  for (const ok of ['10.0.0.5:4444', 'chat.example.org:1', '[fd00::5]:4444', 'a:65535']) assert.ok(validAddress(ok), ok);
  for (const bad of ['10.0.0.5', ':4444', 'host:0', 'host:65536', 'fd00::5:4444', 'a b:1', 'h:1/x', 'x'.repeat(300) + ':1']) assert.ok(!validAddress(bad), bad);
  assert.deepEqual(parseHostPort('[fd00::5]:4444'), { host: 'fd00::5', port: 4444 });
  assert.equal(parseHostPort('nope'), null);
  assert.equal(parseEntry('{"id":"a","addresses":["bad"]}'), null, 'no valid address: not listed');
  assert.equal(parseEntry('not json'), null);
  assert.deepEqual(parseEntry(JSON.stringify({ id: 'a', addresses: Array.from({ length: 20 }, (_, i) => `h${i}:1`) }))?.addresses.length, 8, 'at most 8 addresses');
});

test('nodes of one cluster see each other; another cluster is apart; a stopped node leaves at once', { skip }, async () => {
  const a = await start('reg1', 'a', ['127.0.0.1:1001']);
  const b = await start('reg1', 'b', ['127.0.0.1:1002', '[::1]:1002']);
  const other = await start('reg1x', 'z', ['127.0.0.1:9']);
  await a.refresh();
  assert.deepEqual(ids(a), ['a', 'b']);
  assert.deepEqual(a.nodes.find((n) => n.id === 'b')?.addresses, ['127.0.0.1:1002', '[::1]:1002']);
  assert.deepEqual(ids(other), ['z']);
  await b.stop();
  await a.refresh();
  assert.deepEqual(ids(a), ['a'], 'stop() removes the entry without waiting for its TTL');
  // a page served by b may still fail over to a: b's addresses stay known (Origin check)
  assert.deepEqual([...a.known].sort(), ['127.0.0.1:1001', '127.0.0.1:1002', '[::1]:1002']);
});

test('a node killed -9 drops out of the list when its TTL runs out; the list is read on the timer', { skip, timeout: 30_000 }, async () => {
  const ttl = 1500;
  const survivor = await start('reg2', 'alive', ['127.0.0.1:2001'], ttl);
  const code = `
    import { NodeRegistry } from './src/cluster/registry.ts';
    await NodeRegistry.start({ redis: ${JSON.stringify(redis!.url)}, cluster: 'reg2', nodeId: 'doomed', addresses: ['127.0.0.1:2002'], ttlMs: ${ttl} });
    console.log('ready');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.once('exit', () => reject(new Error('child exited')));
    });
    // no refresh() here: the renewal timer reads the list
    await until(() => ids(survivor).includes('doomed'), 'the survivor to list the other node');
    child.kill('SIGKILL');
    const killed = Date.now();
    await until(() => !ids(survivor).includes('doomed'), 'the killed node to drop out', 10_000);
    const waited = Date.now() - killed;
    assert.ok(waited <= ttl + ttl / 3 + 1000, `dropped out after ${waited} ms (TTL ${ttl})`);
    assert.deepEqual(ids(survivor), ['alive']);
  } finally {
    child.kill('SIGKILL');
  }
});

test('damaged entries are skipped; at most MAX_NODES listed; Redis away keeps the last list', { skip, timeout: 20_000 }, async () => {
  const r = new Redis(redis!.url);
  try {
    const far = Date.now() + 600_000;
    await r.zadd('tincan:{reg3}:addrs', far, 'junk');
    await r.set('tincan:{reg3}:addr:junk', '{"id":"junk","addresses":["<script>"]}', 'PX', 600_000);
    for (let i = 0; i < MAX_NODES + 10; i++) {
      await r.zadd('tincan:{reg3}:addrs', far, `n${i}`);
      await r.set(`tincan:{reg3}:addr:n${i}`, JSON.stringify({ id: `n${i}`, addresses: [`10.0.0.${i % 250}:4444`] }), 'PX', 600_000);
    }
  } finally {
    r.disconnect();
  }
  const me = await start('reg3', 'me', ['127.0.0.1:3001']);
  assert.ok(me.nodes.length <= MAX_NODES, `${me.nodes.length} listed`);
  assert.ok(me.nodes.some((n) => n.id === 'me'), 'always lists itself');
  assert.ok(!me.nodes.some((n) => n.id === 'junk'), 'an entry without a valid address is not listed');
  const before = me.nodes.length;
  await redis!.halt('kill');
  try {
    await assert.rejects(me.refresh());
    assert.equal(me.nodes.length, before, 'the last list is kept while Redis is away');
  } finally {
    await redis!.start();
  }
});

test('GET /nodes.json: the view as JSON, no-store; other methods 405; other paths passed on', async () => {
  const route = chainRoutes(nodesRoute(() => ({ cluster: 'c', nodes: [{ id: 'a', addresses: ['127.0.0.1:1'] }] })), null);
  const srv = createServer((req, res) => {
    if (!route.handle(req, res, { clearDeadline: () => {}, expectsContinue: false })) {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const get = (path: string, method = 'GET'): Promise<{ status: number; type: string; cache: string; body: string }> =>
    new Promise((resolve, reject) => {
      const q = request({ host: '127.0.0.1', port, path, method }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), cache: String(res.headers['cache-control']), body }));
      });
      q.on('error', reject);
      q.end();
    });
  try {
    const ok = await get('/nodes.json?x=1');
    assert.equal(ok.status, 200);
    assert.match(ok.type, /^application\/json/);
    assert.equal(ok.cache, 'no-store');
    assert.deepEqual(JSON.parse(ok.body), { cluster: 'c', nodes: [{ id: 'a', addresses: ['127.0.0.1:1'] }] });
    assert.equal((await get('/nodes.json', 'DELETE')).status, 405);
    assert.equal((await get('/other')).status, 404);
  } finally {
    srv.close();
  }
});
