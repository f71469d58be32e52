/**
 * Three `tincan serve --redis --postgres` nodes, one Redis and one PostgreSQL, all
 * started here (test/helpers/cluster.ts), are one server: clients on different nodes
 * chat in one channel and in private, each receiver getting every numbered line exactly
 * once in the sender's order; 100 concurrent NICK claims of one nick across the nodes
 * have exactly one winner. Skipped, saying why, without redis-server or PostgreSQL.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../helpers/raw-client.js';
import { clusterUnavailable, startCluster, until, names, type TestCluster } from '../helpers/cluster.js';

const skip = clusterUnavailable() ?? false;
let cl: TestCluster | null = null;
const clients: RawClient[] = [];
before(async () => {
  if (skip === false) cl = await startCluster(3);
});
after(async () => {
  for (const c of clients) c.socket.destroy();
  await cl?.stop();
});

const CAPS = ['echo-message', 'message-tags', 'server-time', 'labeled-response', 'batch'];

async function client(node: number, nick: string, caps: string[] = CAPS): Promise<RawClient> {
  const c = await RawClient.connect(cl!.nodes[node]!.port);
  clients.push(c);
  await c.register(nick, caps);
  return c;
}



/** The numbered texts `c` received from `from` to `target` (PRIVMSG), in arrival order. */
function received(c: RawClient, from: string, target: string, tag: string): string[] {
  const re = new RegExp(`^(?:@\\S+ )?:${from}!\\S+ PRIVMSG ${target} :(${tag} \\d+)$`);
  return c.lines.map((l) => re.exec(l)?.[1]).filter((x): x is string => x !== undefined);
}

const seq = (tag: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${tag} ${i}`);

test('three nodes, one channel: every member on every node gets each line exactly once, in the sender order; echoes come back', { skip, timeout: 60_000 }, async () => {
  const alice = await client(0, 'alice');
  const bob = await client(1, 'bob');
  const carol = await client(2, 'carol');
  for (const c of [alice, bob, carol]) c.send('JOIN #room');
  const all = ['alice', 'bob', 'carol'];
  // every node sees every member (its view is built from the others' entries)
  for (const c of [alice, bob, carol]) await until(async () => (await names(c, '#room')).join() === all.join(), 'NAMES to list everyone');
  const N = 150;
  for (let i = 0; i < N; i++) {
    alice.send(`PRIVMSG #room :a ${i}`);
    bob.send(`PRIVMSG #room :b ${i}`);
    carol.send(`PRIVMSG #room :c ${i}`);
  }
  const senders: [RawClient, string, string][] = [
    [alice, 'alice', 'a'],
    [bob, 'bob', 'b'],
    [carol, 'carol', 'c'],
  ];
  for (const [c, nick, tag] of senders) {
    // echo-message: the sender's own lines come back (acknowledged) in order
    await until(() => received(c, nick, '#room', tag).length >= N, `${nick}'s echoes`);
    assert.deepEqual(received(c, nick, '#room', tag), seq(tag, N));
    for (const [o, onick, otag] of senders) {
      if (o === c) continue;
      await until(() => received(o, nick, '#room', tag).length >= N, `${onick} to get ${nick}'s lines`);
    }
  }
  // nothing twice: once everything is in, wait for a marker sent after it
  alice.send('PRIVMSG #room :end');
  for (const c of [bob, carol]) await c.waitFor(/:alice!\S+ PRIVMSG #room :?end$/, 10_000);
  for (const [c, nick] of senders) {
    for (const [, snick, stag] of senders) {
      assert.deepEqual(received(c, snick, '#room', stag), seq(stag, N), `${nick} got ${snick}'s lines exactly once, in order`);
    }
  }
  // msgid and server-time on a line that crossed nodes
  const line = bob.lines.find((l) => / PRIVMSG #room :a 0$/.test(l))!;
  assert.match(line, /^@\S*msgid=/);
  assert.match(line, /time=\d{4}-/);
});

test('private messages and notices cross nodes, exactly once and in order; a labeled PRIVMSG is answered after delivery', { skip, timeout: 60_000 }, async () => {
  const dave = await client(0, 'dave');
  const erin = await client(2, 'erin', ['message-tags']);
  // the nick is known on dave's node once erin's node told it
  await until(async () => {
    const from = dave.lines.length;
    dave.send('ISON erin');
    const l = await dave.waitFor(/ 303 /, 5000, from);
    return / :erin$/.test(l);
  }, 'dave to see erin online');
  const N = 100;
  for (let i = 0; i < N; i++) dave.send(i % 2 === 0 ? `PRIVMSG erin :p ${i}` : `NOTICE erin :p ${i}`);
  dave.send('@label=x1 PRIVMSG erin :last');
  await dave.waitFor(/^@label=x1\S* :dave!\S+ PRIVMSG erin :?last$/, 10_000);
  await erin.waitFor(/PRIVMSG erin :?last$/, 10_000);
  const got = erin.lines.map((l) => / (?:PRIVMSG|NOTICE) erin :(p \d+)$/.exec(l)?.[1]).filter((x) => x !== undefined);
  assert.deepEqual(got, seq('p', N));
  // and back
  erin.send('PRIVMSG dave :hello from node 3');
  await dave.waitFor(/:erin!\S+ PRIVMSG dave :hello from node 3$/, 10_000);
});

test('100 concurrent claims of one nick from clients on three nodes: exactly one winner, everyone else 433', { skip, timeout: 60_000 }, async () => {
  const cs = await Promise.all(Array.from({ length: 100 }, (_, i) => client(i % 3, `racer${i}`, [])));
  const marks = cs.map((c) => c.lines.length);
  for (const c of cs) c.send('NICK winner');
  const outcome = await Promise.all(
    cs.map((c, i) => c.waitFor(/ NICK :?winner$| 433 /, 15_000, marks[i]).then((l) => (/ 433 /.test(l) ? 'lost' : 'won'))),
  );
  assert.equal(outcome.filter((o) => o === 'won').length, 1, 'one winner');
  assert.equal(outcome.filter((o) => o === 'lost').length, 99);
  // every node agrees who it is: WHOIS from each node names the winner's node's user
  const w = cs[outcome.indexOf('won')]!;
  const wNode = outcome.indexOf('won') % 3;
  for (let n = 0; n < 3; n++) {
    const asker = cs[n]!;
    await until(async () => {
      const from = asker.lines.length;
      asker.send('WHOIS winner');
      await asker.waitFor(/ 318 /, 5000, from);
      return asker.lines.slice(from).some((l) => / 311 \S+ winner ~racer\d+ /.test(l) && l.includes(`~racer${outcome.indexOf('won')} `));
    }, `node ${n} to know the winner (on node ${wNode})`);
  }
  w.send('QUIT');
});
