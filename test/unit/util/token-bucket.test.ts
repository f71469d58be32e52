import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from '../../../src/util/token-bucket.js';

function clock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('starts full: burst takes succeed, then refused', () => {
  const c = clock();
  const b = new TokenBucket(2, 3, c.now);
  assert.equal(b.take(), true);
  assert.equal(b.take(), true);
  assert.equal(b.take(), true);
  assert.equal(b.take(), false);
});

test('refills at the rate, capped at burst', () => {
  const c = clock();
  const b = new TokenBucket(2, 3, c.now); // one token every 500ms
  for (let i = 0; i < 3; i++) b.take();
  assert.equal(b.msUntil(), 500);
  c.advance(499);
  assert.equal(b.take(), false);
  c.advance(1);
  assert.equal(b.take(), true);
  assert.equal(b.take(), false);
  c.advance(60_000);
  assert.equal(b.available(), 3);
  assert.equal(b.isFull(), true);
  assert.equal(b.take(3), true);
  assert.equal(b.take(), false);
});

test('msUntil for n tokens; Infinity when n exceeds burst; take(n) is all-or-nothing', () => {
  const c = clock();
  const b = new TokenBucket(10, 5, c.now);
  assert.equal(b.msUntil(5), 0);
  assert.equal(b.take(4), true);
  assert.equal(b.take(2), false);
  assert.equal(b.available(), 1);
  assert.equal(b.msUntil(3), 200);
  assert.equal(b.msUntil(6), Infinity);
});

test('clock going backwards does not add or remove tokens', () => {
  const c = clock();
  const b = new TokenBucket(1, 2, c.now);
  b.take(2);
  c.advance(-5000);
  assert.equal(b.available(), 0);
  c.advance(1000);
  assert.equal(b.available(), 1);
});

test('invalid parameters throw', () => {
  assert.throws(() => new TokenBucket(0, 1), /ratePerSec/);
  assert.throws(() => new TokenBucket(1, -1), /burst/);
});

test('default clock is performance.now', () => {
  const b = new TokenBucket(1000, 1);
  assert.equal(b.take(), true);
  assert.ok(b.msUntil() <= 1);
});
