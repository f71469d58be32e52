/**
 * Faults on a three-node cluster (test/helpers/cluster.ts), mid-conversation: one node
 * killed with SIGKILL (its users are announced as QUIT once its lease runs out, its
 * nick is free again) and Redis killed and restarted from its append-only file. The
 * sender counts the echoes it got (acknowledged = in Redis); the receiver on a surviving
 * node has every one of them exactly once, in order, in the channel and in private.
 * Skipped, saying why, without redis-server or PostgreSQL.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../helpers/raw-client.js';
import { clusterUnavailable, startCluster, until, names, type TestCluster } from '../helpers/cluster.js';

const skip = clusterUnavailable() ?? false;
let cl: TestCluster | null = null;
const clients: RawClient[] = [];
const LEASE = 2000;
before(async () => {
  if (skip === false) cl = await startCluster(3, { leaseMs: LEASE });
});
after(async () => {
  for (const c of clients) c.socket.destroy();
  await cl?.stop();
});

async function client(node: number, nick: string, caps: string[] = ['echo-message', 'message-tags']): Promise<RawClient> {
  const c = await RawClient.connect(cl!.nodes[node]!.port);
  clients.push(c);
  await c.register(nick, caps);
  return c;
}



const texts = (c: RawClient, re: RegExp): string[] => c.lines.map((l) => re.exec(l)?.[1]).filter((x): x is string => x !== undefined);

test('a node killed -9 and Redis restarted mid-conversation: no acknowledged line lost or doubled, the dead node\'s users quit', { skip, timeout: 60_000 }, async () => {
  const alice = await client(0, 'alice');
  const bob = await client(1, 'bob');
  const carol = await client(2, 'carol');
  for (const c of [alice, bob, carol]) c.send('JOIN #f');
  for (const c of [alice, bob, carol]) await until(async () => (await names(c, '#f')).join() === 'alice,bob,carol', 'every node to list all three');

  const N = 600;
  let sent = 0;
  const pump = async (upTo: number): Promise<void> => {
    for (; sent < upTo; sent++) {
      alice.send(`PRIVMSG #f :m ${sent}`);
      if (sent % 3 === 0) alice.send(`PRIVMSG bob :d ${sent}`);
      if (sent % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
  };
  await pump(150);
  // node 3 dies with carol on it
  await cl!.kill(2);
  await pump(300);
  // Redis dies (kill -9) with lines in flight, and comes back from its append-only file
  await cl!.redis.halt('kill');
  await pump(450);
  await cl!.redis.start();
  await pump(N);
  alice.send('PRIVMSG #f :done');

  const chan = /^(?:@\S+ )?:alice!\S+ PRIVMSG #f :(m \d+)$/;
  const dm = /^(?:@\S+ )?:alice!\S+ PRIVMSG bob :(d \d+)$/;
  await until(() => alice.lines.some((l) => /PRIVMSG #f :?done$/.test(l)), 'alice to get her last echo', 30_000);
  const ackedChan = texts(alice, chan);
  const ackedDm = texts(alice, dm);
  assert.equal(ackedChan.length, N, 'every line was acknowledged once Redis was back');
  await until(() => bob.lines.some((l) => /:alice!\S+ PRIVMSG #f :?done$/.test(l)), 'bob to get the last line', 30_000);
  assert.deepEqual(texts(bob, chan), ackedChan, 'bob: every acknowledged channel line once, in order');
  await until(() => texts(bob, dm).length >= ackedDm.length, 'bob to get the private lines');
  assert.deepEqual(texts(bob, dm), ackedDm, 'bob: every acknowledged private line once, in order');

  // carol's node is gone: after its lease she quits for everyone, and her nick is free
  await until(() => bob.lines.some((l) => /^(?:@\S+ )?:carol!\S+ QUIT :/.test(l)), 'bob to see carol quit', 20_000);
  await until(() => alice.lines.some((l) => /^(?:@\S+ )?:carol!\S+ QUIT :/.test(l)), 'alice to see carol quit', 20_000);
  const carol2 = await client(1, 'carol');
  carol2.send('JOIN #f');
  await alice.waitFor(/:carol!\S+ JOIN :?#f/, 10_000, alice.lines.findIndex((l) => /^(?:@\S+ )?:carol!\S+ QUIT/.test(l)));
  void carol;
});
