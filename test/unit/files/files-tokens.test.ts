// Upload tokens (src/files/tokens.ts) with an injected clock: expiry, spending, the caps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TOKENS, TOKENS_PER_SESSION, UploadTokens } from '../../../src/files/tokens.js';

test('a token is unguessable, bound to its session and target, and expires', () => {
  let now = 1000;
  const t = new UploadTokens<string>(() => now);
  const g = t.issue('alice', '#room', 60);
  assert.match(g.token, /^[A-Za-z0-9_-]{32}$/);
  assert.notEqual(t.issue('alice', '#room', 60).token, g.token);
  assert.equal(t.get(g.token)?.session, 'alice');
  assert.equal(t.get(g.token)?.target, '#room');
  now += 60_000;
  assert.equal(t.get(g.token), null);
  assert.equal(t.get('nonsense'), null);
});

test('a busy token outlives its expiry until the upload ends; spend and forget remove tokens', () => {
  let now = 0;
  const t = new UploadTokens<string>(() => now);
  const g = t.issue('a', '#r', 1);
  g.busy = true;
  now = 5000;
  assert.equal(t.get(g.token), g, 'an upload in progress keeps its token');
  t.spend(g.token);
  assert.equal(t.get(g.token), null);
  t.issue('b', '#r', 60);
  t.issue('b', '#r', 60);
  t.forget('b');
  assert.equal(t.size, 0);
});

test('at most TOKENS_PER_SESSION per session (the oldest idle goes) and MAX_TOKENS in all', () => {
  let n = 0;
  const t = new UploadTokens<string>(() => 0, () => 't' + n++);
  const first = t.issue('a', '#r', 60);
  for (let i = 1; i < TOKENS_PER_SESSION; i++) t.issue('a', '#r', 60);
  assert.equal(t.size, TOKENS_PER_SESSION);
  t.issue('a', '#r', 60);
  assert.equal(t.size, TOKENS_PER_SESSION);
  assert.equal(t.get(first.token), null, 'the oldest went');
  for (let i = 0; i < MAX_TOKENS + 50; i++) t.issue('s' + i, '#r', 60);
  assert.equal(t.size, MAX_TOKENS);
});

test('issuing costs the same with 6,000 live tokens as with none (the sweep stops at the first live one)', () => {
  // a ratio, not a time: the machine may be busy, but it is busy for both runs alike
  const run = (live: number): number => {
    let now = 0;
    let n = 0;
    const t = new UploadTokens<number>(() => now, () => 't' + n++);
    for (let i = 0; i < live; i++) t.issue(-1 - i, '#r', 600);
    now = 1;
    const start = performance.now();
    for (let i = 0; i < 3000; i++) t.issue(i % 1000, '#r', 600);
    return performance.now() - start;
  };
  run(0); // warm up
  const empty = run(0);
  const full = run(MAX_TOKENS - 4000);
  // a sweep over every token per issue would make this ~100 times slower
  assert.ok(full < empty * 6 + 50, `with 6,000 live tokens ${full.toFixed(0)} ms, with none ${empty.toFixed(0)} ms`);
});
