// Channel commands: JOIN PART TOPIC NAMES LIST KICK INVITE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, one, none, msgs, oneMsg, src, SERVER, pair } from './util.js';

// ---- JOIN ------------------------------------------------------------------------

test('JOIN: the first user gets op; JOIN echo, no topic reply, NAMES with @', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('JOIN #c');
    const got = a.take();
    const j = oneMsg(got, 'JOIN');
    assert.equal(j.source, src('alice'));
    assert.deepEqual(j.params, ['#c']);
    none(got, '331');
    none(got, '332');
    assert.deepEqual(one(got, '353'), ['alice', '=', '#c', '@alice']);
    assert.deepEqual(one(got, '366'), ['alice', '#c', 'End of /NAMES list.']);
    // order: JOIN, then names, then (history on) what a new public room reveals
    const cmds = got.map((l) => l.split(' ')[1]);
    assert.deepEqual(cmds, ['JOIN', '353', '366', 'NOTICE']);
    assert.match(got[3]!, /#c is public: whoever joins later sees its last 20 messages/);
  }));

test('JOIN: later users are not op, everyone in the channel sees the JOIN', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    a.recv('JOIN #c');
    a.take();
    b.recv('JOIN #C');
    const bg = b.take();
    assert.deepEqual(one(bg, 'JOIN'), ['#c'], 'channel keeps its original spelling');
    assert.deepEqual(one(bg, '353'), ['bob', '=', '#c', '@alice bob']);
    const m = oneMsg(a.take(), 'JOIN');
    assert.equal(m.source, src('bob'));
    assert.deepEqual(m.params, ['#c']);
    // joining again is a no-op
    b.recv('JOIN #c');
    assert.deepEqual(b.take(), []);
    assert.deepEqual(a.take(), []);
  }));

test('JOIN: existing topic is sent as 332 + 333', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('JOIN #c');
    h.clock.now += 5000;
    a.recv('TOPIC #c :hello world');
    a.take();
    const b = h.client('bob');
    b.recv('JOIN #c');
    const got = b.take();
    assert.deepEqual(one(got, '332'), ['bob', '#c', 'hello world']);
    assert.deepEqual(one(got, '333'), ['bob', '#c', src('alice'), String(Math.floor(h.clock.now / 1000))]);
  }));

test('JOIN: 461 without parameters, 403 for an invalid name', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('JOIN');
    assert.deepEqual(one(a.take(), '461').slice(0, 2), ['alice', 'JOIN']);
    a.recv('JOIN nochan');
    assert.deepEqual(one(a.take(), '403').slice(0, 2), ['alice', 'nochan']);
    a.recv('JOIN #');
    assert.deepEqual(one(a.take(), '403').slice(0, 2), ['alice', '#']);
  }));

test('JOIN: 405 when over the per-user channel limit', () =>
  using({ limits: { channelsPerUser: 2 } }, (h) => {
    const a = h.client('alice');
    a.recv('JOIN #a,#b,#x');
    const got = a.take();
    assert.equal(msgs(got, 'JOIN').length, 2);
    assert.deepEqual(one(got, '405').slice(0, 2), ['alice', '#x']);
  }));

test('JOIN with a list of channels and a list of keys', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('JOIN #k1,#open,#k2');
    a.recv('MODE #k1 +k one');
    a.recv('MODE #k2 +k two');
    a.take();
    const b = h.client('bob');
    b.recv('JOIN #k1,#k2,#open one,two');
    const got = b.take();
    assert.deepEqual(msgs(got, 'JOIN').map((m) => m.params[0]), ['#k1', '#k2', '#open']);
    none(got, '475');
    const c = h.client('carol');
    c.recv('JOIN #k1,#k2 one,wrong');
    const cg = c.take();
    assert.deepEqual(msgs(cg, 'JOIN').map((m) => m.params[0]), ['#k1']);
    assert.deepEqual(one(cg, '475').slice(0, 2), ['carol', '#k2']);
  }));

test('JOIN: 475 bad key, 471 full, 473 invite-only, 474 banned', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    a.recv('JOIN #k,#l,#i,#b');
    a.recv('MODE #k +k sekrit');
    a.recv('MODE #l +l 1');
    a.recv('MODE #i +i');
    a.recv('MODE #b +b bob!*@*');
    a.take();
    b.recv('JOIN #k');
    assert.deepEqual(one(b.take(), '475').slice(0, 2), ['bob', '#k']);
    b.recv('JOIN #k wrong');
    assert.deepEqual(one(b.take(), '475').slice(0, 2), ['bob', '#k']);
    b.recv('JOIN #l');
    assert.deepEqual(one(b.take(), '471').slice(0, 2), ['bob', '#l']);
    b.recv('JOIN #i');
    assert.deepEqual(one(b.take(), '473').slice(0, 2), ['bob', '#i']);
    b.recv('JOIN #b');
    assert.deepEqual(one(b.take(), '474').slice(0, 2), ['bob', '#b']);
    // none of these let bob in
    assert.deepEqual(a.take(), []);
    b.recv('JOIN #k sekrit');
    assert.equal(one(b.take(), 'JOIN')[0], '#k');
  }));

