/**
 * The core on the cluster (src/cluster/core-link.ts): in-process IrcServers (the unit
 * harness, fake connections) joined through a real redis-server. The namespace queries
 * answer cluster-wide, channel state set on one node applies on the others, concurrent
 * changes converge, a KICK of a user on another node takes it out there, an account
 * registered on one node logs in on another, and nothing is published for read-only
 * commands. Skipped, saying why, without redis-server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { CoreLink } from '../../../src/cluster/core-link.js';
import { harness, type Harness } from '../../helpers/harness.js';
import type { FakeConnection } from '../../helpers/fake-conn.js';
import { MemoryStorage } from '../../../src/storage/memory/memory-storage.js';
import { redisUnavailable, startRedis, type RedisServer } from '../../helpers/redis.js';

const skip = redisUnavailable() ?? false;
let redis: RedisServer | null = null;
const open: { h: Harness; link: CoreLink }[] = [];
before(async () => {
  if (skip === false) redis = await startRedis();
});
after(async () => {
  for (const n of open) {
    await n.h.close();
    await n.link.stop();
  }
  await redis?.stop();
});

let clusterN = 0;
async function nodes(n: number, storage?: MemoryStorage, config: Record<string, unknown> = {}): Promise<{ h: Harness; link: CoreLink }[]> {
  const cluster = `link${++clusterN}`;
  const out: { h: Harness; link: CoreLink }[] = [];
  for (let i = 0; i < n; i++) {
    const h = harness({ accounts: { scramIterations: 4096 }, ...config }, undefined, storage === undefined ? {} : { storage });
    const link = await CoreLink.start(h.server, pino({ level: 'silent' }), { redis: redis!.url, cluster, nodeId: `n${i}`, leaseMs: 1000, blockMs: 100, reconcileMs: 100 });
    const n = { h, link };
    out.push(n);
    open.push(n);
  }
  return out;
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function client(h: Harness, nick: string, caps: string[] = [], ip = '127.0.0.1'): Promise<FakeConnection> {
  const c = h.connect(ip);
  if (caps.length > 0) {
    c.recv('CAP LS 302');
    c.recv('CAP REQ :' + caps.join(' '));
    c.recv('CAP END');
  }
  c.recv('NICK ' + nick);
  c.recv(`USER ${nick} 0 * :${nick} Realname`);
  await until(() => c.lines.some((l) => / 001 /.test(l)), `${nick} to register`);
  c.take();
  return c;
}

/** Sends `line` to `c` until a reply matching `re` comes (the view converges), returns the reply lines. */
async function ask(c: FakeConnection, line: string, end: RegExp, want: (lines: string[]) => boolean, what: string): Promise<string[]> {
  let last: string[] = [];
  await until(() => {
    c.take();
    c.recv(line);
    last = c.take();
    return last.some((l) => end.test(l)) && want(last);
  }, `${what}; last answer:\n${last.join('\n')}`);
  return last;
}

const has = (re: RegExp) => (lines: string[]) => lines.some((l) => re.test(l));

