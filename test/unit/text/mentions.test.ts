/** mentions: whole words, Unicode-aware boundaries, the server's casemapping. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mentionRanges, mentions } from '../../../src/text/index.js';
import { casefolder } from '../../../src/protocol/index.js';

test('a nick is found as a whole word, case-folded by the casemapping', () => {
  assert.ok(mentions('hey Alice, look', 'alice'));
  assert.ok(mentions('alice: hi', 'ALICE'));
  assert.ok(mentions("alice's cat", 'alice'));
  assert.ok(!mentions('malice aforethought', 'alice'));
  assert.ok(!mentions('alice_ is not me', 'alice'));
  // rfc1459: [ and { are the same letter; ascii keeps them apart
  assert.ok(mentions('hi {dan}', '[dan]', 'rfc1459'));
  assert.ok(!mentions('hi {dan}', '[dan]', 'ascii'));
  assert.ok(mentions('hi {dan}', '{DAN}', casefolder('ascii')));
});

test('word boundaries are Unicode-aware: letters of any script join the word', () => {
  assert.ok(!mentions('éalice', 'alice'), 'an accented letter before the nick');
  assert.ok(!mentions('aliceñ', 'alice'));
  assert.ok(!mentions('alice\u0301', 'alice'), 'a combining mark continues the word');
  assert.ok(!mentions('中alice', 'alice'), 'a CJK letter joins the word');
  assert.ok(mentions('«alice»', 'alice'));
  assert.ok(mentions('😀alice😀', 'alice'), 'an emoji is not a letter');
  assert.ok(!mentions('𝒜alice', 'alice'), 'an astral letter (surrogate pair) joins the word');
});

test('formatting codes around or inside the text do not hide a mention', () => {
  assert.ok(mentions('\x02alice\x02: hi', 'alice'));
  assert.ok(mentions('\x0304alice\x03 hi', 'alice'), 'the colour number is not part of the word');
});

test('mentionRanges gives every occurrence, and an empty nick is never mentioned', () => {
  assert.deepEqual(mentionRanges('bob, bob!', 'bob'), [[0, 3], [5, 8]]);
  assert.deepEqual(mentionRanges('anything', ''), []);
});

test('a nick surrounded by non-word characters is always found (property)', () => {
  const nick = fc.stringMatching(/^[A-Za-z[\]\\`^{}|_][A-Za-z0-9[\]\\`^{}|_-]{0,15}$/);
  const sep = fc.constantFrom(' ', ', ', ': ', '!', '"', '(', ')', '😀', '。', '');
  fc.assert(
    fc.property(nick, sep, sep, fc.string({ maxLength: 20 }), (n, a, b, tail) => {
      const text = `x${a === '' ? ' ' : a}${n.toUpperCase()}${b === '' ? ' ' : b}${' ' + tail}`;
      assert.ok(mentions(text, n, 'rfc1459'), JSON.stringify(text));
    }),
  );
  fc.assert(
    fc.property(nick, fc.constantFrom('a', 'é', '中', '9', '_', 'ж'), (n, letter) => {
      assert.ok(!mentionRanges(`${letter}${n}${letter}`, n).some(([s]) => s === 1), 'not inside a word');
    }),
  );
});