test('JOIN 0 parts every channel, each announced to its members', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    a.recv('JOIN #a,#b');
    b.recv('JOIN #a');
    a.take();
    b.take();
    a.recv('JOIN 0');
    const parts = msgs(a.take(), 'PART');
    assert.deepEqual(parts.map((m) => m.params[0]).sort(), ['#a', '#b']);
    const bp = oneMsg(b.take(), 'PART');
    assert.equal(bp.source, src('alice'));
    assert.equal(bp.params[0], '#a');
    a.recv('NAMES #a');
    assert.deepEqual(one(a.take(), '353'), ['alice', '=', '#a', 'bob']);
    // #b emptied and is gone: rejoining makes alice op of a fresh channel
    a.recv('JOIN #b');
    assert.deepEqual(one(a.take(), '353'), ['alice', '=', '#b', '@alice']);
  }));

// ---- PART ------------------------------------------------------------------------

test('PART: broadcast with reason, member removed; 442 when not on it; 403 unknown; 461', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    b.recv('PART #c :see ya');
    for (const x of [a, b]) {
      const m = oneMsg(x.take(), 'PART');
      assert.equal(m.source, src('bob'));
      assert.deepEqual(m.params, ['#c', 'see ya']);
    }
    b.recv('PART #c');
    assert.deepEqual(one(b.take(), '442').slice(0, 2), ['bob', '#c']);
    b.recv('PART #nope');
    assert.deepEqual(one(b.take(), '403').slice(0, 2), ['bob', '#nope']);
    b.recv('PART');
    assert.deepEqual(one(b.take(), '461').slice(0, 2), ['bob', 'PART']);
    a.recv('PART #c');
    assert.deepEqual(one(a.take(), 'PART'), ['#c']);
  }));

// ---- TOPIC -----------------------------------------------------------------------

test('TOPIC: 331 when unset, set by op broadcasts, 332/333 on query', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    b.recv('TOPIC #c');
    assert.deepEqual(one(b.take(), '331'), ['bob', '#c', 'No topic is set']);
    h.clock.now += 10_000;
    a.recv('TOPIC #c :new topic here');
    for (const x of [a, b]) {
      const m = oneMsg(x.take(), 'TOPIC');
      assert.equal(m.source, src('alice'));
      assert.deepEqual(m.params, ['#c', 'new topic here']);
    }
    b.recv('TOPIC #c');
    const got = b.take();
    assert.deepEqual(one(got, '332'), ['bob', '#c', 'new topic here']);
    assert.deepEqual(one(got, '333'), ['bob', '#c', src('alice'), String(Math.floor(h.clock.now / 1000))]);
  }));

test('TOPIC: 482 for a non-op under +t, allowed under -t; 442 not on channel; 403; 461', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    b.recv('TOPIC #c :mine');
    assert.deepEqual(one(b.take(), '482').slice(0, 2), ['bob', '#c']);
    assert.deepEqual(a.take(), []);
    a.recv('MODE #c -t');
    a.take();
    b.take();
    b.recv('TOPIC #c :mine');
    assert.deepEqual(one(a.take(), 'TOPIC'), ['#c', 'mine']);
    const c = h.client('carol');
    c.recv('TOPIC #c :outsider');
    assert.deepEqual(one(c.take(), '442').slice(0, 2), ['carol', '#c']);
    c.recv('TOPIC #none');
    assert.deepEqual(one(c.take(), '403').slice(0, 2), ['carol', '#none']);
    c.recv('TOPIC');
    assert.deepEqual(one(c.take(), '461').slice(0, 2), ['carol', 'TOPIC']);
  }));

test('TOPIC is truncated to TOPICLEN', () =>
  using({ limits: { topicLength: 10 } }, (h) => {
    const a = h.client('alice');
    a.recv('JOIN #c');
    a.take();
    a.recv('TOPIC #c :0123456789abcdef');
    assert.deepEqual(one(a.take(), 'TOPIC'), ['#c', '0123456789']);
  }));

// ---- NAMES -----------------------------------------------------------------------

test('NAMES: 353/366 with prefixes; nonexistent channel and no argument give only 366', () =>
  using({}, (h) => {
    const [a] = pair(h);
    a.recv('MODE #c +v bob');
    a.take();
    const c = h.client('carol');
    c.recv('NAMES #c');
    const got = c.take();
    assert.deepEqual(one(got, '353'), ['carol', '=', '#c', '@alice +bob']);
    assert.deepEqual(one(got, '366'), ['carol', '#c', 'End of /NAMES list.']);
    c.recv('NAMES #nope');
    const g2 = c.take();
    none(g2, '353');
    assert.deepEqual(one(g2, '366').slice(0, 2), ['carol', '#nope']);
    c.recv('NAMES');
    const g3 = c.take();
    none(g3, '353');
    assert.deepEqual(one(g3, '366').slice(0, 2), ['carol', '*']);
  }));

