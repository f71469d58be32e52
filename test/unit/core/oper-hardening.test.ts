// OPER under attack: hashes off the event loop, no race with a quit or a REHASH, failed
// attempts throttled per IP and per operator name, malformed hashes refused at load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { checkPassword, OPER_BASE_WAIT_MS, OPER_FREE_FAILURES } from '../../../src/core/commands/oper.js';
import { ConfigError, validateConfig } from '../../../src/config/schema.js';
import { makeConfig, harness } from '../../helpers/harness.js';
import type { Session } from '../../../src/core/session.js';
import { using, one, none, msgs, until, parseLine } from './util.js';

const salt = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const HASH = `scrypt$${salt.toString('hex')}$${scryptSync('hunter2', salt, 32).toString('hex')}`;
const SC = { operators: [{ name: 'sc', password: HASH, hosts: [] }] };
const PLAIN = { operators: [{ name: 'root', password: 'secret', hosts: [] }] };

// ---- malformed or empty hashes ------------------------------------------------------------

test('checkPassword: a malformed or empty scrypt hash matches no password (it matched any)', async () => {
  for (const bad of ['scrypt$$', 'scrypt$zz$zz', 'scrypt$00$', 'scrypt$$00', 'scrypt$0011$' + 'ab'.repeat(32), '']) {
    assert.equal(await checkPassword('anything', bad), false, bad);
    assert.equal(await checkPassword('', bad), false, bad);
  }
  assert.equal(await checkPassword('', ''), false, 'an empty plain password never matches');
  assert.equal(await checkPassword('hunter2', HASH), true);
  assert.equal(await checkPassword('hunter3', HASH), false);
});

test('config: a malformed operator hash is refused at load, naming the operator', () => {
  assert.throws(
    () => makeConfig({ operators: [{ name: 'ok', password: 'fine' }, { name: 'teacher', password: 'scrypt$$' }] }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 1);
      assert.match(err.problems[0]!, /^operators\[1\]\.password \(operator "teacher"\): the password looks like a scrypt hash but is malformed/);
      return true;
    },
  );
  assert.throws(() => validateConfig({ operators: [{ name: 'x', password: 'scrypt$0011223344556677$abcd' }] }), /operator "x"/);
  assert.doesNotThrow(() => makeConfig(SC));
});

// ---- hashing off the event loop ---------------------------------------------------------------

test('OPER with a scrypt hash answers asynchronously: the handler returns before the hash', () =>
  using(SC, async (h) => {
    const a = h.client('alice', ['labeled-response', 'batch']);
    assert.ok(checkPassword('x', HASH) instanceof Promise, 'scrypt runs in the thread pool');
    a.recv('@label=o1 OPER sc hunter2');
    assert.deepEqual(a.take(), [], 'nothing yet: the event loop was not blocked by the hash');
    await until(() => a.lines.length > 0, 'the OPER answer');
    const got = a.take();
    const labeled = got.filter((l) => l.includes('label=o1'));
    assert.equal(labeled.length, 1, got.join('\n'));
    assert.equal(msgs(got, 'BATCH').length, 2, 'one labeled batch with 381 and MODE');
    assert.equal(one(got, '381')[0], 'alice');
  }));

test('OPER: a session that quits while its hash runs is not made an operator, and nothing throws', () =>
  using(SC, async (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    // note when OPER's reply comes back from the hash
    const vs = a.handlers as Session;
    const defer = vs.defer.bind(vs);
    let answered = false;
    vs.defer = () => {
      const r = defer();
      return (fn) => {
        answered = true;
        r(fn);
      };
    };
    a.recv('OPER sc hunter2');
    a.recv('QUIT :bye');
    assert.ok(a.closed);
    await until(() => answered, 'the hash to finish');
    assert.equal(h.server.operCount(), 0);
    assert.equal(vs.oper, null);
    b.recv('PING :x');
    assert.equal(msgs(b.take(), 'PONG').length, 1);
  }));

