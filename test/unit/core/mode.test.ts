// MODE for channels (i m n t k l b o v) and users (i, o, w).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, one, none, msgs, oneMsg, src, pair } from './util.js';

test('MODE #chan: 324 with the defaults +nt and 329 creation time', () =>
  using({}, (h) => {
    const created = h.clock.now;
    const [a] = pair(h);
    h.clock.now += 60_000;
    a.recv('MODE #c');
    const got = a.take();
    assert.deepEqual(one(got, '324'), ['alice', '#c', '+nt']);
    assert.deepEqual(one(got, '329'), ['alice', '#c', String(Math.floor(created / 1000))]);
  }));

test('MODE #chan shows the key to members only, and the limit to everyone', () =>
  using({}, (h) => {
    const [a] = pair(h);
    a.recv('MODE #c +kl sesame 10');
    a.take();
    a.recv('MODE #c');
    assert.deepEqual(one(a.take(), '324'), ['alice', '#c', '+ntkl', 'sesame', '10']);
    const c = h.client('carol');
    c.recv('MODE #c');
    assert.deepEqual(one(c.take(), '324'), ['carol', '#c', '+ntkl', '*', '10']);
  }));

test('MODE: 461 without target, 403 unknown channel, 401 unknown nick', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('MODE');
    assert.deepEqual(one(a.take(), '461').slice(0, 2), ['alice', 'MODE']);
    a.recv('MODE #nope +m');
    assert.deepEqual(one(a.take(), '403').slice(0, 2), ['alice', '#nope']);
    a.recv('MODE ghost');
    assert.deepEqual(one(a.take(), '401').slice(0, 2), ['alice', 'ghost']);
  }));

test('flag modes: op sets +im -t, one MODE line to every member with what took effect', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    a.recv('MODE #c +im-t');
    for (const x of [a, b]) {
      const m = oneMsg(x.take(), 'MODE');
      assert.equal(m.source, src('alice'));
      assert.deepEqual(m.params, ['#c', '+im-t']);
    }
    // already set / already unset: nothing announced
    a.recv('MODE #c +i-t');
    assert.deepEqual(a.take(), []);
    assert.deepEqual(b.take(), []);
    a.recv('MODE #c');
    assert.equal(one(a.take(), '324')[2], '+imn');
  }));

test('non-op gets 482 once per command and nothing changes', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    b.recv('MODE #c +imk key');
    assert.deepEqual(one(b.take(), '482').slice(0, 2), ['bob', '#c']);
    assert.deepEqual(a.take(), []);
    const c = h.client('carol');
    c.recv('MODE #c +m');
    assert.deepEqual(one(c.take(), '482').slice(0, 2), ['carol', '#c']);
    b.recv('MODE #c +o bob');
    assert.deepEqual(one(b.take(), '482').slice(0, 2), ['bob', '#c']);
    a.recv('MODE #c');
    assert.equal(one(a.take(), '324')[2], '+nt');
  }));

test('+k: set, 461 without key, 696 invalid key, -k announced with *', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    a.recv('MODE #c +k');
    assert.deepEqual(one(a.take(), '461').slice(0, 2), ['alice', 'MODE']);
    a.recv('MODE #c +k a,b');
    assert.deepEqual(one(a.take(), '696').slice(0, 3), ['alice', '#c', 'k']);
    assert.deepEqual(b.take(), []);
    a.recv('MODE #c +k good');
    assert.deepEqual(one(b.take(), 'MODE'), ['#c', '+k', 'good']);
    a.take();
    a.recv('MODE #c -k whatever');
    assert.deepEqual(one(b.take(), 'MODE'), ['#c', '-k', '*']);
    a.take();
    a.recv('MODE #c -k x');
    assert.deepEqual(b.take(), []);
  }));

test('+l: set, 461 without, 696 invalid, -l takes no parameter', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    a.recv('MODE #c +l');
    assert.deepEqual(one(a.take(), '461').slice(0, 2), ['alice', 'MODE']);
    for (const bad of ['abc', '0', '-3', '1.5']) {
      a.recv('MODE #c +l ' + bad);
      assert.deepEqual(one(a.take(), '696').slice(0, 4), ['alice', '#c', 'l', bad], bad);
    }
    a.recv('MODE #c +l 5');
    assert.deepEqual(one(b.take(), 'MODE'), ['#c', '+l', '5']);
    a.take();
    a.recv('MODE #c -lm');
    assert.deepEqual(one(b.take(), 'MODE'), ['#c', '-l']);
  }));

test('+b: list with 367/368, add (normalized), remove, 696 bad mask, 478 when full', () =>
  using({ limits: { banListSize: 2 } }, (h) => {
    const [a, b] = pair(h);
    b.recv('MODE #c +b');
    const empty = b.take();
    none(empty, '367');
    assert.deepEqual(one(empty, '368').slice(0, 2), ['bob', '#c']);
    h.clock.now += 1000;
    a.recv('MODE #c +b troll');
    assert.deepEqual(one(b.take(), 'MODE'), ['#c', '+b', 'troll!*@*']);
    a.take();
    b.recv('MODE #c b');
    const list = b.take();
    assert.deepEqual(one(list, '367'), ['bob', '#c', 'troll!*@*', src('alice'), String(Math.floor(h.clock.now / 1000))]);
    assert.equal(one(list, '368')[1], '#c');
    // duplicate (case-insensitive) is a no-op
    a.recv('MODE #c +b TROLL!*@*');
    assert.deepEqual(a.take(), []);
    a.recv('MODE #c +b *@evil.example');
    assert.deepEqual(one(a.take(), 'MODE'), ['#c', '+b', '*!*@evil.example']);
    a.recv('MODE #c +b third');
    assert.deepEqual(one(a.take(), '478').slice(0, 3), ['alice', '#c', 'third!*@*']);
    a.recv('MODE #c +b :a b');
    assert.deepEqual(one(a.take(), '696').slice(0, 3), ['alice', '#c', 'b']);
    a.recv('MODE #c -b troll!*@*');
    assert.deepEqual(one(a.take(), 'MODE'), ['#c', '-b', 'troll!*@*']);
    b.take();
    b.recv('MODE #c +b');
    assert.deepEqual(msgs(b.take(), '367').map((m) => m.params[2]), ['*!*@evil.example']);
  }));