test('NAMES hides +i users from non-members but not from members', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    b.recv('MODE bob +i');
    b.take();
    const c = h.client('carol');
    c.recv('NAMES #c');
    assert.deepEqual(one(c.take(), '353'), ['carol', '=', '#c', '@alice']);
    a.recv('NAMES #c');
    assert.deepEqual(one(a.take(), '353'), ['alice', '=', '#c', '@alice bob']);
  }));

// ---- LIST ------------------------------------------------------------------------

test('LIST: 321, a 322 per channel with visible count and topic, 323', () =>
  using({}, (h) => {
    const [a] = pair(h);
    a.recv('TOPIC #c :the topic');
    a.recv('JOIN #solo');
    a.take();
    const c = h.client('carol');
    c.recv('LIST');
    const got = c.take();
    assert.equal(one(got, '321')[0], 'carol');
    const rows = msgs(got, '322').map((m) => m.params);
    assert.equal(rows.length, 2);
    const row = rows.find((r) => r[1] === '#c')!;
    assert.equal(row[2], '2');
    assert.match(row[3]!, /the topic$/);
    assert.equal(rows.find((r) => r[1] === '#solo')![2], '1');
    assert.equal(one(got, '323')[0], 'carol');
    // order: start, rows, end
    assert.equal(got[0]!.split(' ')[1], '321');
    assert.equal(got[got.length - 1]!.split(' ')[1], '323');
    c.recv('LIST #solo,#missing');
    const g2 = c.take();
    assert.deepEqual(msgs(g2, '322').map((m) => m.params[1]), ['#solo']);
  }));

test('LIST counts +i users only for members', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    b.recv('MODE bob +i');
    const c = h.client('carol');
    c.recv('LIST #c');
    assert.equal(one(c.take(), '322')[2], '1');
    a.recv('LIST #c');
    assert.equal(one(a.take(), '322')[2], '2');
  }));

// ---- KICK ------------------------------------------------------------------------

test('KICK: broadcast to all members including the victim, victim removed', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    const c = h.client('carol');
    c.recv('JOIN #c');
    c.take();
    a.take();
    b.take();
    a.recv('KICK #c bob :behave');
    for (const x of [a, b, c]) {
      const m = oneMsg(x.take(), 'KICK');
      assert.equal(m.source, src('alice'));
      assert.deepEqual(m.params, ['#c', 'bob', 'behave']);
    }
    a.recv('NAMES #c');
    assert.deepEqual(one(a.take(), '353'), ['alice', '=', '#c', '@alice carol']);
    // bob no longer receives channel traffic
    c.recv('PRIVMSG #c :hi');
    assert.deepEqual(b.take(), []);
  }));

test('KICK without a reason uses the kicker nick; several targets', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    const c = h.client('carol');
    c.recv('JOIN #c');
    c.take();
    b.take();
    a.take();
    a.recv('KICK #c bob,carol');
    const ks = msgs(a.take(), 'KICK').map((m) => m.params);
    assert.deepEqual(ks, [
      ['#c', 'bob', 'alice'],
      ['#c', 'carol', 'alice'],
    ]);
  }));

test('KICK errors: 461, 403, 442, 482, 401, 441', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    const c = h.client('carol');
    a.recv('KICK #c');
    assert.deepEqual(one(a.take(), '461').slice(0, 2), ['alice', 'KICK']);
    a.recv('KICK #nope bob');
    assert.deepEqual(one(a.take(), '403').slice(0, 2), ['alice', '#nope']);
    c.recv('KICK #c bob');
    assert.deepEqual(one(c.take(), '442').slice(0, 2), ['carol', '#c']);
    b.recv('KICK #c alice');
    assert.deepEqual(one(b.take(), '482').slice(0, 2), ['bob', '#c']);
    a.recv('KICK #c ghost');
    assert.deepEqual(one(a.take(), '401').slice(0, 2), ['alice', 'ghost']);
    a.recv('KICK #c carol');
    assert.deepEqual(one(a.take(), '441').slice(0, 3), ['alice', 'carol', '#c']);
    // nothing was kicked
    none(b.take(), 'KICK');
  }));

// ---- INVITE ----------------------------------------------------------------------