test('OPER: a REHASH that changes the password while the hash runs makes the attempt fail', async () => {
  let cfg = makeConfig({ ...SC, operators: [...SC.operators, { name: 'root', password: 'secret', hosts: [] }] });
  const h = harness({ ...SC, operators: [...SC.operators, { name: 'root', password: 'secret', hosts: [] }] }, () => cfg);
  try {
    const a = h.client('alice');
    const r = h.client('rooty');
    r.recv('OPER root secret');
    r.take();
    a.recv('OPER sc hunter2');
    cfg = makeConfig({ operators: [{ name: 'sc', password: 'changed', hosts: [] }, { name: 'root', password: 'secret', hosts: [] }] });
    r.recv('REHASH');
    await until(() => a.lines.length > 0, 'the OPER answer');
    assert.equal(one(a.take(), '464')[0], 'alice');
    none(a.lines, '381');
  } finally {
    await h.close();
  }
});

test('OPER: one attempt at a time per session', () =>
  using(SC, async (h) => {
    const a = h.client('alice');
    a.recv('OPER sc wrong');
    a.recv('OPER sc hunter2');
    assert.match(one(a.take(), '491')[1]!, /still being checked/);
    await until(() => a.lines.length > 0, 'the first answer');
    assert.equal(one(a.take(), '464')[0], 'alice');
  }));

// ---- throttling -------------------------------------------------------------------------------

test(`OPER: after ${OPER_FREE_FAILURES} failures from one IP, 491 and a NOTICE to wait; the wait passes on the clock`, () =>
  using(PLAIN, (h) => {
    const a = h.client('alice');
    for (let i = 0; i < OPER_FREE_FAILURES; i++) {
      a.recv('OPER root wrong' + i);
      assert.equal(one(a.take(), '464')[0], 'alice');
    }
    a.recv('OPER root secret'); // even the right password waits
    const got = a.take();
    assert.deepEqual(one(got, '491'), ['alice', 'Too many failed OPER attempts']);
    const n = msgs(got, 'NOTICE').map((m) => m.params[1]);
    assert.deepEqual(n, [`*** Too many failed OPER attempts: wait ${OPER_BASE_WAIT_MS / 1000} seconds before trying again`]);
    none(got, '381');
    // another connection from the same address is throttled too
    const b = h.client('bob');
    b.recv('OPER root secret');
    assert.equal(one(b.take(), '491')[0], 'bob');
    h.clock.now += OPER_BASE_WAIT_MS;
    a.recv('OPER root secret');
    assert.equal(one(a.take(), '381')[0], 'alice');
  }));

test('OPER: waits double with each further failure', () =>
  using(PLAIN, (h) => {
    const a = h.client('alice');
    for (let i = 0; i < OPER_FREE_FAILURES; i++) a.recv('OPER root bad');
    a.take();
    h.clock.now += OPER_BASE_WAIT_MS;
    a.recv('OPER root bad');
    assert.equal(one(a.take(), '464')[0], 'alice');
    a.recv('OPER root bad');
    const text = msgs(a.take(), 'NOTICE')[0]!.params[1]!;
    assert.match(text, new RegExp(`wait ${(2 * OPER_BASE_WAIT_MS) / 1000} seconds`));
  }));

test('OPER: failures for one operator name throttle that name from every address', () =>
  using(PLAIN, (h) => {
    const c1 = h.connect('10.0.0.1');
    c1.recv('NICK one');
    c1.recv('USER one 0 * :one');
    for (let i = 0; i < OPER_FREE_FAILURES; i++) c1.recv('OPER root bad');
    c1.take();
    const c2 = h.connect('10.0.0.2');
    c2.recv('NICK two');
    c2.recv('USER two 0 * :two');
    c2.take();
    c2.recv('OPER root secret');
    const got = c2.take();
    assert.equal(one(got, '491')[0], 'two');
    // a wait notice naming the time left, and no operator status
    assert.ok(got.map(parseLine).some((m) => m.command === 'NOTICE' && /wait \d+ seconds?/.test(m.params[1] ?? '')));
    assert.equal(h.server.operCount(), 0);
  }));