test('+o/+v: grant and revoke, shown in NAMES; 461, 401, 441 errors', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    h.client('carol');
    a.recv('MODE #c +v bob');
    assert.deepEqual(one(b.take(), 'MODE'), ['#c', '+v', 'bob']);
    a.take();
    a.recv('MODE #c +o BOB');
    assert.deepEqual(one(a.take(), 'MODE'), ['#c', '+o', 'bob'], 'uses the canonical nick');
    b.take();
    a.recv('NAMES #c');
    assert.deepEqual(one(a.take(), '353'), ['alice', '=', '#c', '@alice @bob']);
    // bob can now use op powers
    b.recv('MODE #c -o+m alice');
    assert.deepEqual(one(a.take(), 'MODE'), ['#c', '-o+m', 'alice']);
    b.take();
    b.recv('MODE #c +o');
    assert.deepEqual(one(b.take(), '461').slice(0, 2), ['bob', 'MODE']);
    b.recv('MODE #c +v ghost');
    assert.deepEqual(one(b.take(), '401').slice(0, 2), ['bob', 'ghost']);
    b.recv('MODE #c +v carol');
    assert.deepEqual(one(b.take(), '441').slice(0, 3), ['bob', 'carol', '#c']);
  }));

test('472 for an unknown channel mode char, other modes in the string still apply', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    a.recv('MODE #c +zm');
    const got = a.take();
    assert.deepEqual(one(got, '472').slice(0, 2), ['alice', 'z']);
    assert.deepEqual(one(got, 'MODE'), ['#c', '+m']);
    assert.deepEqual(one(b.take(), 'MODE'), ['#c', '+m']);
  }));

test('parameter modes beyond MODES per command are ignored', () =>
  using({ limits: { modesPerCommand: 2 } }, (h) => {
    const [a] = pair(h);
    h.client('carol').recv('JOIN #c');
    h.client('dave').recv('JOIN #c');
    a.take();
    a.recv('MODE #c +vvv bob carol dave');
    assert.deepEqual(one(a.take(), 'MODE'), ['#c', '+vv', 'bob', 'carol']);
  }));

// ---- user modes --------------------------------------------------------------------

test('user MODE: 221 shows modes, +i set and announced to self only', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    a.recv('MODE alice');
    assert.deepEqual(one(a.take(), '221'), ['alice', '+']);
    a.recv('MODE alice +i');
    const m = oneMsg(a.take(), 'MODE');
    assert.equal(m.source, src('alice'));
    assert.deepEqual(m.params, ['alice', '+i']);
    assert.deepEqual(b.take(), []);
    a.recv('MODE Alice');
    assert.deepEqual(one(a.take(), '221'), ['alice', '+i']);
    a.recv('MODE alice +i');
    assert.deepEqual(a.take(), [], 'no change, no reply');
    a.recv('MODE alice -i+w');
    assert.deepEqual(one(a.take(), 'MODE'), ['alice', '-i+w'], '+w (wallops) is a real mode now');
  }));

test('user MODE: 502 for someone else, 501 unknown flag, +o cannot be self-granted', () =>
  using({}, (h) => {
    const a = h.client('alice');
    h.client('bob');
    a.recv('MODE bob');
    assert.equal(one(a.take(), '502')[0], 'alice');
    a.recv('MODE bob +i');
    assert.equal(one(a.take(), '502')[0], 'alice');
    a.recv('MODE alice +z');
    const got = a.take();
    assert.equal(one(got, '501')[0], 'alice');
    none(got, 'MODE');
    a.recv('MODE alice +o');
    assert.deepEqual(a.take(), []);
    a.recv('MODE alice');
    assert.deepEqual(one(a.take(), '221'), ['alice', '+']);
  }));

test('user MODE -o drops operator status', () =>
  using({ operators: [{ name: 'root', password: 'secret', hosts: [] }] }, (h) => {
    const a = h.client('alice');
    a.recv('OPER root secret');
    a.take();
    a.recv('MODE alice');
    assert.deepEqual(one(a.take(), '221'), ['alice', '+o']);
    a.recv('MODE alice -o');
    assert.deepEqual(one(a.take(), 'MODE'), ['alice', '-o']);
    a.recv('REHASH');
    assert.equal(one(a.take(), '481')[0], 'alice');
  }));

test('+k on a channel that already has a key replaces it (as ergo and InspIRCd do)', () =>
  using({}, (h) => {
    const [a] = pair(h);
    a.recv('MODE #c +k first');
    a.take();
    a.recv('MODE #c +k second');
    assert.equal(one(a.take(), 'MODE').at(-1), 'second');
    a.recv('MODE #c');
    assert.deepEqual(one(a.take(), '324'), ['alice', '#c', '+ntk', 'second']);
  }));
