// Unit tests for serialize() and the byte-budget helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serialize,
  serializeParts,
  SerializeError,
  truncateUtf8,
  maxTrailingBytes,
} from '../../../src/protocol/serialize.js';
import { parse } from '../../../src/protocol/parse.js';
import { utf8Length } from '../../../src/protocol/limits.js';
import type { IrcMessage } from '../../../src/protocol/message.js';

const msg = (command: string, params: string[], source: string | null = null, tags: Map<string, string> | null = null): IrcMessage => ({
  tags,
  source,
  command,
  params,
});

test('serializes with ":" only where needed', () => {
  assert.equal(serialize(msg('PRIVMSG', ['#c', 'hi'])), 'PRIVMSG #c hi');
  assert.equal(serialize(msg('PRIVMSG', ['#c', 'hi there'])), 'PRIVMSG #c :hi there');
  assert.equal(serialize(msg('PRIVMSG', ['#c', ':)'])), 'PRIVMSG #c ::)');
  assert.equal(serialize(msg('AWAY', [''], 'n!u@h')), ':n!u@h AWAY :');
  assert.equal(serialize(msg('PING', [])), 'PING');
  assert.equal(serialize(msg('001', ['nick', 'Welcome'], 'irc.example')), ':irc.example 001 nick Welcome');
  assert.equal(
    serialize(msg('TAGMSG', ['#c'], null, new Map([['+typing', 'active'], ['a', ''], ['b', 'x y;z']]))),
    '@+typing=active;a;b=x\\sy\\:z TAGMSG #c',
  );
  assert.equal(serialize(msg('PING', ['x'], null, new Map())), 'PING x');
});

test('serializeParts matches serialize', () => {
  assert.equal(serializeParts('', null, 'PRIVMSG', ['#c', 'a b']), 'PRIVMSG #c :a b');
  assert.equal(serializeParts('t=1', 's', 'X', []), '@t=1 :s X');
});

test('rejects invalid messages', () => {
  const bad: [string, IrcMessage][] = [
    ['empty command', msg('', [])],
    ['command with space', msg('PRIV MSG', [])],
    ['2-digit numeric', msg('01', [])],
    ['mixed command', msg('A1', [])],
    ['empty middle', msg('X', ['', 'a'])],
    ['middle with space', msg('X', ['a b', 'c'])],
    ['middle starting with :', msg('X', [':a', 'c'])],
    ['CR in last', msg('X', ['a\rb'])],
    ['LF in middle', msg('X', ['a\nb', 'c'])],
    ['NUL in last', msg('X', ['a\0'])],
    ['CR in source', msg('X', [], 'a\rb')],
    ['LF in source', msg('X', [], 'a\nb')],
    ['NUL in source', msg('X', [], 'a\0')],
    ['space in source', msg('X', [], 'a b')],
    ['empty source', msg('X', [], '')],
    ['bad tag key', msg('X', [], null, new Map([['a b', '1']]))],
    ['empty tag key', msg('X', [], null, new Map([['', '1']]))],
    ['NUL in tag value', msg('X', [], null, new Map([['a', '\0']]))],
  ];
  for (const [why, m] of bad) assert.throws(() => serialize(m), SerializeError, why);
});

test('CR/LF in tag values are escaped, not rejected', () => {
  assert.equal(serialize(msg('X', [], null, new Map([['a', 'l1\r\nl2']]))), '@a=l1\\r\\nl2 X');
});

test('truncateUtf8 cuts at code point boundaries', () => {
  assert.equal(truncateUtf8('hello', 3), 'hel');
  assert.equal(truncateUtf8('hello', 10), 'hello');
  assert.equal(truncateUtf8('éé', 3), 'é');
  assert.equal(truncateUtf8('a😀b', 4), 'a');
  assert.equal(truncateUtf8('a😀b', 5), 'a😀');
  assert.equal(truncateUtf8('€€', 5), '€');
  assert.equal(truncateUtf8('abc', 0), '');
  assert.equal(truncateUtf8('a\uD800b', 4), 'a\uD800'); // lone surrogate = 3 bytes
});

test('maxTrailingBytes fills the body to exactly 512 bytes with CRLF', () => {
  const source = 'nick!user@host.example';
  const mids = ['#chän'];
  const n = maxTrailingBytes(source, 'PRIVMSG', mids);
  assert.equal(n, 512 - 2 - (utf8Length(source) + 2) - 7 - (utf8Length('#chän') + 1) - 2);
  const text = 'a b' + 'x'.repeat(n - 3);
  const line = serializeParts('', source, 'PRIVMSG', [...mids, text]);
  assert.equal(utf8Length(line) + 2, 512);
  assert.ok(parse(line).ok);
  const over = serializeParts('', source, 'PRIVMSG', [...mids, text + 'x']);
  assert.equal(parse(over).ok, false);
  assert.equal(maxTrailingBytes('x'.repeat(600), 'X', []), 0);
  assert.equal(maxTrailingBytes(null, 'PING', []), 512 - 2 - 4 - 2);
});