test('INVITE: 341 to the inviter, INVITE to the target, who may then join +i', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    a.recv('JOIN #c');
    a.recv('MODE #c +i');
    a.take();
    a.recv('INVITE bob #c');
    assert.deepEqual(one(a.take(), '341'), ['alice', 'bob', '#c']);
    const inv = oneMsg(b.take(), 'INVITE');
    assert.equal(inv.source, src('alice'));
    assert.deepEqual(inv.params, ['bob', '#c']);
    b.recv('JOIN #c');
    assert.deepEqual(one(b.take(), 'JOIN'), ['#c']);
  }));

test('INVITE lets the invitee past +l and +b but not past +k', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    a.recv('JOIN #c');
    a.recv('MODE #c +lb 1 bob!*@*');
    a.recv('INVITE bob #c');
    a.take();
    b.recv('JOIN #c');
    assert.deepEqual(one(b.take(), 'JOIN'), ['#c']);
    a.recv('JOIN #k');
    a.recv('MODE #k +k key');
    a.recv('INVITE bob #k');
    b.take();
    b.recv('JOIN #k');
    assert.deepEqual(one(b.take(), '475').slice(0, 2), ['bob', '#k']);
  }));

test('INVITE reports the target as away with 301', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    b.recv('AWAY :lunch');
    a.recv('JOIN #c');
    a.take();
    a.recv('INVITE bob #c');
    const got = a.take();
    assert.deepEqual(one(got, '341'), ['alice', 'bob', '#c']);
    assert.deepEqual(one(got, '301'), ['alice', 'bob', 'lunch']);
  }));

test('INVITE errors: 461, 401, 403, 442, 482 (+i non-op), 443', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    const c = h.client('carol');
    a.recv('INVITE bob');
    assert.deepEqual(one(a.take(), '461').slice(0, 2), ['alice', 'INVITE']);
    a.recv('INVITE ghost #c');
    assert.deepEqual(one(a.take(), '401').slice(0, 2), ['alice', 'ghost']);
    a.recv('INVITE carol #nope');
    assert.deepEqual(one(a.take(), '403').slice(0, 2), ['alice', '#nope']);
    c.recv('INVITE bob #c');
    assert.deepEqual(one(c.take(), '442').slice(0, 2), ['carol', '#c']);
    a.recv('INVITE bob #c');
    assert.deepEqual(one(a.take(), '443').slice(0, 3), ['alice', 'bob', '#c']);
    // -i: any member may invite
    b.recv('INVITE carol #c');
    assert.deepEqual(one(b.take(), '341'), ['bob', 'carol', '#c']);
    c.take();
    a.recv('MODE #c +i');
    a.take();
    b.take();
    b.recv('INVITE carol #c');
    assert.deepEqual(one(b.take(), '482').slice(0, 2), ['bob', '#c']);
    none(c.take(), 'INVITE');
    void SERVER;
  }));

test('JOIN keys are positional: an empty key slot does not shift later keys', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('JOIN #open,#k');
    a.recv('MODE #k +k key');
    a.take();
    const b = h.client('bob');
    b.recv('JOIN #open,#k ,key');
    const got = b.take();
    none(got, '475');
    assert.deepEqual(msgs(got, 'JOIN').map((m) => m.params[0]), ['#open', '#k']);
  }));

test('channel names fold with the casemapping (rfc1459: #[a] is #{a}); & channels work', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    a.recv('JOIN #{a},&local');
    a.take();
    b.recv('JOIN #[A],&LOCAL');
    const got = b.take();
    assert.deepEqual(msgs(got, 'JOIN').map((m) => m.params[0]), ['#{a}', '&local']);
    assert.deepEqual(msgs(got, '353').map((m) => m.params[3]), ['@alice bob', '@alice bob']);
  }));

test('casemapping ascii: #[a] and #{a} are different channels', () =>
  using({ casemapping: 'ascii' }, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    a.recv('JOIN #{a}');
    b.recv('JOIN #[a]');
    assert.deepEqual(one(b.take(), '353'), ['bob', '=', '#[a]', '@bob']);
  }));

test('NAMES for a big channel is split over several 353 lines, each within 512 bytes', () =>
  using({}, (h) => {
    const nicks: string[] = [];
    for (let i = 0; i < 60; i++) {
      const n = 'user' + String(i).padStart(2, '0') + 'abcdefghijklmnop';
      nicks.push(n);
      h.client(n).recv('JOIN #big');
    }
    const u = h.client('viewer', ['userhost-in-names']);
    u.recv('NAMES #big');
    const got = u.take();
    const rows = msgs(got, '353');
    assert.ok(rows.length > 1);
    for (const l of got) assert.ok(Buffer.byteLength(l) + 2 <= 512, `${Buffer.byteLength(l)} bytes`);
    const seen = rows.flatMap((m) => m.params[3]!.split(' ')).map((x) => x.replace(/^@/, '').split('!')[0]);
    assert.deepEqual(seen.sort(), nicks.sort());
    assert.equal(one(got, '366')[1], '#big');
  }));
