// Unit tests for CASEMAPPING folding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldCase, casefolder } from '../../../src/protocol/casemap.js';

test('rfc1459 folds A-Z and []\\~', () => {
  assert.equal(foldCase('Nick[A]\\~', 'rfc1459'), 'nick{a}|^');
  assert.equal(foldCase('ÉCOLE', 'rfc1459'), 'École');
});

test('ascii folds only A-Z', () => {
  assert.equal(foldCase('Nick[A]\\~', 'ascii'), 'nick[a]\\~');
});

test('returns the same string when nothing changes', () => {
  const s = 'already{lower}|^';
  assert.equal(foldCase(s, 'rfc1459'), s);
});

test('long strings fold correctly', () => {
  const s = 'x'.repeat(20000) + 'ABC';
  assert.equal(foldCase('A' + s, 'ascii'), 'a' + s.toLowerCase());
});

test('casefolder binds the mapping', () => {
  assert.equal(casefolder('rfc1459')('[X]'), '{x}');
  assert.equal(casefolder('ascii')('[X]'), '[x]');
});
