// OPER, KILL, REHASH.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { harness } from '../../helpers/harness.js';
import { makeConfig } from '../../helpers/harness.js';
import { using, one, none, msgs, oneMsg, src, until } from './util.js';
import { closedBy } from '../../helpers/codes.js';

const OPERS = {
  operators: [
    { name: 'root', password: 'secret', hosts: [] },
    { name: 'local', password: 'pw2', hosts: ['*!*@127.0.0.1'] },
    { name: 'remote', password: 'pw3', hosts: ['*!*@10.*'] },
  ],
};

test('OPER with the right credentials: 381 and +o user mode', () =>
  using(OPERS, (h) => {
    const a = h.client('alice');
    a.recv('OPER root secret');
    const got = a.take();
    assert.deepEqual(one(got, '381'), ['alice', 'You are now an IRC operator']);
    const m = oneMsg(got, 'MODE');
    assert.equal(m.source, src('alice'));
    assert.deepEqual(m.params, ['alice', '+o']);
    a.recv('OPER root secret');
    const again = a.take();
    assert.equal(one(again, '381')[0], 'alice');
    none(again, 'MODE');
  }));

test('OPER: 464 for a wrong password or unknown name; 461 with too few parameters', () =>
  using(OPERS, (h) => {
    const a = h.client('alice');
    a.recv('OPER root wrong');
    assert.deepEqual(one(a.take(), '464'), ['alice', 'Password incorrect']);
    a.recv('OPER nobody secret');
    assert.equal(one(a.take(), '464')[0], 'alice');
    a.recv('OPER root');
    assert.deepEqual(one(a.take(), '461').slice(0, 2), ['alice', 'OPER']);
    a.recv('MODE alice');
    assert.deepEqual(one(a.take(), '221'), ['alice', '+'], 'still not an operator');
    assert.equal(a.closed, false);
  }));

test('OPER host masks: a matching host is accepted, another gets 491', () =>
  using(OPERS, (h) => {
    const a = h.client('alice');
    a.recv('OPER remote pw3');
    assert.equal(one(a.take(), '491')[0], 'alice');
    a.recv('MODE alice');
    assert.deepEqual(one(a.take(), '221'), ['alice', '+']);
    a.recv('OPER local pw2');
    assert.equal(one(a.take(), '381')[0], 'alice');
  }));

test('OPER accepts scrypt password hashes', () => {
  const salt = Buffer.from('0011223344556677', 'hex');
  const hash = scryptSync('hunter2', salt, 32).toString('hex');
  return using({ operators: [{ name: 'sc', password: `scrypt$${salt.toString('hex')}$${hash}`, hosts: [] }] }, async (h) => {
    const a = h.client('alice');
    a.recv('OPER sc wrong');
    await until(() => a.lines.length > 0, 'the OPER answer (hashed off the event loop)');
    assert.equal(one(a.take(), '464')[0], 'alice');
    a.recv('OPER sc hunter2');
    await until(() => a.lines.length > 0, 'the OPER answer');
    assert.equal(one(a.take(), '381')[0], 'alice');
  });
});

test('KILL without operator status: 481, the target stays', () =>
  using(OPERS, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    a.recv('KILL bob :go away');
    assert.equal(one(a.take(), '481')[0], 'alice');
    assert.equal(b.closed, false);
  }));

test('KILL: the victim gets KILL and ERROR, channel peers a QUIT naming the killer', () =>
  using(OPERS, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    const c = h.client('carol');
    b.recv('JOIN #c');
    c.recv('JOIN #c');
    a.recv('OPER root secret');
    a.take();
    b.take();
    c.take();
    a.recv('KILL bob :spamming');
    assert.ok(b.closed);
    const got = b.lines;
    const k = oneMsg(got, 'KILL');
    assert.equal(k.source, src('alice'));
    assert.equal(k.params[0], 'bob');
    assert.match(k.params[1]!, /alice.*spamming/);
    assert.match(b.closeLine ?? '', closedBy('TINCAN_ERR_KILLED', 'alice (spamming)'));
    const q = oneMsg(c.take(), 'QUIT');
    assert.equal(q.source, src('bob'));
    assert.match(q.params[0]!, /^Killed \(alice \(spamming\)\)$/);
    a.recv('WHOIS bob');
    assert.equal(one(a.take(), '401')[1], 'bob');
  }));

test('KILL: 401 for an unknown nick, 461 without a reason', () =>
  using(OPERS, (h) => {
    const a = h.client('alice');
    a.recv('OPER root secret');
    a.take();
    a.recv('KILL ghost :x');
    assert.deepEqual(one(a.take(), '401').slice(0, 2), ['alice', 'ghost']);
    h.client('bob');
    a.recv('KILL bob');
    assert.deepEqual(one(a.take(), '461').slice(0, 2), ['alice', 'KILL']);
  }));

test('REHASH: 481 without oper; 382 and the new config takes effect', async () => {
  const h = harness({ ...OPERS, motd: ['old'] }, () => makeConfig({ ...OPERS, motd: ['new motd'] }));
  try {
    const a = h.client('alice');
    a.recv('REHASH');
    assert.equal(one(a.take(), '481')[0], 'alice');
    a.recv('OPER root secret');
    a.take();
    a.recv('REHASH');
    const got = a.take();
    assert.equal(one(got, '382')[0], 'alice');
    none(got, 'NOTICE');
    a.recv('MOTD');
    assert.deepEqual(msgs(a.take(), '372').map((m) => m.params[1]), ['- new motd']);
  } finally {
    await h.close();
  }
});

test('REHASH with a broken config: 382, then a NOTICE, and the old config is kept', async () => {
  const h = harness({ ...OPERS, motd: ['old'] }, () => {
    throw new Error('bad yaml at line 3');
  });
  try {
    const a = h.client('alice');
    a.recv('OPER root secret');
    a.take();
    a.recv('REHASH');
    const got = a.take();
    assert.equal(one(got, '382')[0], 'alice');
    assert.match(one(got, 'NOTICE')[1]!, /bad yaml at line 3/);
    a.recv('MOTD');
    assert.deepEqual(msgs(a.take(), '372').map((m) => m.params[1]), ['- old']);
  } finally {
    await h.close();
  }
});
