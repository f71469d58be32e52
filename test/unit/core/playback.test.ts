// znc.in/playback: PRIVMSG *playback :PLAY / LIST answered from history, ZNC's window
// (since < t <= until), only rooms the user is in, bounded; no JOIN replay for its clients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, type Harness } from '../../helpers/harness.js';
import type { FakeConnection } from '../../helpers/fake-conn.js';
import { playbackWindow } from '../../../src/core/commands/history.js';
import { MAX_ID } from '../../../src/storage/types.js';
import { parseLine, msgs, none } from './util.js';

const PB = ['batch', 'server-time', 'message-tags', 'znc.in/playback'];
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
const secs = (t: number): string => String(t / 1000);

/** #a with m1..m10 from bob, one second apart; alice (playback client) is in it. */
async function withRoom(
  overrides: Record<string, unknown>,
  fn: (h: Harness, alice: FakeConnection, bob: FakeConnection, ids: string[], times: number[]) => Promise<void>,
): Promise<void> {
  const h = harness(overrides);
  try {
    const bob = h.client('bob', ['server-time', 'message-tags']);
    bob.recv('JOIN #a');
    const ids: string[] = [];
    const times: number[] = [];
    for (let i = 1; i <= 10; i++) {
      h.clock.now += 1000;
      bob.recv(`@+x=1 PRIVMSG #a :m${i}`);
      times.push(h.clock.now);
    }
    await settle();
    const alice = h.client('alice', PB);
    alice.recv('JOIN #a');
    await settle();
    const joinBurst = alice.take();
    none(joinBurst.filter((l) => !l.includes(' JOIN ') && !l.includes(' 3')), 'PRIVMSG'); // no automatic replay
    alice.recv('PRIVMSG *playback :PLAY #a 0');
    await settle();
    for (const l of msgs(alice.take(), 'PRIVMSG')) ids.push(l.tags!.get('msgid')!);
    assert.equal(ids.length, Math.min(10, (overrides['history'] as { maxQuery?: number } | undefined)?.maxQuery ?? 10));
    bob.take();
    await fn(h, alice, bob, ids, times);
  } finally {
    await h.close();
  }
}

/** PLAY's lines: [batch open params, texts, parsed lines]. */
async function playOf(c: FakeConnection, line: string) {
  c.recv(line);
  await settle();
  const got = c.take().map(parseLine);
  return got;
}
const texts = (got: ReturnType<typeof parseLine>[]): string[] => got.filter((m) => m.command === 'PRIVMSG').map((m) => m.params[1]!);

test('PLAY window is ZNC\'s: since exclusive, until inclusive, fractional seconds to the millisecond', () =>
  withRoom({}, async (_h, a, _b, ids, times) => {
    // exact times of m3 and m6: m3 left out (since <), m6 kept (until >=)
    let got = await playOf(a, `PRIVMSG *playback :PLAY #a ${secs(times[2]!)} ${secs(times[5]!)}`);
    assert.deepEqual(texts(got), ['m4', 'm5', 'm6']);
    const open = got[0]!;
    assert.equal(open.command, 'BATCH');
    assert.deepEqual(open.params.slice(1), ['znc.in/playback', '#a']);
    const id = open.params[0]!.slice(1);
    assert.deepEqual(got.at(-1)!.params, ['-' + id]);
    const lines = got.filter((m) => m.command === 'PRIVMSG');
    assert.deepEqual(lines.map((l) => l.tags!.get('msgid')), ids.slice(3, 6));
    assert.deepEqual(lines.map((l) => l.tags!.get('time')), times.slice(3, 6).map((t) => new Date(t).toISOString()));
    assert.ok(lines.every((l) => l.tags!.get('batch') === id && l.source === 'bob!~bob@127.0.0.1' && l.tags!.get('+x') === '1'));
    // one millisecond earlier on both ends: m3 now in, m6 out
    got = await playOf(a, `PRIVMSG *playback :PLAY #a ${(times[2]! - 1) / 1000} ${(times[5]! - 1) / 1000}`);
    assert.deepEqual(texts(got), ['m3', 'm4', 'm5']);
    // sub-millisecond digits: 0.0004 s past m3's millisecond still excludes m3
    got = await playOf(a, `PRIVMSG *playback :PLAY #a ${secs(times[2]!)}.0004 ${secs(times[3]!)}.9999`);
    assert.deepEqual(texts(got), ['m4']);
    // no until: up to now; lower-case command and '*' work as in ZNC
    got = await playOf(a, `PRIVMSG *playback :play * ${secs(times[7]!)}`);
    assert.deepEqual(texts(got), ['m9', 'm10']);
    // an empty window sends nothing at all (no empty batch), as ZNC does
    got = await playOf(a, `PRIVMSG *playback :PLAY #a ${secs(times[9]!)}`);
    assert.deepEqual(got, []);
  }));

test('playbackWindow: store bounds for since/until', () => {
  assert.deepEqual(playbackWindow('1700000000.5', '1700000001'), {
    after: { time: 1700000000500, id: MAX_ID },
    before: { time: 1700000001001, id: 0 },
  });
  assert.deepEqual(playbackWindow('1700000000.5009', undefined), { after: { time: 1700000000500, id: MAX_ID }, before: null });
  assert.deepEqual(playbackWindow(undefined, undefined), { after: { time: 0, id: MAX_ID }, before: null });
  assert.deepEqual(playbackWindow('-1', undefined), { after: null, before: null });
  assert.equal(playbackWindow('yesterday', undefined), null);
  assert.equal(playbackWindow('1', '1e9'), null);
});

