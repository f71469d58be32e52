/** The browser client's text helpers: safe links, colours, times; and the shared text toolkit as the browser uses it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collapseEvents, linkify, NICK_COLOURS, nickColourClass, roomColours, timeLabel } from '../../../src/clients/web/format.js';
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
  assert.match(nickColourClass('bob'), /^n(\d|1[0-5])$/);
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

test('nick colours: a room of up to 16 people never shares a colour, and each keeps its own when free', () => {
  const names = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil'];
  const m = roomColours(names);
  assert.equal(new Set(m.values()).size, NICK_COLOURS);
  // alphabetically first always has its own colour; case does not matter
  assert.equal(m.get('alice'), nickColourClass('Alice'));
  assert.equal(roomColours(['Bob', 'BOB', 'bob']).size, 1);
  // the hash spreads similar nicks: guest1..guest40 use most of the palette on their own
  const own = new Set(Array.from({ length: 40 }, (_, i) => nickColourClass(`guest${i + 1}`)));
  assert.ok(own.size >= 13, `${own.size} colours for 40 similar nicks`);
});

test('collapseEvents: runs of 3+ replayed joins/quits become one entry, live events and messages stay', () => {
  const ev = (kind: string, history = true) => ({ kind, history });
  const msg = { kind: 'message', history: true };
  const lines = [ev('join'), ev('quit'), ev('join'), msg, ev('join'), ev('part'), ev('join', false), ev('join', false), ev('join', false)];
  const out = collapseEvents(lines);
  assert.equal(out.length, 1 + 1 + 2 + 3);
  assert.deepEqual(out[0], { run: lines.slice(0, 3) });
  assert.equal(out[1], msg);
  assert.equal(out[2], lines[4], 'a run of two stays as it is');
  assert.ok(out.slice(4).every((x) => !('run' in x)), 'live joins are never folded');
});
