// Unit tests for tag escaping and the tag-section parser/serializer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  escapeTagValue,
  unescapeTagValue,
  parseTags,
  serializeTags,
  isValidTagKey,
} from '../../../src/protocol/tags.js';

test('escapeTagValue', () => {
  assert.equal(escapeTagValue('plain'), 'plain');
  assert.equal(escapeTagValue('a;b c\\d\re\nf'), 'a\\:b\\sc\\\\d\\re\\nf');
  assert.equal(escapeTagValue(''), '');
});

test('unescapeTagValue', () => {
  assert.equal(unescapeTagValue('a\\:b\\sc\\\\d\\re\\nf'), 'a;b c\\d\re\nf');
  assert.equal(unescapeTagValue('value\\1'), 'value1'); // invalid escape drops the backslash
  assert.equal(unescapeTagValue('value1\\'), 'value1'); // trailing lone backslash dropped
  assert.equal(unescapeTagValue('\\\\n'), '\\n'); // char-at-a-time
  assert.equal(unescapeTagValue('\\'), '');
  assert.equal(unescapeTagValue('x\\\\'), 'x\\');
});

test('parseTags', () => {
  assert.deepEqual([...(parseTags('a=1;b;c=;a=2') ?? [])], [['a', '2'], ['b', ''], ['c', '']]);
  assert.deepEqual([...(parseTags('a=1;') ?? [])], [['a', '1']]);
  assert.deepEqual([...(parseTags('example.com/k=v=w') ?? [])], [['example.com/k', 'v=w']]);
  assert.equal(parseTags(''), null);
  assert.equal(parseTags(';'), null);
  assert.equal(parseTags('=v'), null);
  assert.equal(parseTags('a=1;=v'), null);
  assert.equal(parseTags('a_b=1'), null);
  assert.equal(parseTags('/k=1'), null);
  assert.equal(parseTags('v/=1'), null);
});

test('isValidTagKey', () => {
  for (const k of ['a', '+a', 'draft/typing', '+draft/react', 'example.com/x-y', 'A9-']) assert.ok(isValidTagKey(k), k);
  for (const k of ['', '+', 'a b', 'a;b', 'a=b', 'vendor/', '/x', 'a/b/c', 'é']) assert.equal(isValidTagKey(k), false, k);
});

test('serializeTags', () => {
  assert.equal(serializeTags(new Map([['a', ''], ['b', 'x y']])), 'a;b=x\\sy');
  assert.equal(serializeTags(new Map()), '');
});
