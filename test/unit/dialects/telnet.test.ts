import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTelnetFilter } from '../../../src/dialects/telnet.js';

const IAC = 255;

test('negotiation (WILL/WONT/DO/DONT), subnegotiation and 2-byte commands are stripped', () => {
  const f = createTelnetFilter();
  const input = Buffer.from([
    IAC, 253, 1, // DO ECHO
    ...Buffer.from('hi'),
    IAC, 251, 31, // WILL NAWS
    IAC, 250, 31, 0, 80, 0, 24, IAC, 240, // SB NAWS ... SE
    ...Buffer.from(' there'),
    IAC, 241, // NOP
    13, 0, // CR NUL
    10,
  ]);
  assert.equal(f(input).toString('latin1'), 'hi there\r\n');
});

test('a command split across chunks is still removed whole', () => {
  const f = createTelnetFilter();
  const parts = [[...Buffer.from('ab'), IAC], [251], [24, ...Buffer.from('cd')], [IAC, 250, 24], [1, 2, IAC], [240, ...Buffer.from('e')]];
  const out = parts.map((p) => f(Buffer.from(p)).toString('latin1')).join('');
  assert.equal(out, 'abcde');
});

test('IAC IAC is a literal 0xFF byte; plain text passes through untouched (same buffer)', () => {
  const f = createTelnetFilter();
  assert.deepEqual([...f(Buffer.from([0x61, IAC, IAC, 0x62]))], [0x61, IAC, 0x62]);
  const plain = Buffer.from('nothing to do\n');
  assert.equal(f(plain), plain);
});
