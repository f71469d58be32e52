/**
 * Learner mode over real sockets: a plain user's `/bytes on` shows the IRC lines their
 * typing became (>>) and the lines the server sent them (<<), controls made visible, until
 * `/bytes off`; `tincan serve --teach` logs each connection's first bytes, escaped and
 * bounded, with how detection classified them (IRC, plain, HTTP, TLS, a silent listener).
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import pino from 'pino';
import { runServe, type ServeHandle } from '../../src/cli/serve.js';
import { RawClient } from '../helpers/raw-client.js';
import { serveInProcess } from '../helpers/serve-inprocess.js';

const T = { timeout: 20_000 };
const handles: ServeHandle[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  while (handles.length > 0) await handles.pop()!.close();
});

async function until(cond: () => boolean, what: () => string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out: ' + what());
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('/bytes on shows a plain user the IRC lines their actions send and receive; /bytes off stops', T, async () => {
  const h = await serveInProcess({ data: mkdtempSync(join(tmpdir(), 'tincan-bytes-')) });
  handles.push(h);
  const bob = await RawClient.connect(h.port);
  sockets.push(bob.socket);
  await bob.register('bob');
  bob.send('JOIN #lobby');
  await bob.waitFor(/ 366 bob #lobby /);
  const p = await RawClient.connect(h.port);
  sockets.push(p.socket);
  p.socket.write('/nick learner\n');
  await p.waitFor(/^\* Type a message/);
  await p.waitFor(/learner/);

  p.socket.write('/bytes on\n');
  await p.waitFor(/^\* Showing the protocol: >> is the IRC line your typing became/);
  p.socket.write('hello bob\n');
  await p.waitFor(/^>> PRIVMSG #lobby :hello bob$/);
  p.socket.write('/me waves\n');
  // CTCP's \x01 made visible
  await p.waitFor(/^>> PRIVMSG #lobby :\\x01ACTION waves\\x01$/);
  bob.send('PRIVMSG #lobby :hi learner');
  const inbound = await p.waitFor(/^<< (@time=\S+ )?:bob!\S+ PRIVMSG #lobby :hi learner$/);
  // the readable line follows the raw one
  const i = p.lines.indexOf(inbound);
  assert.match(p.lines[i + 1] ?? '', /<bob> hi learner$/);
  p.socket.write('/topic a topic\n');
  await p.waitFor(/^>> TOPIC #lobby :a topic$/);
  // a refusal: the numeric as sent, then its plain-words rendering
  const refused = await p.waitFor(/^<< :test\.local 482 learner #lobby :You're not channel operator$/);
  assert.match(p.lines[p.lines.indexOf(refused) + 1] ?? '', /^! You need to be an operator of #lobby/);
  p.socket.write('/bytes off\n');
  await p.waitFor(/^\* No longer showing the protocol\.$/);
  const mark = p.lines.length;
  p.socket.write('quiet now\n');
  await bob.waitFor(/PRIVMSG #lobby :quiet now$/);
  bob.send('PRIVMSG #lobby :ok');
  await p.waitFor(/<bob> ok$/, 5000, mark);
  assert.deepEqual(p.lines.slice(mark).filter((l) => /^(>>|<<) /.test(l)), [], 'nothing raw after /bytes off');
  // a long line is cut, never shown whole
  p.socket.write('/bytes on\n');
  await p.waitFor(/^\* Showing the protocol/, 5000, mark);
  const before = p.lines.length;
  bob.send('PRIVMSG #lobby :' + 'y'.repeat(470));
  const cut = await p.waitFor(/^<< \S+ :bob!\S+ PRIVMSG #lobby/, 5000, before);
  const row = p.lines.indexOf(cut, before);
  const joined = p.lines.slice(row, row + 8).join('').replace(/\s+/g, '');
  const shown = joined.slice(0, joined.indexOf('…') + 1);
  assert.ok(shown.endsWith('…'), joined);
  assert.ok(shown.length <= 404, `bounded: ${shown.length}`);
});

test('tincan serve --teach logs each connection\'s first bytes, escaped, and how it was recognised', T, async () => {
  const logs: { msg: string; kind?: string; first?: string; bytes?: number }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim() !== '') logs.push(JSON.parse(l) as (typeof logs)[number]);
      cb();
    },
  });
  const data = mkdtempSync(join(tmpdir(), 'tincan-teach-'));
  const h = await runServe(['--host', '127.0.0.1', '--port', '0', '--name', 'test.local', '--data', data, '--teach'], {}, { signals: false, logger: pino({ level: 'info' }, sink) });
  handles.push(h);
  const teach = (): typeof logs => logs.filter((l) => l.msg.startsWith('teach: '));
  const open = async (bytes: string | Buffer | null): Promise<net.Socket> => {
    const s = net.connect(h.port, '127.0.0.1');
    sockets.push(s);
    s.on('error', () => {});
    await new Promise((r) => s.once('connect', r));
    if (bytes !== null) s.write(bytes);
    return s;
  };
  await open('NICK alice\r\nUSER alice 0 * :Alice\r\n');
  await until(() => teach().some((l) => l.kind === 'irc'), () => JSON.stringify(logs));
  const irc = teach().find((l) => l.kind === 'irc')!;
  assert.match(irc.msg, /^teach: 127\.0\.0\.1 sent "NICK alice\\r\\nUSER alice 0 \* :Alice\\r\\n": IRC: its first line starts with the IRC command NICK/);
  await open('hello there\n');
  await until(() => teach().some((l) => l.kind === 'plain'), () => JSON.stringify(teach()));
  assert.match(teach().find((l) => l.kind === 'plain')!.msg, /sent "hello there\\n": plain: text that is neither an IRC command nor an HTTP request/);
  await open('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await until(() => teach().some((l) => l.kind === 'http'), () => JSON.stringify(teach()));
  assert.match(teach().find((l) => l.kind === 'http')!.msg, /sent "GET \/ HTTP\/1\.1\\r\\nHost: x\\r\\n\\r\\n": HTTP: /);
  // bytes that are not text are escaped, and the whole is bounded
  await open(Buffer.concat([Buffer.from([0xff, 0xfb, 0x01]), Buffer.alloc(3000, 0x41)]));
  await until(() => teach().some((l) => (l.first ?? '').startsWith('\\xff\\xfb\\x01')), () => JSON.stringify(teach()));
  const tel = teach().find((l) => (l.first ?? '').startsWith('\\xff'))!;
  assert.match(tel.msg, /telnet option negotiation/);
  assert.ok(tel.first!.length < 200 && tel.first!.endsWith('bytes)'), tel.first);
  // a silent listener: classified after a second of nothing
  await open(null);
  await until(() => teach().some((l) => /sent nothing for a second/.test(l.msg)), () => JSON.stringify(teach()));
  // TLS: the ClientHello, then again inside
  const t = tlsConnect({ port: h.port, host: '127.0.0.1', rejectUnauthorized: false });
  sockets.push(t);
  t.on('error', () => {});
  await new Promise((r) => t.once('secureConnect', r));
  t.write('NICK secure\r\nUSER s 0 * :S\r\n');
  await until(() => teach().some((l) => l.kind === 'tls') && teach().some((l) => l.msg.includes('(inside TLS) sent "NICK secure')), () => JSON.stringify(teach()));
  assert.match(teach().find((l) => l.kind === 'tls')!.msg, /sent "\\x16\\x03.*": TLS: it starts with 0x16 0x03/);
});
