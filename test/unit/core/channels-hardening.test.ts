// Issue 11, channels and privacy: mass join/quit stays linear, channel creation is capped,
// empty kept rooms expire, LIST fits the send queue, private rooms (+i/+k) show nothing to
// outsiders, and no nick is held before the server password is accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { harness, type Harness } from '../../helpers/harness.js';
import type { FakeConnection } from '../../helpers/fake-conn.js';
import { CONTINUATION, PlainConnection } from '../../../src/dialects/plain.js';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';
import { using, msgs, one, none, inRoom } from './util.js';
import { closeText } from '../../helpers/codes.js';

const DAY = 86_400_000;

function clients(h: Harness, n: number, prefix = 'u'): FakeConnection[] {
  const out: FakeConnection[] = [];
  for (let i = 0; i < n; i++) out.push(h.client(prefix + i));
  return out;
}

const total = (cs: FakeConnection[]): number => cs.reduce((a, c) => a + c.lines.length, 0);

// ---- 1. mass join / quit ------------------------------------------------------------

test('shutdown: every user gets one ERROR and no QUIT fan-out (was one QUIT per user to every peer)', async () => {
  const h = harness({ history: { enabled: false } });
  const cs = clients(h, 300);
  inRoom('#lobby', ...cs);
  await h.close();
  // before: 300 * 299 / 2 = 44,850 QUIT lines; now: one ERROR each
  assert.ok(total(cs) <= 2 * cs.length, `shutdown wrote ${total(cs)} lines for ${cs.length} users`);
  for (const c of cs) none(c.lines, 'QUIT');
});

test('mass join and mass cut: work per event is linear in members (N vs 4N), no per-member-per-member work', async () => {
  // lines written for one more join, and for 50 members cut at once (as slow readers are)
  const measure = (n: number): { join: number; cut: number } => {
    const h = harness({ history: { enabled: false } });
    const cs = clients(h, n);
    inRoom('#lobby', ...cs);
    const extra = h.client('late');
    extra.recv('JOIN #lobby');
    const join = total(cs) + extra.take().length;
    for (const c of cs) c.take();
    for (const c of cs.slice(0, 50)) c.hangup(closeText('TINCAN_ERR_SENDQ'));
    for (const c of cs.slice(50)) assert.equal(msgs(c.lines, 'QUIT').length, 50, 'each remaining member hears each QUIT once');
    const cut = total(cs) + extra.take().length;
    void h.close();
    return { join, cut };
  };
  for (const n of [100, 400]) {
    const m = measure(n);
    // one JOIN per member, NAMES in lines of ~40 names, a few fixed lines
    assert.ok(m.join <= n + n / 20 + 10, `join into ${n} members wrote ${m.join} lines`);
    // one QUIT per cut member to each member still connected, nothing else
    assert.ok(m.cut <= 50 * (n + 1), `cutting 50 of ${n} wrote ${m.cut} lines`);
  }
  const small = measure(100);
  const big = measure(400);
  assert.ok(big.join <= 4.5 * small.join, `join: ${small.join} lines at 100 members, ${big.join} at 400`);
});

