// Password rules and the bounded hashing queue (thread pool, never the event loop).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPassword, gated, HASH_CONCURRENCY, HASH_QUEUE, HashBusyError, hashLoad, makeCredentials, MAX_PASSWORD_BYTES, passwordProblem } from '../../../src/accounts/password.js';

test('password rules: length in characters, bytes cap, no control characters', () => {
  assert.equal(passwordProblem('12345678', 8), null);
  assert.equal(passwordProblem('1234567', 8)?.code, 'WEAK_PASSWORD');
  assert.equal(passwordProblem('ééééééé', 8)?.code, 'WEAK_PASSWORD', 'characters, not bytes');
  assert.equal(passwordProblem('x'.repeat(MAX_PASSWORD_BYTES + 1), 8)?.code, 'UNACCEPTABLE_PASSWORD');
  assert.equal(passwordProblem('a\u0001bcdefghij', 8)?.code, 'UNACCEPTABLE_PASSWORD');
});

test('verifiers check the right password only; an over-long one is refused unhashed', async () => {
  const cred = await makeCredentials('right password', 4096);
  assert.equal(await checkPassword('right password', cred), true);
  assert.equal(await checkPassword('wrong password', cred), false);
  assert.equal(await checkPassword('x'.repeat(MAX_PASSWORD_BYTES + 1), cred), false);
  assert.ok(!JSON.stringify(cred).includes('right password'));
});

test(`at most ${HASH_CONCURRENCY} hashes run and ${HASH_QUEUE} wait; beyond that: HashBusyError at once`, async () => {
  // jobs the test finishes by hand stand in for hashes: the gate is what is measured
  const finish: (() => void)[] = [];
  let running = 0;
  let most = 0;
  const job = () =>
    new Promise<number>((resolve) => {
      running++;
      most = Math.max(most, running);
      finish.push(() => {
        running--;
        resolve(1);
      });
    });
  const extra = 5;
  const all = Array.from({ length: HASH_CONCURRENCY + HASH_QUEUE + extra }, () => gated(job));
  assert.deepEqual(hashLoad(), { active: HASH_CONCURRENCY, waiting: HASH_QUEUE });
  const settled = Promise.allSettled(all);
  while (hashLoad().active > 0) {
    finish.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  const results = await settled;
  assert.equal(results.filter((r) => r.status === 'rejected' && r.reason instanceof HashBusyError).length, extra);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, HASH_CONCURRENCY + HASH_QUEUE);
  assert.equal(most, HASH_CONCURRENCY, 'never more at once, also while slots are handed over');
  assert.deepEqual(hashLoad(), { active: 0, waiting: 0 });
});
