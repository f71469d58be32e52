// Unit tests for mask matching, userhost splitting and mask normalization.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchMask, compileMask, escapeMask, splitUserhost, normalizeMask } from '../../../src/protocol/mask.js';
import { casefolder } from '../../../src/protocol/casemap.js';

test('wildcards', () => {
  assert.ok(matchMask('*', ''));
  assert.ok(matchMask('a*b', 'ab'));
  assert.ok(matchMask('a*b', 'axxxb'));
  assert.equal(matchMask('a*b', 'axxxbc'), false);
  assert.ok(matchMask('a?c', 'abc'));
  assert.equal(matchMask('a?c', 'ac'), false);
  assert.ok(matchMask('*!*@*.example.com', 'n!u@host.example.com'));
  assert.equal(matchMask('*!*@*.example.com', 'n!u@example.com'), false);
  assert.ok(matchMask('?', '😀'), '? matches one code point');
});

test('escapes', () => {
  assert.ok(matchMask('a\\*b', 'a*b'));
  assert.equal(matchMask('a\\*b', 'axb'), false);
  assert.ok(matchMask('a\\?', 'a?'));
  assert.equal(matchMask('a\\?', 'ab'), false);
  assert.ok(matchMask('a\\\\b', 'a\\b'));
  assert.ok(matchMask('a\\', 'a\\'), 'trailing backslash is literal');
  assert.equal(escapeMask('a*b?c\\'), 'a\\*b\\?c\\\\');
  assert.equal(escapeMask('plain'), 'plain');
});

test('no exponential blow-up', () => {
  const mask = '*a'.repeat(30) + 'b';
  const subject = 'a'.repeat(5000);
  const t0 = Date.now();
  assert.equal(matchMask(mask, subject), false);
  assert.ok(Date.now() - t0 < 1000);
});

test('compileMask with folding', () => {
  const m = compileMask('*!*@[Evil].NET', casefolder('rfc1459'));
  assert.ok(m('x!y@{evil}.net'));
  assert.ok(m('X!Y@[EVIL].net'));
  assert.equal(m('x!y@evil.net'), false);
  const esc = compileMask('a\\*', casefolder('rfc1459'));
  assert.ok(esc('A*'));
  assert.equal(esc('AB'), false);
  assert.equal(compileMask('ABC')('abc'), false, 'no fold = case-sensitive');
});

test('splitUserhost', () => {
  assert.deepEqual(splitUserhost('n!u@h'), { nick: 'n', user: 'u', host: 'h' });
  assert.deepEqual(splitUserhost('n'), { nick: 'n', user: null, host: null });
  assert.deepEqual(splitUserhost('n@h'), { nick: 'n', user: null, host: 'h' });
  assert.deepEqual(splitUserhost('n!u'), { nick: 'n', user: 'u', host: null });
  assert.deepEqual(splitUserhost('n!u@h@x'), { nick: 'n', user: 'u', host: 'h@x' });
});

test('normalizeMask', () => {
  assert.equal(normalizeMask('nick'), 'nick!*@*');
  assert.equal(normalizeMask('user@host'), '*!user@host');
  assert.equal(normalizeMask('nick!user'), 'nick!user@*');
  assert.equal(normalizeMask('host.with.dot'), '*!*@host.with.dot');
  assert.equal(normalizeMask('2001:db8::1'), '*!*@2001:db8::1');
  assert.equal(normalizeMask('n!u@h'), 'n!u@h');
  assert.equal(normalizeMask('!@'), '*!*@*');
  assert.equal(normalizeMask('n!@h'), 'n!*@h');
  assert.equal(normalizeMask('*'), '*!*@*');
});
