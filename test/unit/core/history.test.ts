// History in the core: CHATHISTORY windows and errors, JOIN replay, HISTORY, SEARCH,
// retention, channel state persistence, and a failing store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { harness, makeConfig, type Harness } from '../../helpers/harness.js';
import type { FakeConnection } from '../../helpers/fake-conn.js';
import { MemoryStorage } from '../../../src/storage/memory/memory-storage.js';
import { History } from '../../../src/core/history.js';
import { IrcServer } from '../../../src/core/server.js';
import { parseLine, msgs, one, none } from './util.js';

const FULL = ['batch', 'server-time', 'message-tags', 'draft/chathistory', 'labeled-response'];
/** lets queued microtasks and one loop turn run (history replies are asynchronous) */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

async function withRoom(
  overrides: Record<string, unknown>,
  fn: (h: Harness, alice: FakeConnection, bob: FakeConnection, ids: string[], times: number[]) => Promise<void>,
): Promise<void> {
  const h = harness(overrides);
  try {
    const alice = h.client('alice', FULL);
    const bob = h.client('bob');
    alice.recv('JOIN #a');
    bob.recv('JOIN #a');
    const ids: string[] = [];
    const times: number[] = [];
    for (let i = 1; i <= 10; i++) {
      h.clock.now += 1000;
      bob.recv(`PRIVMSG #a :m${i}`);
      const m = parseLine(alice.lines[alice.lines.length - 1]!);
      ids.push(m.tags!.get('msgid')!);
      times.push(h.clock.now);
    }
    await settle();
    alice.take();
    bob.take();
    await fn(h, alice, bob, ids, times);
  } finally {
    await h.close();
  }
}

/** Sends a command, waits for the reply; returns the texts of the PRIVMSGs in its batch. */
async function ask(c: FakeConnection, line: string): Promise<string[]> {
  c.recv(line);
  await settle();
  const got = c.take();
  return msgs(got, 'PRIVMSG').map((m) => m.params[1]!);
}

const iso = (t: number): string => new Date(t).toISOString();
const m = (...n: number[]): string[] => n.map((i) => 'm' + i);

