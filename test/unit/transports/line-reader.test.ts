import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineReader } from '../../../src/transports/line-reader.js';

function collect(maxBytes = 100) {
  const events: string[] = [];
  const r = new LineReader(maxBytes, {
    line: (l) => events.push(`L:${l}`),
    tooLong: () => events.push('TOO_LONG'),
  });
  return { r, events };
}

test('LF, CRLF and bare CR all end lines; empty lines skipped', () => {
  const { r, events } = collect();
  r.push(Buffer.from('one\ntwo\r\nthree\rfour\n\n\r\n\r\rfive\r\n'));
  assert.deepEqual(events, ['L:one', 'L:two', 'L:three', 'L:four', 'L:five']);
});

test('lines split across chunks, including CR | LF across the boundary', () => {
  const { r, events } = collect();
  r.push(Buffer.from('NI'));
  r.push(Buffer.from('CK alice\r'));
  assert.deepEqual(events, ['L:NICK alice']);
  r.push(Buffer.from('\nUSER a 0 * :A'));
  r.push(Buffer.from('lice'));
  assert.deepEqual(events, ['L:NICK alice']);
  r.push(Buffer.from('\r\n'));
  assert.deepEqual(events, ['L:NICK alice', 'L:USER a 0 * :Alice']);
});

test('byte-by-byte feeding gives the same lines, multibyte UTF-8 intact', () => {
  const { r, events } = collect();
  const text = 'héllo wörld ☃ 😀\r\nsecond\n';
  for (const b of Buffer.from(text)) r.push(Buffer.from([b]));
  assert.deepEqual(events, ['L:héllo wörld ☃ 😀', 'L:second']);
  assert.equal(r.bufferedBytes, 0);
});

test('invalid UTF-8 is replaced with U+FFFD, never throws', () => {
  const { r, events } = collect();
  r.push(Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a, 0xc3, 0x0a]));
  assert.deepEqual(events, ['L:a\uFFFD\uFFFDb', 'L:\uFFFD']);
});

test('an over-long line within one chunk is reported once and skipped', () => {
  const { r, events } = collect(10);
  r.push(Buffer.from('short\n' + 'x'.repeat(11) + '\nafter\n'));
  assert.deepEqual(events, ['L:short', 'TOO_LONG', 'L:after']);
});

test('exactly maxBytes is fine, maxBytes+1 is too long', () => {
  const { r, events } = collect(5);
  r.push(Buffer.from('12345\n123456\n'));
  assert.deepEqual(events, ['L:12345', 'TOO_LONG']);
});

test('an over-long line across many chunks: reported once, bounded buffer, then recovery', () => {
  const { r, events } = collect(16);
  r.push(Buffer.from('ok\nAAAAAAAAAA'));
  assert.equal(r.bufferedBytes, 10);
  for (let i = 0; i < 100; i++) {
    r.push(Buffer.from('AAAAAAAAAA'));
    assert.ok(r.bufferedBytes <= 16, `buffered ${r.bufferedBytes}`);
  }
  assert.deepEqual(events, ['L:ok', 'TOO_LONG']);
  r.push(Buffer.from('AAAA\r\nnext line\n'));
  assert.deepEqual(events, ['L:ok', 'TOO_LONG', 'L:next line']);
});

test('partial carried over then completed beyond the limit counts as too long', () => {
  const { r, events } = collect(8);
  r.push(Buffer.from('abcdef'));
  r.push(Buffer.from('ghi\nok\n'));
  assert.deepEqual(events, ['TOO_LONG', 'L:ok']);
});

test('many lines in one chunk (no quadratic rescans)', () => {
  const { r, events } = collect(512);
  const n = 50_000;
  const chunk = Buffer.from('PRIVMSG #c :hello there\n'.repeat(n));
  const t0 = performance.now();
  r.push(chunk);
  const ms = performance.now() - t0;
  assert.equal(events.length, n);
  assert.ok(ms < 1000, `took ${ms}ms`);
});

test('rejects a bad maxBytes', () => {
  assert.throws(() => new LineReader(0, { line() {}, tooLong() {} }), /maxBytes/);
});

test('markInvalidUtf8: a line that is not valid UTF-8 is marked (joined, single-chunk and flushed); valid lines and a real U+FFFD are not', async () => {
  const { INVALID_UTF8_MARK } = await import('../../../src/transports/line-reader.js');
  const events: string[] = [];
  const r = new LineReader(100, { line: (l) => events.push(l), tooLong: () => events.push('TOO_LONG') }, { markInvalidUtf8: true });
  r.push(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "caf\xe9" in Latin-1
  r.push(Buffer.from('Işıl \ufffd ok\n', 'utf8'));
  r.push(Buffer.from([0xc4])); // the first half of 'İ' ... then a line end: truncated sequence
  r.push(Buffer.from('\n'));
  r.push(Buffer.from([0xc4]));
  r.push(Buffer.from([0xb0, 0x0a])); // 'İ' split across chunks is valid
  r.push(Buffer.from([0xff]));
  r.flush();
  assert.deepEqual(events, [INVALID_UTF8_MARK + 'caf\ufffd', 'Işıl \ufffd ok', INVALID_UTF8_MARK + '\ufffd', 'İ', INVALID_UTF8_MARK + '\ufffd']);
  const plain = collect();
  plain.r.push(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
  assert.deepEqual(plain.events, ['L:caf\ufffd'], 'without the option (plain users): replaced, not marked');
});
