// AWAY, SETNAME, ISON, USERHOST.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, one, none, oneMsg, src, SERVER } from './util.js';

test('AWAY with text: 306, then WHOIS shows 301; AWAY alone: 305', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    a.recv('AWAY :out to lunch');
    assert.deepEqual(one(a.take(), '306'), ['alice', 'You have been marked as being away']);
    b.recv('WHOIS alice');
    assert.deepEqual(one(b.take(), '301'), ['bob', 'alice', 'out to lunch']);
    a.recv('AWAY');
    assert.deepEqual(one(a.take(), '305'), ['alice', 'You are no longer marked as being away']);
    b.recv('WHOIS alice');
    none(b.take(), '301');
    // not away at all: still 305
    a.recv('AWAY :');
    assert.equal(one(a.take(), '305')[0], 'alice');
  }));

test('AWAY text is truncated to AWAYLEN', () =>
  using({ limits: { awayLength: 5 } }, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    a.recv('AWAY :abcdefghij');
    a.take();
    b.recv('PRIVMSG alice :hi');
    assert.deepEqual(one(b.take(), '301'), ['bob', 'alice', 'abcde']);
  }));

test('AWAY without away-notify: channel peers are not told', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    a.recv('JOIN #c');
    b.recv('JOIN #c');
    b.take();
    a.recv('AWAY :brb');
    none(b.take(), 'AWAY');
  }));

test('SETNAME changes the realname (seen in WHOIS); 461 without parameter; FAIL when blank', () =>
  using({}, (h) => {
    const a = h.client('alice', ['setname']);
    const b = h.client('bob');
    a.recv('SETNAME :Alice Pleasance');
    const m = oneMsg(a.take(), 'SETNAME');
    assert.equal(m.source, src('alice'));
    assert.deepEqual(m.params, ['Alice Pleasance']);
    b.recv('WHOIS alice');
    assert.equal(one(b.take(), '311')[5], 'Alice Pleasance');
    a.recv('SETNAME');
    assert.deepEqual(one(a.take(), '461').slice(0, 2), ['alice', 'SETNAME']);
    a.recv('SETNAME :   ');
    const f = oneMsg(a.take(), 'FAIL');
    assert.equal(f.source, SERVER);
    assert.deepEqual(f.params.slice(0, 2), ['SETNAME', 'INVALID_REALNAME']);
  }));

test('SETNAME is truncated to the realname limit', () =>
  using({ limits: { realnameLength: 4 } }, (h) => {
    const a = h.client('alice', ['setname']);
    a.recv('SETNAME :abcdefgh');
    assert.deepEqual(one(a.take(), 'SETNAME'), ['abcd']);
  }));

test('ISON: 303 lists the online nicks in their own spelling', () =>
  using({}, (h) => {
    const a = h.client('alice');
    h.client('Bob');
    h.client('carol');
    a.recv('ISON bob ghost CAROL');
    assert.deepEqual(one(a.take(), '303'), ['alice', 'Bob carol']);
    a.recv('ISON :bob ghost  carol');
    assert.deepEqual(one(a.take(), '303'), ['alice', 'Bob carol']);
    a.recv('ISON ghost');
    assert.deepEqual(one(a.take(), '303'), ['alice', '']);
    a.recv('ISON');
    assert.deepEqual(one(a.take(), '461').slice(0, 2), ['alice', 'ISON']);
  }));

test('USERHOST: 302 with nick[*]=[+-]user@host, up to five nicks, unknown ones skipped', () =>
  using({ operators: [{ name: 'root', password: 'pw', hosts: [] }] }, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    b.recv('AWAY :zzz');
    b.recv('OPER root pw');
    h.client('carol');
    a.recv('USERHOST alice BOB ghost carol');
    assert.deepEqual(one(a.take(), '302'), ['alice', 'alice=+~alice@127.0.0.1 bob*=-~bob@127.0.0.1 carol=+~carol@127.0.0.1']);
    a.recv('USERHOST ghost g2 g3 g4 g5 alice');
    assert.deepEqual(one(a.take(), '302'), ['alice', '']);
    a.recv('USERHOST');
    assert.deepEqual(one(a.take(), '461').slice(0, 2), ['alice', 'USERHOST']);
  }));