test('PLAY is bounded by history.maxQuery per room (the newest), and only rooms the user is in', () =>
  withRoom({ history: { maxQuery: 4 } }, async (h, a, b) => {
    let got = await playOf(a, 'PRIVMSG *playback :PLAY #a 0');
    assert.deepEqual(texts(got), ['m7', 'm8', 'm9', 'm10']);
    // a room alice is not in: nothing, by name or by wildcard
    b.recv('JOIN #secret');
    h.clock.now += 1000;
    b.recv('PRIVMSG #secret :hidden');
    await settle();
    got = await playOf(a, 'PRIVMSG *playback :PLAY #secret,#s* 0');
    assert.deepEqual(got, []);
    got = await playOf(a, 'PRIVMSG *playback :LIST');
    const list = texts(got);
    assert.equal(list.length, 1);
    assert.match(list[0]!, /^#a \d+\.?\d* \d+\.?\d*$/);
    assert.ok(got.every((m) => m.source === '*playback!playback@test.server'));
  }));

test('a line said while PLAY is being answered is not played (it came live)', () =>
  withRoom({}, async (h, a, b) => {
    a.recv('PRIVMSG *playback :PLAY #a 0');
    h.clock.now += 1000;
    b.recv('PRIVMSG #a :live');
    await settle();
    const got = a.take().map(parseLine);
    const all = texts(got);
    assert.equal(all.filter((t) => t === 'live').length, 1);
    assert.equal(all.length, 11);
  }));

test('playback clients get no JOIN replay; a PLAY sent before the JOIN is played on it', async () => {
  const h = harness({});
  try {
    const bob = h.client('bob');
    bob.recv('JOIN #a');
    for (let i = 1; i <= 3; i++) {
      h.clock.now += 1000;
      bob.recv(`PRIVMSG #a :m${i}`);
    }
    await settle();
    const t1 = h.clock.now - 2000;
    // first: a playback client that asks for nothing gets nothing
    const c = h.client('carol', PB);
    c.recv('JOIN #a');
    await settle();
    none(c.take(), 'PRIVMSG');
    // the usual client start: PLAY * <last seen> right after registration, then JOINs
    const a = h.client('alice', PB);
    a.recv(`PRIVMSG *playback :PLAY * ${t1 / 1000}`);
    await settle();
    assert.deepEqual(a.take(), []);
    a.recv('JOIN #a');
    await settle();
    assert.deepEqual(texts(a.take().map(parseLine)), ['m2', 'm3']);
    // leaving and coming back in the same connection: that PLAY is not played again
    a.recv('PART #a');
    h.clock.now += 1000;
    bob.recv('PRIVMSG #a :m4');
    await settle();
    a.take();
    a.recv('JOIN #a');
    await settle();
    assert.deepEqual(texts(a.take().map(parseLine)), ['m4']);
  } finally {
    await h.close();
  }
});

test('bad PLAY input gets the usage, not silence; without history *playback is no one', async () => {
  await withRoom({}, async (_h, a) => {
    for (const bad of ['PLAY', 'PLAY #a soon', 'PLAY #a 1 2 3', 'FROB']) {
      const got = await playOf(a, `PRIVMSG *playback :${bad}`);
      assert.equal(got.length, 1, bad);
      assert.match(got[0]!.params[1]!, /^Usage: PLAY/);
    }
  });
  const h = harness({ history: { enabled: false } });
  try {
    const a = h.client('alice');
    a.recv('PRIVMSG *playback :PLAY * 0');
    assert.ok(a.take().some((l) => / 401 /.test(l)));
  } finally {
    await h.close();
  }
});

test('ZNC *playback PLAY (how The Lounge asks) is the same as PRIVMSG *playback; other modules are unknown', () =>
  withRoom({}, async (_h, a, _b, _ids, times) => {
    const got = await playOf(a, `ZNC *playback PLAY #a ${secs(times[7]!)}`);
    assert.deepEqual(texts(got), ['m9', 'm10']);
    a.recv('ZNC *status help');
    assert.ok(a.take().some((l) => / 421 alice ZNC /.test(l)));
  }));

test('a playback client that sends no PLAY: nothing as a newcomer, what it missed when back, and a later PLAY does not repeat it', async () => {
  const h = harness({});
  try {
    const bob = h.client('bob');
    bob.recv('JOIN #a');
    h.clock.now += 1000;
    bob.recv('PRIVMSG #a :m1');
    await settle();
    let a = h.client('lounge', PB);
    a.recv('JOIN #a');
    await settle();
    assert.deepEqual(texts(a.take().map(parseLine)), [], 'a newcomer asks (PLAY) or gets nothing, as with ZNC');
    a.hangup();
    for (const t of ['m2', 'm3']) {
      h.clock.now += 1000;
      bob.recv(`PRIVMSG #a :${t}`);
    }
    await settle();
    a = h.client('lounge', PB);
    a.recv('JOIN #a');
    await settle();
    const back = a.take().map(parseLine);
    assert.deepEqual(texts(back), ['m2', 'm3'], 'coming back (the Lounge reconnecting): only what it missed');
    assert.ok(back.some((m) => m.command === 'BATCH' && m.params[1] === 'chathistory'));
    h.clock.now += 1000;
    bob.recv('PRIVMSG #a :m4');
    a.take();
    a.recv('PRIVMSG *playback :PLAY #a 0');
    await settle();
    assert.deepEqual(texts(a.take().map(parseLine)), ['m1'], 'only what it has not got: not m2..m4 again');
  } finally {
    await h.close();
  }
});
