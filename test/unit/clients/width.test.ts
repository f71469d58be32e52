import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { wrap, width, sanitize, fit } from '../../../src/clients/tui/width.js';
import { renderLine } from '../../../src/clients/tui/format.js';

test('width counts CJK and emoji as two columns, combining marks as zero', () => {
  assert.equal(width('abc'), 3);
  assert.equal(width('界'), 2);
  assert.equal(width('😀'), 2);
  assert.equal(width('e\u0301'), 1);
  assert.equal(width('\x1b[31mred\x1b[0m'), 3);
});

test('wrap breaks at spaces, splits only words longer than a row, never splits an emoji', () => {
  assert.deepEqual(wrap('hello there world', 11), ['hello there', 'world']);
  assert.deepEqual(wrap('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  assert.deepEqual(wrap('😀😀😀', 5), ['😀😀', '😀']);
  assert.deepEqual(wrap('', 10), ['']);
  assert.deepEqual(wrap('aa bb cc', 5, 2), ['aa bb', 'cc']);
});

test('property: wrapped rows fit and keep every non-space character in order', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('a', 'bc', ' ', '界', '😀', 'longword', '  '), { maxLength: 40 }), fc.integer({ min: 2, max: 30 }), (parts, cols) => {
      const text = parts.join('');
      const rows = wrap(text, cols);
      for (const r of rows) assert.ok(width(r) <= cols, `${JSON.stringify(r)} wider than ${cols}`);
      assert.equal(rows.join('').replace(/ /g, ''), text.replace(/ /g, ''));
    }),
  );
});

test('sanitize removes IRC formatting, escapes and controls', () => {
  assert.equal(sanitize('\x02bold\x02 \x0304,05red\x03 \x1b[2Jx\ty'), 'bold red [2Jx    y');
});

test('fit cuts at a column budget without splitting wide characters', () => {
  assert.deepEqual(fit('ab界c', 3), { text: 'ab', width: 2 });
});

test('renderLine: rows fit the width, continuation rows are indented under the text', () => {
  const l = { id: 1, time: new Date(2024, 0, 1, 9, 5), kind: 'message' as const, nick: 'alice', text: 'one two three four five six seven eight', self: false, mention: false, history: false };
  const rows = renderLine(l, 36);
  const plain = rows.map((r) => r.replace(/\x1b\[[0-9;]*m/g, ''));
  assert.equal(plain[0], '09:05 <alice> one two three four');
  for (const r of plain) assert.ok(width(r) <= 36);
  assert.match(plain[1]!, /^ {14}\S/);
});
