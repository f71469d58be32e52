/** stripFormatting / stripControls / cleanLine. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cleanLine, displaySegments, stripControls, stripFormatting, stripInvisible } from '../../../src/text/index.js';

test('stripFormatting removes bold, colours (with numbers), hex colours and resets, keeps the text', () => {
  assert.equal(stripFormatting('\x02bold\x02 \x0304,12red\x03 \x0399x \x04ff0000hex\x0f end'), 'bold red x hex end');
  assert.equal(stripFormatting('1,2 \x031,2,3'), '1,2 ,3');
  assert.equal(stripFormatting('\x1ditalic\x1d \x1fu\x1f \x1es\x1e \x11m\x11 \x16r\x16'), 'italic u s m r');
  assert.equal(stripFormatting('\x04ff0000,00ff00both'), 'both');
});

test('stripFormatting is idempotent and leaves text without codes alone (property)', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
    const once = stripFormatting(s);
    assert.equal(stripFormatting(once), once);
    assert.ok(!/[\x02\x03\x04\x0f\x11\x16\x1d\x1e\x1f]/.test(once));
  }));
  fc.assert(fc.property(fc.string({ maxLength: 80 }).filter((s) => !/[\x00-\x1f]/.test(s)), (s) => assert.equal(stripFormatting(s), s)));
});

test('stripControls and stripInvisible remove what a screen shows as boxes or reorders', () => {
  assert.equal(stripControls('a\x00b\x07c\x1bd\x7fe\x85f\tg'), 'abcdef\tg');
  assert.equal(stripInvisible('\u202egnp.exe'), 'gnp.exe');
  assert.equal(cleanLine('\x02a\tb\u2028c\x01', '  '), 'a  bc');
});

test('displaySegments: controls out, reordering bidi controls become named marks, the rest as is', () => {
  assert.deepEqual(displaySegments('\u202egnp.exe'), [{ bidi: 'RLO' }, { text: 'gnp.exe' }]);
  assert.deepEqual(displaySegments('a\u2066b\u2069c'), [{ text: 'a' }, { bidi: 'LRI' }, { text: 'b' }, { bidi: 'PDI' }, { text: 'c' }]);
  assert.deepEqual(displaySegments('\x02bold\x02 bell\x07 tab\there\u2028next'), [{ text: 'bold bell tab here next' }]);
  // the marks only nudge neutral characters: they stay, as Hebrew and Arabic text needs them
  assert.deepEqual(displaySegments('\u05e9\u05dc\u05d5\u05dd\u200f!'), [{ text: '\u05e9\u05dc\u05d5\u05dd\u200f!' }]);
  assert.deepEqual(displaySegments(''), []);
});

test('displaySegments never lets a reordering control or a C0/C1 control through (property)', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('\u202e', '\u202d', '\u2067', '\x1b', '\x85', ''), (s, extra) => {
    for (const seg of displaySegments(extra + s + extra)) {
      if ('text' in seg) assert.ok(!/[\u202a-\u202e\u2066-\u2069\x00-\x1f\x7f-\x9f]/.test(seg.text), JSON.stringify(seg.text));
      else assert.match(seg.bidi, /^(LRE|RLE|PDF|LRO|RLO|LRI|RLI|FSI|PDI)$/);
    }
  }));
});
