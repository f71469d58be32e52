// PRIVMSG, NOTICE and TAGMSG: delivery, STATUSMSG, and every error numeric.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Harness } from '../../helpers/harness.js';
import type { FakeConnection } from '../../helpers/fake-conn.js';
import { using, one, none, msgs, oneMsg, src } from './util.js';

function trio(h: Harness): [FakeConnection, FakeConnection, FakeConnection] {
  const a = h.client('alice');
  const b = h.client('bob');
  const c = h.client('carol');
  for (const x of [a, b, c]) x.recv('JOIN #c');
  for (const x of [a, b, c]) x.take();
  return [a, b, c];
}

test('PRIVMSG to a channel reaches every other member once, not the sender', () =>
  using({}, (h) => {
    const [a, b, c] = trio(h);
    const out = h.client('dave');
    a.recv('PRIVMSG #c :hello all');
    for (const x of [b, c]) {
      const m = oneMsg(x.take(), 'PRIVMSG');
      assert.equal(m.source, src('alice'));
      assert.deepEqual(m.params, ['#c', 'hello all']);
    }
    assert.deepEqual(a.take(), []);
    assert.deepEqual(out.take(), []);
    a.recv('PRIVMSG #C :case');
    assert.deepEqual(one(b.take(), 'PRIVMSG'), ['#c', 'case']);
  }));

test('PRIVMSG to a nick, case-insensitively, with the canonical nick as target', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('Bob');
    a.recv('PRIVMSG BOB :psst');
    const m = oneMsg(b.take(), 'PRIVMSG');
    assert.equal(m.source, src('alice'));
    assert.deepEqual(m.params, ['Bob', 'psst']);
    assert.deepEqual(a.take(), []);
  }));

test('PRIVMSG to several targets at once', () =>
  using({}, (h) => {
    const [a, b, c] = trio(h);
    const d = h.client('dave');
    a.recv('PRIVMSG #c,dave :both');
    assert.deepEqual(one(b.take(), 'PRIVMSG'), ['#c', 'both']);
    assert.deepEqual(one(c.take(), 'PRIVMSG'), ['#c', 'both']);
    assert.deepEqual(one(d.take(), 'PRIVMSG'), ['dave', 'both']);
  }));

test('PRIVMSG to an away user: 301 to the sender; NOTICE gets no 301', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    b.recv('AWAY :gone fishing');
    b.take();
    a.recv('PRIVMSG bob :you there?');
    assert.deepEqual(one(a.take(), '301'), ['alice', 'bob', 'gone fishing']);
    assert.deepEqual(one(b.take(), 'PRIVMSG'), ['bob', 'you there?']);
    a.recv('NOTICE bob :fyi');
    assert.deepEqual(a.take(), []);
    assert.deepEqual(one(b.take(), 'NOTICE'), ['bob', 'fyi']);
  }));

test('PRIVMSG: 411 without recipient, 412 without text', () =>
  using({}, (h) => {
    const a = h.client('alice');
    h.client('bob');
    a.recv('PRIVMSG');
    assert.equal(one(a.take(), '411')[0], 'alice');
    a.recv('PRIVMSG bob');
    assert.equal(one(a.take(), '412')[0], 'alice');
    a.recv('PRIVMSG bob :');
    assert.equal(one(a.take(), '412')[0], 'alice');
  }));

test('PRIVMSG: 401 unknown nick, 403 unknown channel', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('PRIVMSG ghost :boo');
    assert.deepEqual(one(a.take(), '401').slice(0, 2), ['alice', 'ghost']);
    a.recv('PRIVMSG #void :boo');
    assert.deepEqual(one(a.take(), '403').slice(0, 2), ['alice', '#void']);
  }));

test('PRIVMSG: unregistered connections are not reachable by nick', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const c = h.connect();
    c.recv('NICK pending');
    a.recv('PRIVMSG pending :hi');
    assert.deepEqual(one(a.take(), '401').slice(0, 2), ['alice', 'pending']);
    assert.deepEqual(c.take(), []);
  }));

test('404: +n blocks outsiders, -n lets them in', () =>
  using({}, (h) => {
    const [a, b] = trio(h);
    const d = h.client('dave');
    d.recv('PRIVMSG #c :from outside');
    assert.deepEqual(one(d.take(), '404').slice(0, 2), ['dave', '#c']);
    assert.deepEqual(b.take(), []);
    a.recv('MODE #c -n');
    a.take();
    b.take();
    d.recv('PRIVMSG #c :from outside');
    assert.deepEqual(d.take(), []);
    assert.deepEqual(one(b.take(), 'PRIVMSG'), ['#c', 'from outside']);
  }));

