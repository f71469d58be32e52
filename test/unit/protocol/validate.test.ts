// Unit tests for nick/channel/username/hostname syntax checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidNick, isValidChannelName, isValidUsername, isValidHostname } from '../../../src/protocol/validate.js';

test('isValidNick', () => {
  for (const n of ['bob', 'Bob_', '[x]', '`q', '^^', '{a}|b', 'a-1', 'x'.repeat(9)]) assert.ok(isValidNick(n, 9), n);
  for (const n of ['', '1bob', '-bob', '#bob', '&bob', ':bob', 'bo b', 'bo,b', 'bøb', 'bob!', 'b@b', 'x'.repeat(10), 'a.b'])
    assert.equal(isValidNick(n, 9), false, n);
});

test('isValidChannelName', () => {
  for (const c of ['#a', '&local', '#chän', '#a:b', '#' + 'x'.repeat(49)]) assert.ok(isValidChannelName(c, 50), c);
  for (const c of ['#', '', 'chan', '+chan', '#a b', '#a,b', '#a\x07', '#a\0', '#a\r', '#a\n', '#' + 'x'.repeat(50), '#' + 'é'.repeat(25)])
    assert.equal(isValidChannelName(c, 50), false, JSON.stringify(c));
});

test('isValidUsername', () => {
  for (const u of ['bob', '~bob', 'a.b-c_d']) assert.ok(isValidUsername(u), u);
  for (const u of ['', 'a b', 'a@b', 'a!b', ':a', 'a\0', 'é']) assert.equal(isValidUsername(u), false, JSON.stringify(u));
  assert.equal(isValidUsername('abcdef', 5), false);
  assert.ok(isValidUsername('abcde', 5));
});

test('isValidHostname', () => {
  assert.ok(isValidHostname('irc.example.com'));
  assert.equal(isValidHostname('a..b'), false);
  assert.equal(isValidHostname('a-.b'), false);
  assert.equal(isValidHostname('x'.repeat(64) + '.com'), false);
});
