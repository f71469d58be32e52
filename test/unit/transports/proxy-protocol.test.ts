import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTrustedProxy, looksLikeProxyHeader, parseProxyHeader, V2_MAX_BYTES, V2_SIGNATURE } from '../../../src/transports/proxy-protocol.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** A v2 header: command (0 LOCAL, 1 PROXY), family byte, address block. */
function v2(cmd: number, fam: number, block: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h[0] = 0x20 | cmd;
  h[1] = fam;
  h.writeUInt16BE(block.length, 2);
  return Buffer.concat([V2_SIGNATURE, h, block]);
}

test('v1 TCP4, TCP6 and UNKNOWN; the bytes after the header are left', () => {
  const four = b('PROXY TCP4 203.0.113.9 192.0.2.1 51234 6667\r\nNICK a\r\n');
  assert.deepEqual(parseProxyHeader(four), { kind: 'ok', version: 1, source: { address: '203.0.113.9', port: 51234 }, length: 45 });
  assert.equal(four.subarray(45).toString(), 'NICK a\r\n');
  assert.deepEqual(parseProxyHeader(b('PROXY TCP6 2001:db8:0:0:0:0:0:1 2001:db8::2 443 6667\r\n')), {
    kind: 'ok',
    version: 1,
    source: { address: '2001:db8::1', port: 443 },
    length: 54,
  });
  assert.deepEqual(parseProxyHeader(b('PROXY UNKNOWN\r\n')), { kind: 'ok', version: 1, source: null, length: 15 });
  assert.deepEqual(parseProxyHeader(b('PROXY UNKNOWN ffff:f...f:ffff 1 2\r\n')), { kind: 'ok', version: 1, source: null, length: 35 });
});

