/** The browser client's text helpers: safe links, colours, times; and the shared text toolkit as the browser uses it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkify, nickColourClass, timeLabel } from '../../../src/clients/web/format.js';
import { mentions, stripFormatting } from '../../../src/text/index.js';
import { foldCase } from '../../../src/protocol/index.js';

test('stripFormatting removes bold, colours (with numbers), hex colours and resets, keeps the text', () => {
  assert.equal(stripFormatting('\x02bold\x02 \x0304,12red\x03 \x0399x \x04ff0000hex\x0f end'), 'bold red x hex end');
  assert.equal(stripFormatting('1,2 \x031,2,3'), '1,2 ,3');
});

test('linkify makes only http(s) and www links clickable, trims sentence punctuation', () => {
  assert.deepEqual(linkify('see https://example.com/a_(b). ok'), [
    { text: 'see ' },
    { text: 'https://example.com/a_(b)', href: 'https://example.com/a_(b)' },
    { text: '. ok' },
  ]);
  assert.deepEqual(linkify('www.example.org,'), [{ text: 'www.example.org', href: 'http://www.example.org' }, { text: ',' }]);
  for (const bad of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'file:///etc/passwd']) {
    assert.ok(linkify(bad).every((s) => s.href === undefined), `${bad} is not a link`);
  }
});

test('nick colours are stable and ignore case', () => {
  assert.equal(nickColourClass('Alice'), nickColourClass('alice'));
  assert.match(nickColourClass('bob'), /^n(\d|1[01])$/);
  const classes = new Set(['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'].map(nickColourClass));
  assert.ok(classes.size > 1, 'different people get different colours');
});

test('timeLabel: time today, weekday this week, full date before', () => {
  const now = new Date(2026, 10, 24, 15, 0).getTime();
  assert.equal(timeLabel(new Date(2026, 10, 24, 9, 5).getTime(), now), '09:05');
  assert.match(timeLabel(new Date(2026, 10, 22, 9, 5).getTime(), now), /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) 09:05$/);
  assert.equal(timeLabel(new Date(2026, 0, 2, 9, 5).getTime(), now), '2026-01-02 09:05');
});

test('mentions: whole nick only, case-insensitive under the casemapping', () => {
  const fold = (s: string): string => foldCase(s, 'rfc1459');
  assert.equal(mentions('hey Alice, lunch?', 'alice', fold), true);
  assert.equal(mentions('alicewonder is here', 'alice', fold), false);
  assert.equal(mentions('ping x[bob]', '[bob]', fold), false, 'part of a longer nick');
  assert.equal(mentions('ping [bob]_', '[bob]', fold), false, 'underscore is a nick character');
  assert.equal(mentions('ping {bob}', '[BOB]', fold), true, 'rfc1459 folds [ to {');
  assert.equal(mentions('anything', '', fold), false);
});