test('SQLite: "the last N messages" (JOIN replay) reads a messages-only index, not every earlier JOIN/QUIT', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-chan-'));
  const st = new SqliteStorage(join(dir, 't.db'));
  try {
    const T0 = 1_700_000_000_000;
    const evs = [];
    for (let i = 0; i < 2000; i++) evs.push({ target: '#lobby', msgid: 'j' + i, time: T0 + i, command: 'JOIN' as const, source: `g${i}!u@h`, params: ['#lobby'], tags: '' });
    evs.push({ target: '#lobby', msgid: 'm1', time: T0 + 5, command: 'PRIVMSG' as const, source: 'a!u@h', params: ['#lobby', 'hi'], tags: '' });
    await st.history.append(evs);
    const got = await st.history.range({ target: '#lobby', after: null, before: null, from: 'newest', limit: 20, kinds: 'messages' });
    assert.deepEqual(got.map((e) => e.msgid), ['m1']);
    // the same WHERE clause as SqliteHistoryStore's messages range: it must use the partial
    // index, or each of 2,000 joins into a quiet room walks back over all earlier joins
    const plan = st.db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT id FROM events WHERE target = ? AND (time, id) > (?, ?) AND (time, id) < (?, ?) AND command IN ('PRIVMSG', 'NOTICE') ORDER BY time DESC, id DESC LIMIT ?",
      )
      .all('#lobby', 0, 0, 2 ** 52, 2 ** 52, 20) as { detail: string }[];
    assert.ok(plan.some((r) => r.detail.includes('events_target_messages')), plan.map((r) => r.detail).join('; '));
  } finally {
    await st.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- 2. channel caps, expiry, LIST ----------------------------------------------------

test('limits.maxChannels: creating one more is refused with 405 saying why; existing rooms and the default room still work', () =>
  using({ limits: { maxChannels: 3 } }, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    a.recv('JOIN #a,#b,#c');
    a.take();
    b.recv('JOIN #d');
    const p = one(b.take(), '405');
    assert.equal(p[1], '#d');
    assert.match(p[2]!, /Cannot create #d: the server has reached its limit of 3 rooms/);
    assert.equal(h.server.findChannel('#d'), undefined);
    b.recv('JOIN #a,#lobby');
    const got = b.take();
    none(got, '405');
    assert.equal(msgs(got, 'JOIN').length, 2);
  }));

test('limits.channelsCreatedPerUser and channelsCreatedPerIp: counted while the rooms exist', () =>
  using({ limits: { channelsCreatedPerUser: 2, channelsCreatedPerIp: 2 }, history: { enabled: false } }, (h) => {
    const a = h.client('alice');
    a.recv('JOIN #a1,#a2,#a3');
    assert.match(one(a.take(), '405')[2]!, /Cannot create #a3: you have created 2 rooms already/);
    a.recv('PART #a1'); // empty, no state: gone, and no longer counted
    a.recv('JOIN #a3');
    none(a.take(), '405');
    const b = h.client('bob'); // same address (127.0.0.1): 2 rooms from it already
    b.recv('JOIN #b1');
    assert.match(one(b.take(), '405')[2]!, /your address has created 2 rooms already/);
    const c = h.connect('10.0.0.9');
    c.recv('NICK carol');
    c.recv('USER carol 0 * :c');
    c.take();
    c.recv('JOIN #c1');
    none(c.take(), '405');
  }));

test('an empty room kept for its state expires after limits.emptyChannelExpiryDays, here and in the store', async () => {
  const h = harness({ limits: { emptyChannelExpiryDays: 7 } });
  try {
    const a = h.client('alice');
    a.recv('JOIN #keep');
    a.recv('TOPIC #keep :stays a while');
    a.recv('PART #keep');
    assert.ok(h.server.findChannel('#keep'), 'kept while empty (it has a topic)');
    h.clock.now += 6 * DAY;
    assert.equal(h.history!.expireChannels(), 0);
    // rejoining restarts the clock; leaving again starts it anew
    a.recv('JOIN #keep');
    a.recv('PART #keep');
    h.clock.now += 6 * DAY;
    assert.equal(h.history!.expireChannels(), 0);
    h.clock.now += 1 * DAY + 1;
    assert.equal(h.history!.expireChannels(), 1);
    assert.equal(h.server.findChannel('#keep'), undefined);
    await h.history!.flushNow();
    assert.deepEqual(await h.history!.storage.channels.loadChannels(), []);
  } finally {
    await h.close();
  }
});

test('at load, stored rooms empty for too long are deleted, not restored', async () => {
  const h = harness({});
  try {
    const store = h.history!.storage.channels;
    const base = { createdAt: 0, topic: 't', topicBy: 'x', topicAt: 0, flags: 'nt', key: null, limit: null, bans: [] };
    await store.saveChannel({ ...base, folded: '#old', name: '#old', emptySince: h.clock.now - 8 * DAY });
    await store.saveChannel({ ...base, folded: '#new', name: '#new', emptySince: h.clock.now - 1 * DAY });
    await store.saveChannel({ ...base, folded: '#legacy', name: '#legacy' }); // saved before expiry existed
    assert.equal(await h.history!.restoreChannels(h.server), 2);
    assert.equal(h.server.findChannel('#old'), undefined);
    assert.ok(h.server.findChannel('#new'));
    assert.equal(h.server.findChannel('#legacy')!.emptySince, h.clock.now, 'the clock starts at load');
    await h.history!.flushNow();
    assert.deepEqual((await store.loadChannels()).map((s) => s.folded).sort(), ['#legacy', '#new']);
  } finally {
    await h.close();
  }
});

test('LIST never emits more than fits in the send queue: busiest first, then a NOTICE and 323 say it was cut', () =>
  using({ limits: { sendQBytes: 8192, channelsCreatedPerUser: 100, channelsCreatedPerIp: 100, channelCreateBurst: 100 } }, (h) => {
    const a = h.client('alice');
    const topic = 'x'.repeat(390);
    for (let i = 0; i < 40; i++) {
      a.recv(`JOIN #r${i}`);
      a.recv(`TOPIC #r${i} :${topic}`);
    }
    const b = h.client('bob');
    b.recv('JOIN #r39');
    const c = h.client('carol');
    c.take();
    c.recv('LIST');
    let got = c.take();
    const bytes = got.reduce((n, l) => n + Buffer.byteLength(l) + 2, 0);
    assert.ok(bytes <= 8192 / 2 + 600, `LIST wrote ${bytes} bytes into an 8 KiB send queue`);
    const rows = msgs(got, '322');
    assert.ok(rows.length > 0 && rows.length < 40);
    assert.equal(rows[0]!.params[1], '#r39', 'busiest first');
    assert.match(msgs(got, 'NOTICE')[0]!.params[1]!, /LIST truncated: \d+ of 40 rooms shown/);
    assert.match(one(got, '323')[1]!, /^End of \/LIST \(truncated: /);
    // what is already queued counts
    const q = h.client('dave');
    q.queuedBytes = 8192 - 1000;
    q.recv('LIST');
    assert.ok(msgs(q.take(), '322').length <= 1);
    // a mask narrows it
    c.recv('LIST #r3*');
    const names = msgs(c.take(), '322').map((m) => m.params[1]!);
    assert.ok(names.length >= 5, names.join(' '));
    for (const n of names) assert.match(n, /^#r3/);
  }));

test('plain /rooms: a cut list says so after the rooms, and /rooms WORD narrows it', async () => {
  const h = harness({ limits: { sendQBytes: 8192, channelsCreatedPerUser: 100, channelsCreatedPerIp: 100, channelCreateBurst: 100 } });
  try {
    const a = h.client('alice');
    for (let i = 0; i < 40; i++) {
      a.recv(`JOIN #r${i}`);
      a.recv(`TOPIC #r${i} :${'y'.repeat(390)}`);
    }
    const { FakeConnection } = await import('../../helpers/fake-conn.js');
    const inner = new FakeConnection();
    h.server.accept(new PlainConnection(inner, { config: () => h.server.config, guestNick: () => 'guest1' }));
    await new Promise((r) => setImmediate(r));
    inner.take();
    // continuation rows (plain output wraps at 80 columns) joined back onto their line
    const lines = (rows: string[]): string[] =>
      rows.reduce<string[]>((acc, r) => (r.startsWith(CONTINUATION) && acc.length > 0 ? [...acc.slice(0, -1), acc[acc.length - 1] + ' ' + r.trimStart()] : [...acc, r]), []);
    inner.recv('/rooms');
    let out = lines(inner.take());
    assert.equal(out[0], '* Rooms (/join #name to go in):');
    assert.match(out[out.length - 1]!, /^\* truncated: \d+ of 41 rooms shown, busiest first; narrow it with a mask, e\.g\. \/rooms #game\*$/);
    assert.ok(!out.some((l) => l.startsWith('* LIST truncated')), 'the notice is not shown twice');
    inner.recv('/rooms r1');
    out = lines(inner.take());
    const rooms = out.filter((l) => l.startsWith('*   ')).map((l) => l.split(' ')[3]!);
    assert.ok(rooms.length >= 5, out.join('\n'));
    for (const r of rooms) assert.match(r, /^#r1/);
  } finally {
    await h.close();
  }
});

// ---- 3. what a room reveals ------------------------------------------------------------

for (const mode of ['+i', '+k sesame']) {
  test(`a ${mode.split(' ')[0]} room shows outsiders nothing: TOPIC, NAMES, LIST, WHO, WHOIS, bans; members still see it`, () =>
    using({}, (h) => {
      const a = h.client('alice');
      const o = h.client('olly');
      a.recv('JOIN #priv');
      a.recv('TOPIC #priv :secret plans');
      a.recv('MODE #priv ' + mode);
      a.recv('MODE #priv +b *!*@bad.example');
      a.take();
      o.take();
      o.recv('TOPIC #priv');
      let got = o.take();
      one(got, '442');
      assert.ok(!got.some((l) => l.includes('secret plans')));
      o.recv('NAMES #priv');
      got = o.take();
      none(got, '353');
      one(got, '366');
      o.recv('LIST');
      none(o.take(), '322');
      o.recv('LIST #priv');
      none(o.take(), '322');
      o.recv('WHO #priv');
      got = o.take();
      none(got, '352');
      one(got, '315');
      o.recv('WHO alice');
      assert.equal(one(o.take(), '352')[1], '*', 'WHO by nick does not name the private room');
      o.recv('WHOIS alice');
      none(o.take(), '319');
      o.recv('MODE #priv +b');
      got = o.take();
      none(got, '367');
      one(got, '368');
      // a member sees all of it
      a.recv('TOPIC #priv');
      assert.equal(one(a.take(), '332')[2], 'secret plans');
      a.recv('LIST');
      assert.equal(one(a.take(), '322')[1], '#priv');
      o.recv('WHOIS alice'); // still hidden while olly is outside
      none(o.take(), '319');
    }));
}

test('a public room shows itself, its topic and its members to anyone', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const o = h.client('olly');
    a.recv('JOIN #pub');
    a.recv('TOPIC #pub :open to all');
    o.recv('TOPIC #pub');
    assert.equal(one(o.take(), '332')[2], 'open to all');
    o.recv('NAMES #pub');
    assert.equal(one(o.take(), '353')[3], '@alice');
    o.recv('WHOIS alice');
    assert.equal(one(o.take(), '319')[2], '@#pub');
  }));

test('history: a public room replays its recent messages to whoever joins, even after all left; a +k room gives outsiders nothing', async () => {
  const h = harness({});
  try {
    const a = h.client('alice');
    a.recv('JOIN #pub,#locked');
    const created = a.take();
    assert.ok(msgs(created, 'NOTICE').some((m) => /#pub is public: whoever joins later sees its last \d+ messages/.test(m.params[1]!)), 'told plainly at creation');
    a.recv('MODE #locked +k sesame');
    a.recv('PRIVMSG #pub :public words');
    a.recv('PRIVMSG #locked :locked words');
    a.recv('PART #pub,#locked');
    const s = h.client('stranger');
    s.recv('JOIN #pub,#locked');
    s.recv('HISTORY #locked');
    await h.history!.flushNow();
    await new Promise((r) => setImmediate(r));
    const got = s.take();
    assert.ok(got.some((l) => l.includes('public words')), 'the public room replays');
    assert.ok(!got.some((l) => l.includes('locked words')), 'the +k room does not');
    one(got, '475');
  } finally {
    await h.close();
  }
});

// ---- 4. nicks before PASS -----------------------------------------------------------------

test('password server: NICK before an accepted PASS reserves nothing', () =>
  using({ password: 'pw' }, (h) => {
    const squat = h.connect();
    squat.recv('PASS wrong');
    squat.recv('NICK alice'); // no USER: would have held "alice" until the registration timeout
    const nopass = h.connect();
    nopass.recv('NICK bob');
    const real = h.connect();
    real.recv('PASS pw');
    real.recv('NICK alice');
    real.recv('USER alice 0 * :Alice');
    let got = real.take();
    none(got, '433');
    one(got, '001');
    const b = h.connect();
    b.recv('PASS pw');
    b.recv('NICK bob');
    b.recv('USER bob 0 * :Bob');
    got = b.take();
    none(got, '433');
    one(got, '001');
    assert.equal(h.server.nicks.size, 2);
  }));

test('password server: a NICK sent before PASS is claimed when PASS is accepted (433 if taken meanwhile)', () =>
  using({ password: 'pw' }, (h) => {
    const early = h.connect();
    early.recv('NICK carol');
    early.recv('PASS pw');
    early.recv('USER carol 0 * :Carol');
    one(early.take(), '001');
    const late = h.connect();
    late.recv('NICK carol');
    late.recv('PASS pw');
    assert.deepEqual(one(late.take(), '433').slice(1, 2), ['carol']);
    late.recv('NICK carol2');
    late.recv('USER c 0 * :C');
    one(late.take(), '001');
  }));