test('v1: truncated waits, over 107 bytes or malformed is an error', () => {
  for (const part of ['P', 'PROXY', 'PROXY TCP4 203.0.113.9 192.0.2.1 5123', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r']) {
    assert.deepEqual(parseProxyHeader(b(part)), { kind: 'need-more' }, part);
  }
  assert.deepEqual(parseProxyHeader(b('PROXY UNKNOWN ' + 'x'.repeat(100))), { kind: 'error', reason: 'PROXY v1 line longer than 107 bytes' });
  assert.deepEqual(parseProxyHeader(b('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n')), { kind: 'error', reason: 'PROXY v1 line not ended by CRLF' });
  assert.deepEqual(parseProxyHeader(b('PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n')), { kind: 'error', reason: 'malformed PROXY v1 line' });
  assert.deepEqual(parseProxyHeader(b('PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n')), { kind: 'error', reason: 'malformed PROXY v1 line' });
  for (const bad of ['PROXY TCP4 1.2.3.999 5.6.7.8 1 2\r\n', 'PROXY TCP4 ::1 5.6.7.8 1 2\r\n', 'PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n', 'PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n', 'PROXY TCP6 1.2.3.4 ::1 1 2\r\n']) {
    assert.deepEqual(parseProxyHeader(b(bad)), { kind: 'error', reason: 'malformed PROXY v1 addresses' }, bad);
  }
});

test('v2 IPv4, IPv6 (with a TLV after the addresses) and LOCAL', () => {
  const four = Buffer.from([203, 0, 113, 9, 192, 0, 2, 1, 0xc8, 0x22, 0x1a, 0x0b]);
  const h4 = Buffer.concat([v2(1, 0x11, four), b('CAP LS 302\r\n')]);
  assert.deepEqual(parseProxyHeader(h4), { kind: 'ok', version: 2, source: { address: '203.0.113.9', port: 0xc822 }, length: 28 });
  const six = Buffer.alloc(36 + 5);
  Buffer.from([0x20, 0x01, 0x0d, 0xb8]).copy(six, 0);
  six[15] = 7; // 2001:db8::7
  six[31] = 1;
  six.writeUInt16BE(4242, 32);
  six.writeUInt16BE(6667, 34);
  Buffer.from([0x04, 0x00, 0x02, 0xab, 0xcd]).copy(six, 36); // a NOOP TLV
  assert.deepEqual(parseProxyHeader(v2(1, 0x21, six)), { kind: 'ok', version: 2, source: { address: '2001:db8::7', port: 4242 }, length: 16 + 41 });
  assert.deepEqual(parseProxyHeader(v2(0, 0x00, Buffer.alloc(0))), { kind: 'ok', version: 2, source: null, length: 16 });
  assert.deepEqual(parseProxyHeader(v2(1, 0x00, Buffer.alloc(0))), { kind: 'ok', version: 2, source: null, length: 16 }, 'AF_UNSPEC');
  // IPv4-mapped IPv6 becomes the IPv4 address
  const mapped = Buffer.alloc(36);
  mapped.writeUInt16BE(0xffff, 10);
  Buffer.from([10, 1, 2, 3]).copy(mapped, 12);
  assert.deepEqual(parseProxyHeader(v2(1, 0x21, mapped)).kind === 'ok' && parseProxyHeader(v2(1, 0x21, mapped)), { kind: 'ok', version: 2, source: { address: '10.1.2.3', port: 0 }, length: 52 });
});

test('v2: truncated waits; a bad version, command, length or short block is an error', () => {
  const full = v2(1, 0x11, Buffer.alloc(12));
  for (let i = 1; i < full.length; i++) assert.deepEqual(parseProxyHeader(full.subarray(0, i)), { kind: 'need-more' }, `first ${i} bytes`);
  const badVer = Buffer.from(full);
  badVer[12] = 0x11;
  assert.deepEqual(parseProxyHeader(badVer), { kind: 'error', reason: 'unsupported PROXY v2 version' });
  const badCmd = Buffer.from(full);
  badCmd[12] = 0x22;
  assert.deepEqual(parseProxyHeader(badCmd), { kind: 'error', reason: 'unknown PROXY v2 command' });
  const huge = Buffer.from(full);
  huge.writeUInt16BE(0xffff, 14);
  assert.deepEqual(parseProxyHeader(huge), { kind: 'error', reason: `PROXY v2 header longer than ${V2_MAX_BYTES} bytes` }, 'checked before waiting for the bytes');
  assert.deepEqual(parseProxyHeader(v2(1, 0x11, Buffer.alloc(8))), { kind: 'error', reason: 'PROXY v2 IPv4 block too short' });
  assert.deepEqual(parseProxyHeader(v2(1, 0x21, Buffer.alloc(12))), { kind: 'error', reason: 'PROXY v2 IPv6 block too short' });
});

test('garbage and ordinary first lines are not PROXY headers', () => {
  for (const s of ['NICK alice\r\n', 'GET / HTTP/1.1\r\n', 'hello\n', 'proxy tcp4 1.2.3.4\r\n', 'PROXYTCP4\r\n']) {
    assert.deepEqual(parseProxyHeader(b(s)), { kind: 'none' }, s);
    assert.equal(looksLikeProxyHeader(b(s)), false, s);
  }
  // a bare CRLF could still become the v2 signature (from a trusted proxy it waits); not a header yet
  assert.deepEqual(parseProxyHeader(b('\r\n')), { kind: 'need-more' });
  assert.equal(looksLikeProxyHeader(b('\r\n')), false, "a telnet user's first Enter");
  assert.deepEqual(parseProxyHeader(Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0b])), { kind: 'none' });
  assert.equal(looksLikeProxyHeader(b('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n')), true);
  assert.equal(looksLikeProxyHeader(b('PROXY UNKNOWN\r\n')), true);
  assert.equal(looksLikeProxyHeader(v2(0, 0, Buffer.alloc(0))), true);
  assert.equal(looksLikeProxyHeader(b('PROXY is a word\r\n')), false);
});

test('trusted proxies: CIDR list, empty by default', () => {
  assert.equal(isTrustedProxy('127.0.0.1', []), false);
  const list = Object.freeze(['127.0.0.1/32', 'fd00::/8']);
  assert.equal(isTrustedProxy('127.0.0.1', list), true);
  assert.equal(isTrustedProxy('::ffff:127.0.0.1', list), true);
  assert.equal(isTrustedProxy('fd12::1', list), true);
  assert.equal(isTrustedProxy('127.0.0.2', list), false);
});