test('404: +m blocks members without voice; voice and op may speak', () =>
  using({}, (h) => {
    const [a, b, c] = trio(h);
    a.recv('MODE #c +m');
    a.take();
    b.take();
    c.take();
    b.recv('PRIVMSG #c :hi');
    assert.deepEqual(one(b.take(), '404').slice(0, 2), ['bob', '#c']);
    assert.deepEqual(c.take(), []);
    a.recv('MODE #c +v bob');
    a.take();
    b.take();
    c.take();
    b.recv('PRIVMSG #c :now I can');
    assert.deepEqual(one(c.take(), 'PRIVMSG'), ['#c', 'now I can']);
    a.recv('PRIVMSG #c :op too');
    assert.deepEqual(one(c.take(), 'PRIVMSG'), ['#c', 'op too']);
  }));

test('404: a banned member cannot speak (but a voiced one can)', () =>
  using({}, (h) => {
    const [a, b, c] = trio(h);
    a.recv('MODE #c +b bob!*@*');
    a.take();
    b.take();
    c.take();
    b.recv('PRIVMSG #c :still here');
    assert.deepEqual(one(b.take(), '404').slice(0, 2), ['bob', '#c']);
    assert.deepEqual(c.take(), []);
    // NOTICE is blocked too, silently
    b.recv('NOTICE #c :still here');
    assert.deepEqual(b.take(), []);
    assert.deepEqual(c.take(), []);
    a.recv('MODE #c +v bob');
    a.take();
    b.take();
    c.take();
    b.recv('PRIVMSG #c :voiced');
    assert.deepEqual(one(c.take(), 'PRIVMSG'), ['#c', 'voiced']);
  }));

test('407 too many targets: the first MAXTARGETS are delivered, the rest reported', () =>
  using({ limits: { targetsPerCommand: 2 } }, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    const c = h.client('carol');
    const d = h.client('dave');
    a.recv('PRIVMSG bob,carol,dave :x');
    assert.deepEqual(one(a.take(), '407').slice(0, 2), ['alice', 'dave']);
    assert.equal(msgs(b.take(), 'PRIVMSG').length, 1);
    assert.equal(msgs(c.take(), 'PRIVMSG').length, 1);
    assert.deepEqual(d.take(), []);
  }));

test('STATUSMSG: @#chan reaches ops only, +#chan ops and voiced', () =>
  using({}, (h) => {
    const [a, b, c] = trio(h);
    a.recv('MODE #c +v bob');
    a.take();
    b.take();
    c.take();
    b.recv('PRIVMSG @#c :ops only');
    const m = oneMsg(a.take(), 'PRIVMSG');
    assert.deepEqual(m.params, ['@#c', 'ops only']);
    assert.equal(m.source, src('bob'));
    assert.deepEqual(c.take(), []);
    c.recv('NOTICE +#c :voices');
    assert.deepEqual(one(a.take(), 'NOTICE'), ['+#c', 'voices']);
    assert.deepEqual(one(b.take(), 'NOTICE'), ['+#c', 'voices']);
  }));

test('NOTICE is delivered like PRIVMSG but never answered with an error', () =>
  using({}, (h) => {
    const [a, b] = trio(h);
    a.recv('NOTICE #c :heads up');
    const m = oneMsg(b.take(), 'NOTICE');
    assert.equal(m.source, src('alice'));
    assert.deepEqual(m.params, ['#c', 'heads up']);
    const d = h.client('dave');
    for (const line of ['NOTICE', 'NOTICE bob', 'NOTICE ghost :x', 'NOTICE #void :x', 'NOTICE #c :outside']) {
      d.recv(line);
      assert.deepEqual(d.take(), [], line);
    }
  }));

test('TAGMSG: 461 without a target', () =>
  using({}, (h) => {
    const a = h.client('alice', ['message-tags']);
    a.recv('TAGMSG');
    assert.deepEqual(one(a.take(), '461').slice(0, 2), ['alice', 'TAGMSG']);
  }));

test('relayed text is trimmed so the line with our longer prefix stays within 512 bytes', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    const head = 'PRIVMSG bob :';
    const text = 'é'.repeat(Math.floor((510 - head.length) / 2)); // 2-byte chars fill the client's budget
    a.recv(head + text);
    const got = b.take();
    const line = got[0]!;
    assert.ok(Buffer.byteLength(line) + 2 <= 512, `relayed line is ${Buffer.byteLength(line)} bytes`);
    const sent = one(got, 'PRIVMSG')[1]!;
    assert.ok(sent.length > 100 && text.startsWith(sent), 'a prefix of the text, cut on a character boundary');
    none(a.take(), '417');
  }));
