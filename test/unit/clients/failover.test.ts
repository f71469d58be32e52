/**
 * Failover between the nodes of one server (src/clients/shared/failover.ts) with the
 * real client model and fake transports: a lost session is retried on its node once,
 * an attempt that does not get in moves to the next node, a fatal error does not move,
 * the list learned from /nodes.json keeps the current node and the seeds, is shuffled
 * and bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IrcClient, type TransportHandlers } from '../../../src/clients/shared/irc-client.js';
import { MAX_KNOWN_NODES, NodeList, failoverTransport, nodeKey, nodesFromJson, type NodeAddress } from '../../../src/clients/shared/failover.js';

interface Dial {
  node: string;
  h: TransportHandlers;
  sent: string[];
}

function setup(addrs: string[]) {
  const nodes = new NodeList(addrs.map((a) => ({ host: '127.0.0.1', port: Number(a) })));
  const dials: Dial[] = [];
  const notes: string[] = [];
  const made: string[] = [];
  const fo = failoverTransport(
    nodes,
    (n) => {
      made.push(nodeKey(n));
      return (h) => {
        const d: Dial = { node: String(n.port), h, sent: [] };
        dials.push(d);
        return { send: (l) => d.sent.push(l), close: () => queueMicrotask(() => h.onClose()) };
      };
    },
    (t) => notes.push(t),
  );
  const c = new IrcClient({ nick: 'alice', serverLabel: 'test', reconnect: { minMs: 2, maxMs: 4 }, channels: ['#room'], transport: fo.transport });
  c.on('state', (s) => s === 'connected' && fo.registered());
  const last = (): Dial => dials[dials.length - 1]!;
  const welcome = (): void => {
    last().h.onOpen();
    last().h.onLine(':srv 001 alice :Welcome');
    last().h.onLine(':srv 422 alice :No MOTD');
  };
  return { nodes, dials, notes, made, c, last, welcome };
}

async function until(cond: () => boolean, what: string, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('node dies: the session is retried on it once, then the next node is dialled and the room rejoined', async () => {
  const f = setup(['1', '2', '3']);
  f.c.connect();
  f.welcome();
  assert.equal(f.last().node, '1');
  assert.ok(f.last().sent.some((l) => l === 'JOIN #room'), 'joined on node 1');
  f.last().h.onLine(':alice!u@h JOIN #room');
  // node 1 dies: the session is lost
  f.last().h.onClose(new Error('reset'));
  await until(() => f.dials.length === 2, 'the reconnect');
  assert.equal(f.last().node, '1', 'a lost session is retried on the same node first');
  // ...which refuses: the next attempt goes to node 2
  f.last().h.onClose(new Error('ECONNREFUSED'));
  assert.match(f.notes.join('\n'), /127\.0\.0\.1:1 did not let us in; next try: 127\.0\.0\.1:2/);
  await until(() => f.dials.length === 3, 'the next attempt');
  assert.equal(f.last().node, '2');
  f.welcome();
  assert.equal(f.c.state, 'connected');
  assert.ok(f.last().sent.some((l) => l === 'JOIN #room'), 'rejoined on node 2');
  assert.equal(f.nodes.current.port, 2);
  f.c.quit();
});

test('an attempt that opens but never gets in (closed before the welcome) also moves on; round robin wraps', async () => {
  const f = setup(['1', '2']);
  f.c.connect();
  f.last().h.onOpen();
  f.last().h.onClose();
  await until(() => f.dials.length === 2, 'attempt 2');
  assert.equal(f.last().node, '2');
  f.last().h.onClose(new Error('timed out'));
  await until(() => f.dials.length === 3, 'attempt 3');
  assert.equal(f.last().node, '1', 'back to the first');
  assert.deepEqual(f.made, ['127.0.0.1:1', '127.0.0.1:2'], 'one transport factory per address, reused');
  f.c.quit();
});

test('a fatal error (a changed certificate) does not move to another node', async () => {
  const f = setup(['1', '2']);
  f.c.connect();
  f.last().h.onClose(Object.assign(new Error('the TLS certificate of 127.0.0.1:1 has CHANGED'), { fatal: true }));
  assert.equal(f.c.state, 'closed');
  assert.equal(f.nodes.current.port, 1);
  assert.equal(f.notes.length, 0);
});

test('one node alone: nothing to move to, the reconnect keeps dialling it', async () => {
  const f = setup(['1']);
  f.c.connect();
  f.last().h.onClose(new Error('ECONNREFUSED'));
  await until(() => f.dials.length === 2, 'the retry');
  assert.equal(f.last().node, '1');
  assert.equal(f.notes.length, 0);
  f.c.quit();
});

test('learn(): the current node stays current, seeds are kept, the rest shuffled, bounded', () => {
  const at = (port: number): NodeAddress => ({ host: '10.0.0.1', port });
  const list = new NodeList([at(1), { ...at(2), fingerprint: 'ab' }], () => 0);
  list.advance();
  list.learn([at(2), at(3), at(4)]);
  assert.equal(list.current.port, 2, 'current first');
  assert.equal(list.current.fingerprint, 'ab', 'a seed keeps its announced fingerprint');
  assert.deepEqual(list.all.map((n) => n.port).sort(), [1, 2, 3, 4], 'seed 1 kept although not listed');
  // random() = 0: Fisher-Yates moves every element, so the order is not the input order
  const many = new NodeList([at(1)], () => 0.5);
  many.learn(Array.from({ length: 40 }, (_, i) => at(100 + i)));
  assert.equal(many.all.length, MAX_KNOWN_NODES);
  assert.equal(many.current.port, 1);
  const ports = many.all.slice(1).map((n) => n.port);
  assert.notDeepEqual(ports, [...ports].sort((a, b) => a - b), 'shuffled');
});

test('nodesFromJson: addresses of each node, malformed ones skipped, bounded', () => {
  assert.deepEqual(nodesFromJson({ nodes: [{ id: 'a', addresses: ['10.0.0.1:4444', '[fd00::1]:4444', 'bad', 7] }, { id: 'b' }, null] }), [
    { host: '10.0.0.1', port: 4444 },
    { host: 'fd00::1', port: 4444 },
  ]);
  assert.deepEqual(nodesFromJson('nope'), []);
  assert.deepEqual(nodesFromJson(null), []);
  const big = { nodes: Array.from({ length: 1000 }, (_, i) => ({ addresses: Array.from({ length: 50 }, (_, j) => `10.${i % 250}.0.${j}:1`) })) };
  assert.ok(nodesFromJson(big).length <= MAX_KNOWN_NODES * 4 * 8);
});
