import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detect, DETECT_MAX_BYTES } from '../../../src/transports/detect.js';

const d = (s: string | number[], final = false) => detect(typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s), { final });

test('IRC openers (what real clients send first) are IRC, on the first chunk', () => {
  for (const first of [
    'CAP LS 302\r\n',
    'CAP LS\r\nNICK alice\r\nUSER alice 0 * :Alice\r\n',
    'NICK alice\r\n',
    'NICK :alice\n',
    'USER alice 0 * :Alice Liddell\r\n',
    'PASS hunter2\r\nNICK a\r\n',
    'PING :tincan\r\n',
    'QUIT\r\n',
    'nick bob\n', // typed by hand in netcat: IRC, case-insensitive
    ':alice NICK alice\r\n',
    '@label=1 CAP LS 302\r\n',
    '@a=b :src NICK x\r\n',
    'WEBIRC pw gateway host 1.2.3.4\r\n',
  ]) {
    assert.equal(d(first), 'irc', first);
  }
});

test('HTTP request lines are HTTP', () => {
  assert.equal(d('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'http');
  assert.equal(d('HEAD /index.html HTTP/1.0\r\n'), 'http');
  assert.equal(d('GET /irc HTTP/1.1\r\nUpgrade: websocket\r\n'), 'http');
  assert.equal(d('PRI * HTTP/2.0\r\n'), 'http');
  assert.equal(d('get / http/1.1\r\n'), 'plain', 'methods are case-sensitive');
  assert.equal(d('GET out of here\n'), 'plain');
});

test('chat text is plain, at once when it cannot become an opener', () => {
  assert.equal(d('Your message'), 'plain', "the lesson's sendall(b'Your message'), no newline");
  assert.equal(d('hello everyone\n'), 'plain');
  assert.equal(d('Pass me the salt\n'), 'plain', 'PASS with the wrong shape');
  assert.equal(d('user here?\n'), 'plain');
  assert.equal(d('quit it you two\n'), 'plain');
  assert.equal(d('ping me later\n'), 'plain');
  assert.equal(d(':) hi\n'), 'plain', "':' then not an IRC opener");
  assert.equal(d('\n'), 'plain', 'an empty first line');
  assert.equal(d('\r\nNICK a\r\n'), 'plain');
  assert.equal(d('héllo\n'), 'plain', 'non-ASCII');
  assert.equal(d([0xff, 0xfd, 0x01]), 'plain', 'telnet negotiation');
  assert.equal(d([0x01, 0x02]), 'plain', 'control bytes');
  assert.equal(d('X'), 'plain');
});

test('an unfinished first line that could still be an opener waits for more', () => {
  for (const partial of ['C', 'CA', 'CAP', 'CAP L', 'NICK ali', 'n', 'G', 'GET / HTT', '@', '@label=x', ':', ':irc.example', 'P']) {
    assert.equal(d(partial), 'need-more', partial);
  }
  assert.equal(d(''), 'need-more');
  assert.equal(d([0x16]), 'need-more');
});

test('with final (silence, end of stream, size cap) it always decides', () => {
  assert.equal(d('', true), 'plain', 'a silent listener');
  assert.equal(d('NICK alice', true), 'irc', 'a complete opener without its line end');
  assert.equal(d('P', true), 'plain');
  assert.equal(d('CAP L', true), 'plain');
  assert.equal(d([0x16], true), 'plain');
  const huge = Buffer.alloc(DETECT_MAX_BYTES, 'a'.charCodeAt(0));
  huge[0] = '@'.charCodeAt(0);
  assert.notEqual(detect(huge, { final: true }), 'need-more');
});

test('a TLS ClientHello is tls', () => {
  assert.equal(d([0x16, 0x03, 0x01, 0x02, 0x00]), 'tls');
  assert.equal(d([0x16, 0x03]), 'tls');
});

test('anything shaped like an HTTP request line is HTTP, never chat (odd methods, NUL)', () => {
  for (const req of [
    'get / HTTP/1.1\r\nHost: x\r\n\r\n', // lowercase method: the HTTP side answers 400
    'FOO / HTTP/1.1\r\n',
    'BREW /pot HTTP/1.1\r\n',
    'get http://example.org/ HTTP/1.1\r\n',
    'FOO * HTTP/1.1\r\n',
    'FOO host:443 HTTP/1.1\r\n',
    'GET /\0 HTTP/1.1\r\n', // NUL in the target
    'GET / HTTP/1.1\0\r\n', // NUL after the version
    'G\0ET / HTTP/1.1\r\n', // NUL in a known method
    'GET /caf\xe9 HTTP/1.1\r\n', // non-ASCII target
  ]) {
    assert.equal(detect(Buffer.from(req, 'latin1')), 'http', JSON.stringify(req));
  }
  // NUL in an unfinished request line waits for the line end
  assert.equal(detect(Buffer.from('GET /\0', 'latin1')), 'need-more');
  assert.equal(detect(Buffer.from('GET /\0', 'latin1'), { final: true }), 'plain');
  // sentences that mention HTTP stay chat
  for (const chat of ['I love HTTP/2\n', 'we use HTTP/1.1\n', 'get me a HTTP/1.1 book\n', 'hi /me HTTP/1.1 x\n', 'GET /\0 no version\n']) {
    assert.equal(detect(Buffer.from(chat, 'latin1')), 'plain', chat);
  }
});
