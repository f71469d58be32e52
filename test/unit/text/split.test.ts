/** splitMessage: protocol-sized parts on word boundaries, property-tested. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MIN_PART_BYTES, splitLines, splitMessage } from '../../../src/text/index.js';
import { utf8Length } from '../../../src/protocol/index.js';

/** No lone surrogate (half a pair): in a `u` regex a pair is one code point, a half is Cs. */
const wellFormed = (s: string): boolean => !/\p{Cs}/u.test(s);

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Where each part sits in `text`, checking that only runs of spaces lie between (and around) them. */
function offsets(text: string, parts: readonly string[]): number[] {
  const at: number[] = [];
  let pos = 0;
  for (const p of parts) {
    let q = pos;
    while (!text.startsWith(p, q) && text[q] === ' ') q++;
    assert.ok(text.startsWith(p, q), `part ${JSON.stringify(p)} follows at ${pos} after spaces only`);
    at.push(q);
    pos = q + p.length;
  }
  assert.match(text.slice(pos), /^ *$/, 'only spaces are left out at the end');
  return at;
}

// words of letters, CJK, emoji with modifiers and ZWJ, combining marks; joined by 1-3 spaces
const word = fc.array(
  fc.constantFrom('a', 'b', 'é', 'e\u0301', '中', '文', '😀', '👍🏽', '👩‍👩‍👧', 'ß', 'x', '\u05d0'),
  { minLength: 1, maxLength: 40 },
).map((a) => a.join(''));
const sentence = fc.tuple(fc.array(fc.tuple(word, fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 60 }), fc.boolean())
  .map(([ws, lead]) => (lead ? ' ' : '') + ws.map(([w, n]) => w + ' '.repeat(n)).join('').trimEnd());

function check(text: string, maxBytes: number): void {
  const max = Math.max(MIN_PART_BYTES, maxBytes);
  const parts = splitMessage(text, maxBytes);
  const at = offsets(text, parts);
  parts.forEach((p, i) => {
    assert.ok(p.length > 0, 'no empty part');
    assert.ok(utf8Length(p) <= max, `part ${i} fits: ${utf8Length(p)} <= ${max}`);
    assert.ok(wellFormed(p), 'no part holds half a surrogate pair');
    if (i > 0) assert.notEqual(p[0], ' ', 'no leading space after a break');
    if (i < parts.length - 1) assert.notEqual(p[p.length - 1], ' ', 'no trailing space before a break');
  });
  for (let i = 0; i + 1 < parts.length; i++) {
    const end = at[i]! + parts[i]!.length;
    const next = at[i + 1]!;
    // where the word that follows the break ends in the text
    let wordEnd = text.indexOf(' ', next);
    if (wordEnd === -1) wordEnd = text.length;
    if (next > end) {
      // broke at spaces: the next word did not fit on this part
      assert.ok(utf8Length(text.slice(at[i], wordEnd)) > max, `a word boundary break at ${end} was needed`);
    } else {
      // mid-word: only when the word is longer than a part, and the part holds no later space
      const wordStart = text.lastIndexOf(' ', end - 1) + 1;
      assert.ok(utf8Length(text.slice(wordStart, wordEnd)) > max, 'mid-word only for a word longer than a part');
      assert.ok(wordStart <= at[i]! || text.slice(at[i], wordStart).trim() === '' , 'a mid-word part starts its word');
      // between graphemes unless that grapheme alone is longer than a part
      const boundaries = new Set<number>();
      let big = false;
      for (const g of segmenter.segment(text)) {
        boundaries.add(g.index);
        if (g.index < end && end < g.index + g.segment.length && utf8Length(g.segment) > max) big = true;
      }
      assert.ok(boundaries.has(end) || big, `cut at ${end} lies between graphemes`);
    }
  }
}

test('splitMessage: parts fit, break at spaces, never start with one, keep every word (property)', () => {
  fc.assert(fc.property(sentence, fc.integer({ min: -3, max: 120 }), (text, max) => check(text, max)), { numRuns: 400 });
});

test('splitMessage: any string and any budget terminates with well-formed parts that fit (property)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: -10, max: 64 }), (text, max) => {
      const parts = splitMessage(text, max);
      const limit = Math.max(MIN_PART_BYTES, max);
      for (const p of parts) assert.ok(utf8Length(p) <= limit && wellFormed(p) && p !== '');
      assert.equal(parts.join('').replace(/ /g, ''), text.replace(/ /g, ''), 'every non-space character is kept, in order');
    }),
    { numRuns: 400 },
  );
});

test('a 2,000-character paste is split on word boundaries with no leading space', () => {
  const words = Array.from({ length: 400 }, (_, i) => `word${i}`);
  const paste = words.join(' ').slice(0, 2000);
  const parts = splitMessage(paste, 400);
  assert.ok(parts.length >= 5);
  for (const p of parts) {
    assert.ok(utf8Length(p) <= 400);
    assert.ok(!p.startsWith(' ') && !p.endsWith(' '));
  }
  assert.equal(parts.join(' '), paste, 'rejoined with one space each, nothing is lost or cut');
});

test('a word longer than a part is cut, between graphemes; one huge grapheme between code points', () => {
  assert.deepEqual(splitMessage('aaaaaaaaaa', 4), ['aaaa', 'aaaa', 'aa']);
  assert.deepEqual(splitMessage('hi 👩‍👩‍👧👩‍👩‍👧', 20), ['hi', '👩‍👩‍👧', '👩‍👩‍👧']);
  const zalgo = 'e' + '\u0301'.repeat(10); // one grapheme of 21 bytes
  const parts = splitMessage(zalgo, 8);
  assert.equal(parts.join(''), zalgo);
  for (const p of parts) assert.ok(utf8Length(p) <= 8);
});

test('a budget of zero or less still advances (floored at one code point)', () => {
  assert.deepEqual(splitMessage('ab😀', 0), ['ab', '😀']);
  assert.deepEqual(splitMessage('abc', -100), ['abc']);
  assert.deepEqual(splitMessage('abcdefgh', Number.NaN), ['abcd', 'efgh']);
});

test('splitLines drops blank lines and splits each line', () => {
  assert.deepEqual(splitLines('one\r\n\n  \ntwo three', 5), ['one', 'two', 'three']);
  assert.deepEqual(splitLines('', 100), []);
});

test('the plain dialect splits a 2,000-character paste with the same splitter: word boundaries, no leading space', async () => {
  const { splitText } = await import('../../../src/dialects/plain.js');
  const paste = Array.from({ length: 300 }, (_, i) => `paste${i}`).join(' ').slice(0, 2000).trimEnd();
  const parts = splitText(paste, 400);
  assert.deepEqual(parts, splitMessage(paste, 400));
  assert.ok(parts.every((p) => !p.startsWith(' ') && utf8Length(p) <= 400));
  assert.equal(parts.join(' '), paste);
});