test('CHATHISTORY windows: LATEST, BEFORE, AFTER, AROUND, BETWEEN, by msgid and timestamp, exclusive', () =>
  withRoom({}, async (_h, a, _b, ids, times) => {
    a.recv('CHATHISTORY LATEST #a * 3');
    await settle();
    const got = a.take();
    const [open, ...rest] = got;
    assert.match(open!, /^:test\.server BATCH \+(\S+) chathistory #a$/);
    const id = /BATCH \+(\S+)/.exec(open!)![1]!;
    assert.equal(rest.at(-1), `:test.server BATCH -${id}`);
    const lines = rest.slice(0, -1).map(parseLine);
    assert.deepEqual(lines.map((l) => l.params[1]), m(8, 9, 10));
    assert.deepEqual(lines.map((l) => l.tags!.get('msgid')), ids.slice(7));
    assert.deepEqual(lines.map((l) => l.tags!.get('time')), times.slice(7).map(iso));
    assert.ok(lines.every((l) => l.tags!.get('batch') === id && l.source === 'bob!~bob@127.0.0.1'));

    assert.deepEqual(await ask(a, `CHATHISTORY BEFORE #a msgid=${ids[4]} 2`), m(3, 4));
    assert.deepEqual(await ask(a, `CHATHISTORY BEFORE #a msgid=${ids[2]} 50`), m(1, 2));
    assert.deepEqual(await ask(a, `CHATHISTORY AFTER #a msgid=${ids[4]} 2`), m(6, 7));
    assert.deepEqual(await ask(a, `CHATHISTORY AFTER #a timestamp=${iso(times[4]!)} 2`), m(6, 7));
    assert.deepEqual(await ask(a, `CHATHISTORY BEFORE #a timestamp=${iso(times[4]!)} 100`), m(1, 2, 3, 4));
    assert.deepEqual(await ask(a, `CHATHISTORY LATEST #a msgid=${ids[6]} 100`), m(8, 9, 10));
    assert.deepEqual(await ask(a, `CHATHISTORY LATEST #a timestamp=${iso(times[8]!)} 100`), m(10));
    assert.deepEqual(await ask(a, `CHATHISTORY AROUND #a msgid=${ids[4]} 3`), m(4, 5, 6));
    assert.deepEqual(await ask(a, `CHATHISTORY AROUND #a msgid=${ids[0]} 3`), m(1, 2, 3), 'fills from the other side at an edge');
    assert.deepEqual(await ask(a, `CHATHISTORY AROUND #a msgid=${ids[9]} 4`), m(7, 8, 9, 10));
    assert.deepEqual(await ask(a, `CHATHISTORY BETWEEN #a msgid=${ids[1]} msgid=${ids[5]} 10`), m(3, 4, 5));
    assert.deepEqual(await ask(a, `CHATHISTORY BETWEEN #a msgid=${ids[1]} msgid=${ids[5]} 2`), m(3, 4), 'forwards: the oldest');
    assert.deepEqual(await ask(a, `CHATHISTORY BETWEEN #a msgid=${ids[5]} msgid=${ids[1]} 2`), m(4, 5), 'backwards: the newest');
    assert.deepEqual(await ask(a, `CHATHISTORY BETWEEN #a timestamp=${iso(times[1]!)} timestamp=${iso(times[5]!)} 10`), m(3, 4, 5));
    assert.deepEqual(await ask(a, `CHATHISTORY BETWEEN #a msgid=${ids[3]} msgid=${ids[3]} 10`), []);
    assert.deepEqual(await ask(a, `CHATHISTORY AFTER #a msgid=${ids[9]} 10`), [], 'nothing after the last');
    assert.deepEqual(await ask(a, 'CHATHISTORY AFTER #a msgid=unknown 10'), [], 'unknown msgid: empty batch');
    assert.deepEqual(await ask(a, 'chathistory latest #A * 0'), m(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 'limit 0 = the maximum');
  }));

test('CHATHISTORY limit is capped by history.maxQuery, advertised in ISUPPORT', () =>
  withRoom({ history: { maxQuery: 4 } }, async (h, a) => {
    assert.deepEqual(await ask(a, 'CHATHISTORY LATEST #a * 1000'), m(7, 8, 9, 10));
    const c = h.connect();
    c.recv('NICK zed');
    c.recv('USER zed 0 * :z');
    const isupport = msgs(c.take(), '005').flatMap((x) => x.params);
    assert.ok(isupport.includes('CHATHISTORY=4') && isupport.includes('MSGREFTYPES=timestamp,msgid'));
  }));

test('CHATHISTORY errors: unknown target, not a member, bad references, missing params, unknown subcommand', () =>
  withRoom({}, async (h, a) => {
    const carol = h.client('carol');
    carol.recv('JOIN #secret');
    const fail = async (line: string): Promise<string[]> => {
      a.recv(line);
      await settle();
      const got = a.take();
      none(got, 'BATCH');
      return one(got, 'FAIL');
    };
    assert.deepEqual(await fail('CHATHISTORY LATEST #nope * 10'), ['CHATHISTORY', 'INVALID_TARGET', 'LATEST', '#nope', 'Messages could not be retrieved']);
    assert.deepEqual((await fail('CHATHISTORY LATEST #secret * 10')).slice(0, 4), ['CHATHISTORY', 'INVALID_TARGET', 'LATEST', '#secret']);
    assert.deepEqual((await fail('CHATHISTORY BEFORE #a 12345 10')).slice(0, 3), ['CHATHISTORY', 'INVALID_PARAMS', 'BEFORE']);
    assert.deepEqual((await fail('CHATHISTORY BEFORE #a timestamp=yesterday 10')).slice(0, 3), ['CHATHISTORY', 'INVALID_PARAMS', 'BEFORE']);
    assert.deepEqual((await fail('CHATHISTORY BEFORE #a * 10')).slice(0, 3), ['CHATHISTORY', 'INVALID_PARAMS', 'BEFORE'], '* only for LATEST');
    assert.deepEqual((await fail('CHATHISTORY LATEST #a * ten')).slice(0, 3), ['CHATHISTORY', 'INVALID_PARAMS', 'LATEST']);
    assert.deepEqual((await fail('CHATHISTORY BETWEEN #a msgid=x 10')).slice(0, 3), ['CHATHISTORY', 'NEED_MORE_PARAMS', 'BETWEEN']);
    assert.deepEqual((await fail('CHATHISTORY FOO #a')).slice(0, 3), ['CHATHISTORY', 'UNKNOWN_COMMAND', 'FOO']);
    // direct messages are not stored: a nick has an empty history, not an error
    a.recv('CHATHISTORY LATEST bob * 10');
    await settle();
    const got = a.take();
    assert.equal(got.length, 2);
    assert.match(got[0]!, /BATCH \+\S+ chathistory bob$/);
  }));

test('CHATHISTORY: events only with draft/event-playback; labeled requests get their label', () =>
  withRoom({}, async (h, a) => {
    const ev = h.client('eve', [...FULL, 'draft/event-playback']);
    ev.recv('JOIN #a');
    a.recv('TOPIC #a :new topic');
    await settle();
    ev.take();
    ev.recv('CHATHISTORY LATEST #a * 3');
    await settle();
    const lines = ev.take().map(parseLine).filter((x) => x.command !== 'BATCH');
    assert.deepEqual(lines.map((x) => x.command), ['PRIVMSG', 'JOIN', 'TOPIC']);
    assert.deepEqual(await ask(a, 'CHATHISTORY LATEST #a * 1'), m(10));

    a.recv('@label=q1 CHATHISTORY LATEST #a * 2');
    await settle();
    const got = a.take();
    assert.match(got[0]!, /^@label=q1 :test\.server BATCH \+\S+ labeled-response$/);
    assert.equal(msgs(got, 'PRIVMSG').length, 2);
    assert.equal(got.filter((l) => l.includes('ACK')).length, 0);
  }));

test('CHATHISTORY: a typing notice (+typing TAGMSG) is not kept; a reaction (TAGMSG +draft/react) is', () =>
  withRoom({}, async (h, a, _b, ids) => {
    const ev = h.client('eve', [...FULL, 'draft/event-playback']);
    ev.recv('JOIN #a');
    a.recv('@+typing=active TAGMSG #a');
    a.recv('@+typing=done TAGMSG #a');
    a.recv(`@+draft/react=👍;+draft/reply=${ids[9]} TAGMSG #a`);
    await settle();
    ev.take();
    ev.recv('CHATHISTORY LATEST #a * 3');
    await settle();
    const lines = ev.take().map(parseLine).filter((x) => x.command !== 'BATCH');
    assert.deepEqual(lines.map((x) => x.command), ['PRIVMSG', 'JOIN', 'TAGMSG']);
    assert.equal(lines[2]!.tags!.get('+draft/react'), '👍');
  }));

test('CHATHISTORY TARGETS lists the channels you are in with their latest message time', () =>
  withRoom({}, async (h, a, b, _ids, times) => {
    a.recv('JOIN #b');
    b.recv('JOIN #b');
    h.clock.now += 1000;
    b.recv('PRIVMSG #b :in b');
    const carol = h.client('carol');
    carol.recv('JOIN #other');
    carol.recv('PRIVMSG #other :not for alice');
    await settle();
    a.take();
    a.recv(`CHATHISTORY TARGETS timestamp=${iso(0)} timestamp=${iso(h.clock.now + 1)} 10`);
    await settle();
    const got = a.take();
    assert.match(got[0]!, /BATCH \+\S+ draft\/chathistory-targets$/);
    const rows = msgs(got, 'CHATHISTORY').map((x) => x.params);
    assert.deepEqual(rows, [['TARGETS', '#a', iso(times[9]!)], ['TARGETS', '#b', iso(h.clock.now)]]);
    a.recv(`CHATHISTORY TARGETS timestamp=${iso(0)} timestamp=${iso(h.clock.now + 1)} 1`);
    await settle();
    assert.deepEqual(msgs(a.take(), 'CHATHISTORY').map((x) => x.params[1]), ['#a']);
  }));

test('legacy JOIN replay: last replayLines messages with their times in the text; none for chathistory clients', () =>
  withRoom({ history: { replayLines: 3 } }, async (h) => {
    const carol = h.client('carol');
    carol.recv('JOIN #a');
    await settle();
    const got = carol.take();
    const notice = msgs(got, 'NOTICE').map((x) => x.params[1]);
    assert.deepEqual(notice, ['*** #a: the last 3 messages', '*** #a: end of replay']);
    const texts = msgs(got, 'PRIVMSG').map((x) => x.params[1]!);
    assert.equal(texts.length, 3);
    texts.forEach((t, i) => assert.match(t, new RegExp(`^\\[\\d\\d:\\d\\d\\] m${8 + i}$`)));
    assert.ok(msgs(got, 'PRIVMSG').every((x) => x.source === 'bob!~bob@127.0.0.1'));
    // the replay comes after the JOIN burst (names end)
    assert.ok(got.findIndex((l) => / 366 /.test(l)) < got.findIndex((l) => l.includes('PRIVMSG')));

    const dave = h.client('dave', ['server-time', 'batch']);
    dave.recv('JOIN #a');
    await settle();
    const dl = msgs(dave.take(), 'PRIVMSG');
    assert.deepEqual(dl.map((x) => x.params[1]), m(8, 9, 10), 'server-time + batch clients see the time in the tag');
    assert.ok(dl.every((x) => x.tags?.get('time') !== undefined));

    // irssi: server-time without batch, and by default it shows when a line arrived
    const ivy = h.client('ivy', ['server-time', 'multi-prefix', 'away-notify']);
    ivy.recv('JOIN #a');
    await settle();
    const il = msgs(ivy.take(), 'PRIVMSG');
    il.forEach((x, i) => assert.match(x.params[1]!, new RegExp(`^\\[\\d\\d:\\d\\d\\] m${8 + i}$`)));
    assert.ok(il.length === 3 && il.every((x) => x.tags?.get('time') !== undefined), 'and the tag too');

    const eve = h.client('eve', ['draft/chathistory', 'batch']);
    eve.recv('JOIN #a');
    await settle();
    none(eve.take(), 'PRIVMSG');
  }));

test('JOIN replay holds only what was said before the join, not lines sent right after it', () =>
  withRoom({ history: { replayLines: 3 } }, async (h, _alice, bob) => {
    h.clock.now += 1000;
    const carol = h.client('carol', ['server-time']);
    // JOIN then a message in the same packet, and bob answering in the same turn
    carol.recv('JOIN #a');
    carol.recv('PRIVMSG #a :hi all');
    bob.recv('PRIVMSG #a :welcome carol');
    await settle();
    const texts = msgs(carol.take(), 'PRIVMSG').map((x) => x.params[1]!.replace(/^\[\d\d:\d\d\] /, ''));
    // bob's answer arrives live once; the replay is m8..m10 and nothing newer
    assert.deepEqual(texts, ['welcome carol', ...m(8, 9, 10)]);
  }));

test('HISTORY #chan N: the last N messages for anyone; 442 when not a member', () =>
  withRoom({}, async (h) => {
    const carol = h.client('carol');
    carol.recv('JOIN #a');
    await settle();
    carol.take();
    carol.recv('HISTORY #a 2');
    await settle();
    const got = carol.take();
    assert.deepEqual(msgs(got, 'NOTICE').map((x) => x.params[1]), ['*** #a: the last 2 messages', '*** #a: end of replay']);
    assert.deepEqual(msgs(got, 'PRIVMSG').map((x) => x.params[1]!.replace(/^\[[^\]]+\] /, '')), m(9, 10));
    carol.recv('HISTORY #elsewhere');
    assert.equal(msgs(carol.take(), '403').length, 1);
    const dan = h.client('dan');
    dan.recv('JOIN #empty');
    dan.recv('HISTORY #a');
    assert.equal(msgs(dan.take(), '442').length, 1);
    dan.recv('HISTORY #empty 5');
    await settle();
    assert.deepEqual(msgs(dan.take(), 'NOTICE').map((x) => x.params[1]), ['*** #empty: no messages']);
  }));

test('SEARCH finds words across your rooms, never in rooms you are not in', () =>
  withRoom({}, async (h, a, b) => {
    a.recv('JOIN #b');
    b.recv('JOIN #b');
    const carol = h.client('carol');
    carol.recv('JOIN #c');
    b.recv('PRIVMSG #a :pizza in a on friday');
    b.recv('PRIVMSG #b :Pizza in b, Friday!');
    carol.recv('PRIVMSG #c :pizza friday secret');
    b.recv('PRIVMSG #b :pizza only');
    await settle();
    const dan = h.client('dan');
    dan.recv('JOIN #a');
    dan.recv('JOIN #b');
    await settle();
    dan.take();
    dan.recv('SEARCH pizza friday');
    await settle();
    const got = msgs(dan.take(), 'NOTICE').map((x) => x.params[1]!);
    assert.equal(got[0], '*** Search "pizza friday": 2 results');
    assert.match(got[1]!, /^\[#a \d{4}-\d\d-\d\d \d\d:\d\d\] <bob> pizza in a on friday$/);
    assert.match(got[2]!, /^\[#b \d{4}-\d\d-\d\d \d\d:\d\d\] <bob> Pizza in b, Friday!$/);
    assert.equal(got.length, 4);
    dan.recv('SEARCH #b pizza');
    await settle();
    assert.equal(msgs(dan.take(), 'NOTICE')[0]!.params[1], '*** Search "pizza": 2 results');
    dan.recv('SEARCH secret');
    await settle();
    assert.deepEqual(msgs(dan.take(), 'NOTICE').map((x) => x.params[1]), ['*** Search "secret": no results']);
    dan.recv('SEARCH #c pizza');
    assert.equal(msgs(dan.take(), '442').length, 1);
    // batch + server-time clients get the original lines in a tincan/search batch
    a.take();
    a.recv('SEARCH friday');
    await settle();
    const al = a.take();
    assert.match(al[0]!, /BATCH \+\S+ tincan\/search$/);
    assert.deepEqual(msgs(al, 'PRIVMSG').map((x) => x.params[0]), ['#a', '#b']);
  }));

test('retention prunes by count and by age', async () => {
  const h = harness({ history: { maxPerChannel: 4 } });
  try {
    const a = h.client('alice');
    a.recv('JOIN #a');
    for (let i = 1; i <= 10; i++) a.recv(`PRIVMSG #a :m${i}`);
    assert.ok((await h.history!.pruneNow()) >= 6);
    assert.deepEqual((await h.history!.range({ target: '#a', after: null, before: null, from: 'oldest', limit: 100, kinds: 'messages' })).map((e) => e.params[1]), m(7, 8, 9, 10));
  } finally {
    await h.close();
  }
  const h2 = harness({ history: { maxAgeDays: 1 } });
  try {
    const a = h2.client('alice');
    a.recv('JOIN #a');
    a.recv('PRIVMSG #a :old');
    h2.clock.now += 2 * 86_400_000;
    a.recv('PRIVMSG #a :new');
    await h2.history!.pruneNow();
    assert.deepEqual((await h2.history!.range({ target: '#a', after: null, before: null, from: 'oldest', limit: 100, kinds: 'all' })).map((e) => e.params[1] ?? e.command), ['new']);
  } finally {
    await h2.close();
  }
});

test('channel state persists: an empty room with state stays; a restart restores topic, modes, key and bans', async () => {
  const storage = new MemoryStorage();
  const h = harness({}, undefined, { storage });
  const a = h.client('alice');
  a.recv('JOIN #room');
  a.recv('TOPIC #room :our topic');
  a.recv('MODE #room +ik sesame');
  a.recv('MODE #room +b *!*@bad.example');
  a.recv('JOIN #plain');
  a.recv('PART #room');
  a.recv('PART #plain');
  assert.ok(h.server.findChannel('#room') !== undefined, 'kept while empty');
  assert.equal(h.server.findChannel('#plain'), undefined, 'no state: dropped as before');
  a.take();
  a.recv('LIST');
  assert.ok(!msgs(a.take(), '322').some((x) => x.params[1] === '#room'), 'private (+ik): not listed to outsiders');
  await h.server.shutdown('restart');

  // a new server over the same storage
  const history = new History({ storage: Object.assign(Object.create(storage) as MemoryStorage, { close: async () => {} }), logger: pino({ level: 'silent' }) });
  // same clock: stored rooms expire after limits.emptyChannelExpiryDays of being empty
  const srv = new IrcServer(makeConfig({}), pino({ level: 'silent' }), { history, tickMs: 3_600_000, now: () => h.clock.now });
  try {
    assert.equal(await history.restoreChannels(srv), 1);
    const ch = srv.findChannel('#ROOM')!;
    assert.equal(ch.topic, 'our topic');
    assert.equal(ch.key, 'sesame');
    assert.deepEqual([...ch.flags].sort(), ['i', 'n', 't']);
    assert.deepEqual(ch.bans.map((b) => b.mask), ['*!*@bad.example']);
    assert.ok(ch.isBanned('x!y@bad.example'));
  } finally {
    await srv.shutdown('done');
  }
});

test('first joiner of a kept empty room gets op; the key still applies', () =>
  withRoom({}, async (h) => {
    const a = h.client('op1');
    a.recv('JOIN #k');
    a.recv('MODE #k +k pw');
    a.recv('PART #k');
    const b = h.client('later');
    b.recv('JOIN #k');
    assert.equal(msgs(b.take(), '475').length, 1);
    b.recv('JOIN #k pw');
    const names = msgs(b.take(), '353')[0]!.params[3];
    assert.equal(names, '@later');
  }));

test('a failing store never stalls delivery: buffered, opers told, retried until it works', async () => {
  const storage = new MemoryStorage();
  const h = harness({ operators: [{ name: 'boss', password: 'pw' }] }, undefined, { storage });
  try {
    const op = h.client('op');
    op.recv('OPER boss pw');
    const a = h.client('alice');
    const b = h.client('bob');
    a.recv('JOIN #a');
    b.recv('JOIN #a');
    await settle();
    b.take();
    storage.history.failWith = new Error('disk on fire');
    a.recv('PRIVMSG #a :still delivered');
    assert.equal(msgs(b.take(), 'PRIVMSG')[0]!.params[1], 'still delivered');
    await settle();
    assert.equal(h.history!.failing, true);
    assert.ok(msgs(op.take(), 'NOTICE').some((x) => /History storage is failing \(disk on fire\)/.test(x.params[1]!)));
    a.recv('PRIVMSG #a :second');
    assert.equal(h.history!.pending, 2);
    storage.history.failWith = null;
    while (h.history!.failing) await new Promise((r) => setTimeout(r, 20));
    assert.equal(h.history!.pending, 0);
    const kept = await storage.history.range({ target: '#a', after: null, before: null, from: 'oldest', limit: 10, kinds: 'messages' });
    assert.deepEqual(kept.map((e) => e.params[1]), ['still delivered', 'second']);
    assert.ok(msgs(op.take(), 'NOTICE').some((x) => /recovered/.test(x.params[1]!)));
  } finally {
    await h.close();
  }
});