test('NAMES, WHO, WHOIS, ISON, LIST, LUSERS and MONITOR answer for users on the other node', { skip, timeout: 30_000 }, async () => {
  const [a, b] = await nodes(2);
  const alice = await client(a!.h, 'alice');
  alice.recv('JOIN #c');
  alice.recv('AWAY :lunch');
  const bob = await client(b!.h, 'bob');
  const carol = await client(b!.h, 'carol', ['extended-monitor']);
  carol.recv('MONITOR + alice,zed');
  bob.recv('JOIN #c');
  await ask(bob, 'NAMES #c', / 366 /, has(/ 353 bob = #c :.*@alice/), 'NAMES on b to list alice (op: she came first)');
  await ask(bob, 'WHO #c', / 315 /, has(/ 352 bob #c ~alice 127\.0\.0\.1 \S+ alice G@/), 'WHO on b to list alice, away');
  const whois = await ask(bob, 'WHOIS alice', / 318 /, has(/ 301 bob alice :lunch/), 'WHOIS on b');
  assert.ok(whois.some((l) => / 311 bob alice ~alice 127\.0\.0\.1 \* :alice Realname/.test(l)));
  assert.ok(whois.some((l) => / 319 bob alice :@#c/.test(l)));
  await ask(bob, 'ISON alice bob nobody', / 303 /, has(/ 303 bob :alice bob$/), 'ISON');
  await ask(bob, 'LIST', / 323 /, has(/ 322 bob #c 2 /), 'LIST with both members');
  await ask(alice, 'LUSERS', / 266 /, has(/ 266 alice 3 /), 'LUSERS global count on a (3 users on 2 nodes)');
  // MONITOR: online when the remote user is known, offline when it quits
  await until(() => carol.lines.some((l) => / 730 carol :alice!/.test(l)) || carol.lines.some((l) => / 730 /.test(l)), 'carol told alice is online');
  const mark = bob.lines.length;
  alice.recv('QUIT :bye');
  await until(() => carol.lines.some((l) => / 731 carol :alice/.test(l)), 'carol told alice is offline');
  await until(() => bob.lines.slice(mark).some((l) => /^:alice!\S+ QUIT :Quit: bye/.test(l)), 'bob to see the QUIT');
  await ask(bob, 'NAMES #c', / 366 /, (l) => !l.some((x) => /alice/.test(x)), 'alice gone from NAMES on b');
  assert.equal(b!.link.remoteUsers(), 0);
});

test('modes, topic, bans and invites set on one node apply on the other; an op on another node is obeyed; a KICK across nodes takes the user out', { skip, timeout: 30_000 }, async () => {
  const [a, b] = await nodes(2);
  const alice = await client(a!.h, 'alice');
  alice.recv('JOIN #m');
  alice.recv('TOPIC #m :hello there');
  alice.recv('MODE #m +i');
  alice.recv('MODE #m +b *!*@10.6.6.6');
  const bob = await client(b!.h, 'bob');
  const dave = await client(b!.h, 'dave');
  await until(() => b!.h.server.findChannel('#m')?.flags.has('i') === true, 'b to know #m is +i');
  const chB = b!.h.server.findChannel('#m')!;
  assert.equal(chB.topic, 'hello there');
  assert.deepEqual(chB.bans.map((x) => x.mask), ['*!*@10.6.6.6']);
  dave.recv('JOIN #m');
  assert.ok(dave.take().some((l) => / 473 dave #m /.test(l)), 'invite only, checked on b');
  // an INVITE from a reaches bob on b, and b lets him in
  await until(() => a!.h.server.findNick('bob') !== undefined, 'a to know bob');
  alice.recv('INVITE bob #m');
  await until(() => bob.lines.some((l) => /^:alice!\S+ INVITE bob :?#m$/.test(l)), 'bob to get the INVITE');
  await until(() => chB.invited.has('bob'), 'b to know bob is invited');
  bob.recv('JOIN #m');
  await until(() => bob.lines.some((l) => / 332 bob #m :hello there/.test(l)), 'bob in, with the topic');
  // alice (a) gives bob (b) op: b obeys it
  alice.recv('MODE #m +o bob');
  await until(() => chB.members.get(b!.h.server.findNick('bob')!) === 1, 'bob op on b');
  bob.recv('MODE #m +m');
  await until(() => a!.h.server.findChannel('#m')?.flags.has('m') === true, 'a to apply +m set by bob');
  // alice kicks bob: he gets the KICK and is out on both nodes
  alice.recv('KICK #m bob :out');
  await until(() => bob.lines.some((l) => /^:alice!\S+ KICK #m bob :?out$/.test(l)), 'bob to get the KICK');
  await until(() => !chB.members.has(b!.h.server.findNick('bob')!), 'bob out of #m on b');
  await until(() => a!.h.server.findChannel('#m')!.members.size === 1, 'bob out of #m on a');
});

test('concurrent topic changes on two nodes converge to one topic everywhere', { skip, timeout: 30_000 }, async () => {
  const [a, b] = await nodes(2);
  const alice = await client(a!.h, 'alice');
  alice.recv('JOIN #x');
  const bob = await client(b!.h, 'bob');
  bob.recv('JOIN #x');
  await until(() => a!.h.server.findChannel('#x')?.members.size === 2, 'a to see bob join');
  alice.recv('MODE #x +o bob');
  await until(() => b!.h.server.findChannel('#x')!.members.get(b!.h.server.findNick('bob')!) === 1, 'bob op');
  for (let i = 0; i < 20; i++) {
    alice.recv(`TOPIC #x :from a ${i}`);
    bob.recv(`TOPIC #x :from b ${i}`);
  }
  const ta = (): string => a!.h.server.findChannel('#x')!.topic;
  const tb = (): string => b!.h.server.findChannel('#x')!.topic;
  await until(() => ta() === tb() && /19$/.test(ta()), `one topic (a: ${ta()}, b: ${tb()})`);
});

test('an account registered on one node logs in on the other (the store is shared; the caches follow)', { skip, timeout: 30_000 }, async () => {
  const storage = new MemoryStorage();
  const [a, b] = await nodes(2, storage);
  const alice = await client(a!.h, 'alice');
  alice.recv('REGISTER * * :correct horse battery');
  await until(() => alice.lines.some((l) => / REGISTER SUCCESS alice /.test(l)), 'REGISTER on a');
  await until(() => b!.h.server.accounts.get('alice') !== undefined, 'b to know the account');
  alice.recv('QUIT');
  const c = b!.h.connect();
  c.recv('PASS :alice:correct horse battery');
  c.recv('NICK alice2');
  c.recv('USER alice 0 * :A');
  await until(() => c.lines.some((l) => / 900 \S+ \S+ alice /.test(l)), 'logged in on b');
});

test('an admin ban or mute set on one node holds on the others: their users are removed or told, and lifting it lifts it there', { skip, timeout: 30_000 }, async () => {
  const storage = new MemoryStorage();
  const [a, b] = await nodes(2, storage);
  const boss = await client(a!.h, 'boss');
  for (const s of a!.h.server.sessions) if (s.nick === 'boss') s.admin = true;
  const pest = await client(b!.h, 'pest', [], '10.9.8.7'); // the ban is by address: pest's own
  const talker = await client(b!.h, 'talker');
  // boss founds the room (op), so talker is a plain member a mute applies to
  boss.recv('JOIN #room');
  await until(() => b!.h.server.findChannel('#room') !== undefined, 'b to see #room');
  talker.recv('JOIN #room');
  await until(() => a!.h.server.findNick('pest') !== undefined && a!.h.server.findNick('talker') !== undefined, 'a to see the users of b');
  boss.recv('SA ban pest 1h spamming');
  await until(() => pest.closed, 'pest, on the other node, disconnected by the ban');
  assert.match(pest.closeLine ?? '', /Banned from this server/);
  assert.equal(b!.h.server.admin.sanctions.list().length, 1, 'b holds the ban in memory');
  // a new connection matching it on b is refused too
  assert.equal(talker.closed, false, 'others on b stay');
  const again = b!.h.connect('10.9.8.7');
  again.recv('NICK pest');
  again.recv('USER pest 0 * :P');
  await until(() => again.closed, 'pest refused on b');
  // a mute: the muted user on b is told
  boss.recv('SA mute #room talker 1h');
  await until(() => talker.lines.some((l) => /You are muted in #room/.test(l)), 'talker, on b, told of the mute');
  boss.recv('SA unmute #room talker');
  await until(() => b!.h.server.admin.sanctions.list().every((x) => x.kind !== 'mute'), 'the mute lifted on b');
});

test('a message left for an offline account on one node is delivered at its login on another node, once', { skip, timeout: 30_000 }, async () => {
  const storage = new MemoryStorage();
  const [a, b] = await nodes(2, storage);
  const alice = await client(a!.h, 'alice');
  alice.recv('REGISTER * * :correct horse battery');
  await until(() => alice.lines.some((l) => / REGISTER SUCCESS alice /.test(l)), 'REGISTER on a');
  alice.recv('QUIT');
  await until(() => b!.h.server.accounts.get('alice') !== undefined && b!.h.server.findNick('alice') === undefined, 'b to know the account, alice gone');
  const bob = await client(a!.h, 'bob');
  bob.recv('PRIVMSG alice :see you at nine');
  await until(() => bob.lines.some((l) => /alice is offline: your message will be delivered/.test(l)), 'bob told it waits');
  await until(() => b!.h.server.mailbox.waiting('alice') === 1, 'b to know the message waits');
  const c = b!.h.connect();
  c.recv('PASS :alice:correct horse battery');
  c.recv('NICK alice');
  c.recv('USER alice 0 * :A');
  await until(() => c.lines.some((l) => /PRIVMSG alice :(\[\d\d:\d\d\] )?see you at nine$/.test(l)), 'delivered at the login on b, with its time');
  await until(() => a!.h.server.mailbox.waiting('alice') === 0, 'a forgets it (delivered on b)');
  assert.equal(c.lines.filter((l) => /see you at nine/.test(l)).length, 1, 'once');
});

test('read-only commands publish nothing; a private message to a user on the same node neither', { skip, timeout: 30_000 }, async () => {
  const [a] = await nodes(2);
  const x = await client(a!.h, 'xavier');
  const y = await client(a!.h, 'yann');
  await new Promise((r) => setTimeout(r, 300));
  const before = a!.link.published;
  x.recv('WHO *');
  x.recv('NAMES');
  x.recv('PRIVMSG yann :local only');
  await until(() => y.lines.some((l) => /local only/.test(l)), 'yann to get it');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(a!.link.published, before);
});

test('abuse: a JOIN/PART flood on one node makes the others do bounded work (flood control cuts it; the bus carries at most the burst)', { skip, timeout: 30_000 }, async () => {
  const flood = { enabled: true, linesPerSecond: 5, burst: 20, maxQueued: 100, maxQueuedBytes: 64 * 1024 };
  const [a, b] = await nodes(2, undefined, { flood });
  const watcher = await client(b!.h, 'watcher');
  watcher.recv('JOIN #f0');
  const m = await client(a!.h, 'mallory');
  await until(() => a!.h.server.findChannel('#f0') !== undefined, 'a to know #f0');
  await new Promise((r) => setTimeout(r, 300));
  const before = a!.link.published;
  // the harness clock stands still: the bucket never refills, so only the burst is served
  for (let i = 0; i < 500; i++) m.recv(i % 2 === 0 ? `JOIN #f${i % 40}` : `PART #f${(i - 1) % 40}`);
  assert.ok(m.lines.some((l) => /ERROR .*Excess Flood/i.test(l)), 'disconnected for flooding');
  await new Promise((r) => setTimeout(r, 500));
  const entries = a!.link.published - before;
  // one entry per served command at most, plus its QUIT
  assert.ok(entries <= flood.burst + 2, `${entries} bus entries for ${flood.burst} served commands`);
  // and b is consistent again: mallory is gone from its view
  await until(() => b!.h.server.findNick('mallory') === undefined && b!.h.server.findChannel('#f0')!.members.size === 1, 'b to drop mallory');
});

test('a node shutting down: the other nodes announce its users\' QUIT and drop them', { skip, timeout: 30_000 }, async () => {
  const [a, b] = await nodes(2);
  const alice = await client(a!.h, 'alice');
  alice.recv('JOIN #s');
  const bob = await client(b!.h, 'bob');
  bob.recv('JOIN #s');
  await until(() => b!.h.server.findChannel('#s')?.members.size === 2, 'b to see alice in #s');
  open.splice(open.indexOf(a!), 1);
  a!.link.beginShutdown('Quit: Server shutting down');
  await a!.h.close();
  await a!.link.stop();
  await until(() => bob.lines.some((l) => /^:alice!\S+ QUIT :Quit: Server shutting down$/.test(l)), 'bob to see alice quit');
  assert.equal(b!.h.server.findNick('alice'), undefined);
  assert.equal(b!.h.server.findChannel('#s')!.members.size, 1);
});

test('Redis restarted empty: the gap makes the nodes exchange their state again, and the nicks are claimed again', { skip, timeout: 40_000 }, async () => {
  // a Redis of its own, without persistence: everything is lost on restart
  const r2 = await startRedis();
  const cluster = `empty${++clusterN}`;
  const mk = async (id: string): Promise<{ h: Harness; link: CoreLink }> => {
    const h = harness();
    const link = await CoreLink.start(h.server, pino({ level: 'silent' }), { redis: r2.url, cluster, nodeId: id, leaseMs: 1500, blockMs: 100, reconcileMs: 100 });
    return { h, link };
  };
  const a = await mk('a');
  const b = await mk('b');
  try {
    const alice = await client(a.h, 'alice');
    alice.recv('JOIN #g');
    const bob = await client(b.h, 'bob');
    await until(() => b.h.server.findNick('alice') !== undefined, 'b to know alice');
    await r2.halt('kill');
    await r2.start();
    // a's next entry follows entries Redis lost: b sees the gap and asks a for its state
    await until(() => {
      alice.recv(`AWAY :gone ${Date.now()}`);
      return b.h.server.findNick('alice')?.away?.startsWith('gone') === true;
    }, 'b to hear from a again');
    assert.ok(b.h.server.findChannel('#g')?.members.has(b.h.server.findNick('alice')!), 'alice still in #g on b');
    assert.ok(!bob.lines.some((l) => /alice!\S+ QUIT/.test(l)), 'no spurious QUIT for alice');
    // a lost its lease with the data and claimed alice again: another node cannot take it
    await until(() => a.link.node.leaseHeld, 'a to hold a lease again');
    const taker = b.h.connect();
    taker.recv('NICK alice');
    taker.recv('USER t 0 * :t');
    await until(() => taker.lines.some((l) => / 433 /.test(l)), 'the nick refused on b');
    // right after the loss b may not hold a lease yet either: told to try again, never "in use"
    await until(() => {
      if (taker.lines.some((l) => / 001 /.test(l))) return true;
      if (!taker.lines.slice(1).some((l) => / 433 /.test(l)) || taker.lines.at(-1)?.includes('433') === true) taker.recv('NICK alicia');
      return false;
    }, 'another nick to be fine');
    assert.ok(!taker.lines.slice(1).some((l) => / 433 .*already in use/.test(l)), taker.lines.join('\n'));
    // a claims alice again once it holds a new lease
    let owner: string | undefined;
    for (const end = Date.now() + 10_000; owner !== 'a' && Date.now() < end; await new Promise((r) => setTimeout(r, 50))) owner = (await a.link.node.ownerOf('alice'))?.node;
    assert.equal(owner, 'a');
  } finally {
    await a.h.close();
    await b.h.close();
    await a.link.stop();
    await b.link.stop();
    await r2.stop();
  }
});
