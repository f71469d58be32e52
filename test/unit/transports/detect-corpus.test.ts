/**
 * The detector against what real clients send first and what people type into netcat.
 * Client openers: from each client's source / docs (irssi, WeeChat, HexChat, irc-framework,
 * Kiwi IRC via webircgateway, gamja, The Lounge, mIRC, python `irc`, Limnoria).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detect } from '../../../src/transports/detect.js';
import { harness } from '../../helpers/harness.js';

const CLIENTS: ReadonlyArray<readonly [string, string]> = [
  ['irssi 1.4', 'CAP LS 302\r\nNICK alice\r\nUSER alice alice localhost :Alice\r\n'],
  ['irssi (older, password)', 'CAP LS\r\nPASS hola\r\nNICK dos\r\nUSER apardo apardo 127.0.0.1 :Alberto Pardo\r\n'],
  ['WeeChat', 'CAP LS 302\r\nNICK alice\r\nUSER alice 0 * :Alice\r\n'],
  ['WeeChat (password)', 'PASS secret\r\nCAP LS 302\r\nNICK alice\r\n'],
  ['HexChat', 'CAP LS 302\r\nNICK alice\r\nUSER alice 0 * :realname\r\n'],
  ['irc-framework', 'CAP LS 302\r\nNICK alice\r\nUSER alice 0 * :irc-framework\r\n'],
  ['Kiwi IRC via webircgateway', 'WEBIRC secret webircgateway client.example 203.0.113.7 :secure\r\nCAP LS 302\r\n'],
  ['gamja', 'CAP LS 302\r\nNICK alice\r\nUSER alice 0 * :alice\r\n'],
  ['The Lounge (WEBIRC)', 'WEBIRC pw thelounge host.example 203.0.113.5\r\nCAP LS 302\r\n'],
  ['The Lounge', 'CAP LS 302\r\n'],
  ['mIRC', 'CAP LS 302\r\nNICK alice\r\nUSER alice "" "irc.example" :Alice\r\n'],
  ['mIRC (no CAP)', 'NICK alice\r\nUSER alice "alice" "irc.example" :Alice\r\n'],
  ['python irc (jaraco)', 'NICK bot\r\nUSER bot 0 * :bot\r\n'],
  ['python irc with password', 'PASS pw\r\nNICK bot\r\nUSER bot 0 * :bot\r\n'],
  ['Limnoria', 'CAP LS 302\r\nNICK supybot\r\nUSER limnoria 0 * :Limnoria\r\n'],
  ['a UTF-8 nick', 'NICK Işıl\r\nUSER isil 0 * :Işıl\r\n'],
  ['a UTF-8 nick, Cyrillic', 'NICK Дмитрий\r\n'],
  ['a UTF-8 nick, CJK', 'NICK 小明\n'],
  ['a UTF-8 nick after a source', ':x NICK Işıl\r\n'],
  ['an unknown CAP subcommand', 'CAP NOTACOMMAND\r\n'],
  ['CAP REQ first', 'CAP REQ :sasl message-tags\r\n'],
  ['a UTF-8 realname', 'USER isil 0 * :Işıl Güneş\r\n'],
];

test('every real client opener is IRC, and every shorter prefix of its first line waits (never plain)', () => {
  for (const [who, bytes] of CLIENTS) {
    const buf = Buffer.from(bytes, 'utf8');
    assert.equal(detect(buf), 'irc', who);
    assert.equal(detect(buf, { final: true }), 'irc', who + ' (final)');
    const eol = buf.findIndex((c) => c === 13 || c === 10);
    for (let i = 1; i < eol; i++) assert.equal(detect(buf.subarray(0, i)), 'need-more', `${who}: first ${i} bytes`);
    // an unknown CAP subcommand counts only on a complete line (a cut-off `CAP L` is chat)
    const cut = who === 'an unknown CAP subcommand' ? 'plain' : 'irc';
    assert.equal(detect(buf.subarray(0, eol), { final: true }), cut, `${who}: first line without its end, final`);
  }
});

const SENTENCES: readonly string[] = [
  // English
  'hello everyone',
  'Hello Everyone!',
  'HELLO IS ANYONE THERE',
  'nick is my name',
  'Nick, are you there?',
  'user manual please',
  'User error, sorry',
  'pass me the salt',
  'Pass the butter please',
  'cap is on the table',
  'Cap it at ten',
  'CAP IS OFF',
  'ping me when you are back',
  'Ping everyone here please',
  'quit it you two',
  'Quit smoking today',
  // German
  'Hallo zusammen, wie geht es euch?',
  'nick ist schon vergeben',
  'User ist gerade weg',
  'Pass auf dich auf!',
  'Straße gesperrt',
  // Turkish
  'Merhaba, nasılsınız?',
  'Nick değiştirmek istiyorum lütfen',
  'user adı nedir acaba',
  'İyi günler',
  'ışık yok',
  // French
  'Bonjour à tous',
  'pass ça à Marie',
  'Quit ou double ?',
  'ça va ?',
  // Spanish
  '¿Hola, qué tal?',
  'Ping a todos mañana',
  'user nuevo aquí hoy',
  'Año nuevo',
  // Russian
  'Привет всем',
  'ник занят уже давно',
  'nick занят уже давно',
  // Chinese
  '大家好',
  'user 你好 吗',
  'Nick 在 吗',
  // Arabic
  'مرحبا بالجميع',
  'pass كلمة السر هنا',
];

test('people typing sentences into netcat stay plain, in every language, with or without a line end', () => {
  for (const s of SENTENCES) {
    assert.equal(detect(Buffer.from(s + '\n', 'utf8')), 'plain', s);
    assert.equal(detect(Buffer.from(s + '\r\n', 'utf8')), 'plain', s + ' (CRLF)');
    assert.equal(detect(Buffer.from(s, 'utf8'), { final: true }), 'plain', s + ' (no line end)');
  }
});

test('over IRC, a UTF-8 nick gets 432 (CASEMAPPING folds only ASCII), never a guest nick', async () => {
  const h = harness();
  try {
    const c = h.connect();
    c.recv('NICK Işıl');
    c.recv('USER isil 0 * :Işıl');
    const got = c.take();
    assert.deepEqual(got, [':test.server 432 * Işıl :Erroneous nickname']);
    c.recv('NICK isil');
    assert.ok(c.take().some((l) => l.startsWith(':test.server 001 isil ')));
    const d = h.connect();
    d.recv('CAP NOTACOMMAND');
    assert.deepEqual(d.take(), [':test.server 410 * NOTACOMMAND :Invalid CAP command']);
  } finally {
    await h.close();
  }
});
