/**
 * TLS on the one port, end to end against `tincan serve` (in-process, and as a child
 * process for SIGHUP): irc-framework over TLS, `openssl s_client` as a netcat user,
 * HTTPS and WSS with the generated certificate trusted, a certificate swap on SIGHUP
 * with a client connected, and bad handshakes that leave a bystander unaffected.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import https from 'node:https';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { pino } from 'pino';
import WebSocket from 'ws';
import { Client } from 'irc-framework';
import { runServe, type ServeHandle } from '../../src/cli/serve.js';
import { generateSelfSigned, SELF_SIGNED_KEY_FILE } from '../../src/transports/tls.js';
import { RawClient } from '../helpers/raw-client.js';
import { serveInProcess } from '../helpers/serve-inprocess.js';
import { buildWeb } from './web-harness.js';
import { spawnServe } from '../helpers/cli-server.js';

const T = { timeout: 20_000 };
const handles: ServeHandle[] = [];
const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  while (handles.length > 0) await handles.pop()!.close();
});

async function serve(tlsConfig: Record<string, unknown> = {}): Promise<ServeHandle & { data: string }> {
  buildWeb(); // the browser app, so https:// serves it and /irc upgrades
  const data = mkdtempSync(join(tmpdir(), 'tincan-tls-'));
  const h = await serveInProcess({ data: data, config: { storage: 'memory', tls: tlsConfig } });
  handles.push(h);
  return Object.assign(h, { data });
}

/** A TLS line client trusting exactly `ca` (the server's self-signed certificate). */
async function tlsClient(port: number, ca: string): Promise<RawClient> {
  const s = tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
  await once(s, 'secureConnect');
  assert.equal(s.authorized, true, String(s.authorizationError));
  const c = RawClient.fromSocket(s);
  cleanups.push(() => s.destroy());
  return c;
}

async function ircUser(c: RawClient, nick: string): Promise<RawClient> {
  await c.register(nick);
  c.send('JOIN #lobby');
  await c.waitFor(new RegExp(` 366 ${nick} #lobby `));
  return c;
}

function ircFramework(port: number, nick: string): Promise<Client> {
  const c = new Client({ auto_reconnect: false });
  cleanups.push(() => c.quit());
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('irc-framework did not register over TLS')), 8000);
    c.once('registered', () => {
      clearTimeout(t);
      resolve(c);
    });
    c.connect({ host: '127.0.0.1', port, nick, username: nick, gecos: nick, tls: true, rejectUnauthorized: false, auto_reconnect: false } as Parameters<Client['connect']>[0]);
  });
}

test('the first start makes a self-signed certificate (key 0600) and the next start reuses it', T, async () => {
  const h = await serve();
  const c = h.tls!.credentials;
  assert.equal(c.generated, true);
  assert.equal(statSync(join(h.data, SELF_SIGNED_KEY_FILE)).mode & 0o777, 0o600);
  assert.equal(new X509Certificate(c.cert).fingerprint256, c.fingerprint);
  await handles.pop()!.close();
  const file = join(h.data, 'config.json');
  const again = await runServe(['--host', '127.0.0.1', '--port', '0', '--data', h.data, '--config', file], {}, { signals: false, logger: pino({ level: 'silent' }) });
  handles.push(again);
  assert.equal(again.tls!.credentials.fingerprint, c.fingerprint);
});

test('irc-framework over TLS chats with a plaintext IRC user on the same port, and WHOIS says secure', T, async () => {
  const h = await serve();
  const plain = await ircUser(await RawClient.connect(h.port), 'plainbob');
  const alice = await ircFramework(h.port, 'alice');
  const joined = new Promise<void>((r) => alice.on('join', (e: { nick: string }) => e.nick === 'alice' && r()));
  alice.join('#lobby');
  await joined;
  alice.say('#lobby', 'hello over tls');
  await plain.waitFor(/^:alice!\S+ PRIVMSG #lobby :hello over tls$/);
  const heard = new Promise<string>((r) => alice.on('message', (e: { message: string }) => r(e.message)));
  plain.send('PRIVMSG #lobby :hi back in plaintext');
  assert.equal(await heard, 'hi back in plaintext');
  plain.send('WHOIS alice');
  await plain.waitFor(/ 671 plainbob alice :is using a secure connection/);
  plain.send('WHOIS plainbob');
  await plain.waitFor(/ 318 plainbob plainbob /);
  assert.ok(!plain.lines.some((l) => / 671 plainbob plainbob /.test(l)), 'a plaintext user is not secure');
});

test('openssl s_client chats as a plain (netcat) user over TLS', T, async (t) => {
  if (spawnSync('openssl', ['version']).status !== 0) return t.skip('openssl is not installed');
  const h = await serve();
  const bob = await ircUser(await RawClient.connect(h.port), 'bob');
  const proc: ChildProcess = spawn('openssl', ['s_client', '-quiet', '-connect', `127.0.0.1:${h.port}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  cleanups.push(() => proc.kill());
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const until = async (re: RegExp): Promise<void> => {
    const deadline = Date.now() + 8000;
    while (!re.test(out)) {
      if (Date.now() > deadline) throw new Error(`openssl never printed ${re}; got:\n${out}`);
      await once(proc.stdout!, 'data');
    }
  };
  await until(/You are (guest\d+)\./);
  const guest = /You are (guest\d+)\./.exec(out)![1]!;
  proc.stdin!.write('hello through openssl\n');
  await bob.waitFor(new RegExp(`^:${guest}!\\S+ PRIVMSG #lobby :hello through openssl$`));
  bob.send('PRIVMSG #lobby :welcome, encrypted friend');
  await until(/<bob> welcome, encrypted friend/);
  bob.send(`WHOIS ${guest}`);
  await bob.waitFor(new RegExp(` 671 bob ${guest} :is using a secure connection`));
});

test('https:// GET and a wss:// IRC session work on the same port with the fingerprint trusted', T, async () => {
  const h = await serve();
  const ca = h.tls!.credentials.cert;
  const status = await new Promise<{ code: number; fp: string }>((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port: h.port, path: '/', ca, servername: 'localhost' }, (res) => {
      res.resume();
      const fp = (res.socket as tls.TLSSocket).getPeerX509Certificate()!.fingerprint256;
      resolve({ code: res.statusCode ?? 0, fp });
    });
    req.on('error', reject);
  });
  assert.equal(status.code, 200);
  assert.equal(status.fp, h.tls!.credentials.fingerprint);

  const bob = await ircUser(await RawClient.connect(h.port), 'bob');
  const ws = new WebSocket(`wss://127.0.0.1:${h.port}/irc`, ['text.ircv3.net'], { ca, servername: 'localhost' } as WebSocket.ClientOptions);
  cleanups.push(() => ws.terminate());
  const got: string[] = [];
  ws.on('message', (d) => got.push(String(d)));
  await once(ws, 'open');
  ws.send('NICK wendy');
  ws.send('USER wendy 0 * :Wendy');
  ws.send('JOIN #lobby');
  await bob.waitFor(/^:wendy!\S+ JOIN #lobby/);
  bob.send('WHOIS wendy');
  await bob.waitFor(/ 671 bob wendy :is using a secure connection/);
  bob.send('PRIVMSG #lobby :hi wendy');
  const deadline = Date.now() + 5000;
  while (!got.some((l) => / PRIVMSG #lobby :hi wendy/.test(l))) {
    if (Date.now() > deadline) throw new Error('wss client never got the message: ' + got.join('\n'));
    await once(ws, 'message');
  }
});

test('a slow, a garbage and a truncated handshake are closed while a TLS bystander keeps chatting', T, async () => {
  const h = await serve({ handshakeTimeout: 0.5, handshakesPerIp: 3 });
  const ca = h.tls!.credentials.cert;
  const alice = await ircUser(await tlsClient(h.port, ca), 'alice');
  const bob = await ircUser(await RawClient.connect(h.port), 'bob');
  const chat = async (text: string): Promise<void> => {
    alice.send(`PRIVMSG #lobby :${text}`);
    await bob.waitFor(new RegExp(`PRIVMSG #lobby :${text}$`));
  };
  const raw = async (bytes: Buffer): Promise<net.Socket> => {
    const s = net.connect({ port: h.port, host: '127.0.0.1' });
    s.on('error', () => {});
    s.resume(); // read (and drop) the server's alert, so its close is seen
    cleanups.push(() => s.destroy());
    await once(s, 'connect');
    s.write(bytes);
    return s;
  };
  // a record header announcing 512 bytes of ClientHello, then nothing: never finishes
  const slow = await raw(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]));
  const started = Date.now();
  // garbage after a TLS-looking start: the TLS layer rejects it at once
  const garbage = await raw(Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05]), Buffer.from('GARBAGEGARBAGE\r\n')]));
  await once(garbage, 'close');
  await chat('still here after garbage');
  await once(slow, 'close');
  assert.ok(Date.now() - started >= 400, 'the slow handshake was given its timeout');
  await chat('still here after a slow handshake');
  // a truncated ClientHello: the peer goes away halfway
  const cut = await raw(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
  cut.end();
  await once(cut, 'close');
  await chat('still here after a truncated one');
});

test('handshakes in progress are bounded per address: one more is closed at once, others go on', T, async () => {
  const h = await serve({ handshakeTimeout: 5, handshakesPerIp: 2 });
  const stalled: net.Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const s = net.connect({ port: h.port, host: '127.0.0.1' });
    s.on('error', () => {});
    s.resume();
    cleanups.push(() => s.destroy());
    await once(s, 'connect');
    s.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]));
    stalled.push(s);
  }
  const started = Date.now();
  await once(stalled[2]!, 'close');
  assert.ok(Date.now() - started < 4000, 'the third was refused, not timed out');
  assert.equal(stalled[0]!.destroyed, false);
  assert.equal(stalled[1]!.destroyed, false);
  // once they go, a real TLS client from the same address gets through
  stalled[0]!.destroy();
  stalled[1]!.destroy();
  await Promise.all([once(stalled[0]!, 'close'), once(stalled[1]!, 'close')]);
  const c = await tlsClient(h.port, h.tls!.credentials.cert);
  await c.register('late');
});

test('SIGHUP swaps a configured certificate without dropping a connected client', { timeout: 40_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-tls-hup-'));
  const names = { dns: ['localhost'], ips: ['127.0.0.1'] };
  const [a, b] = await Promise.all([generateSelfSigned(names), generateSelfSigned(names)]);
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, a.cert);
  writeFileSync(keyFile, a.key);
  const conf = join(dir, 'tincan.json');
  writeFileSync(conf, JSON.stringify({ storage: 'memory', tls: { cert: certFile, key: keyFile } }));
  const srv = await spawnServe(['--host', '127.0.0.1', '--port', '0', '--no-mdns', '--quiet', '--data', dir, '--config', conf]);
  cleanups.push(() => srv.proc.kill('SIGKILL'));
  const fpA = new X509Certificate(a.cert).fingerprint256;
  const fpB = new X509Certificate(b.cert).fingerprint256;

  const alice = await ircUser(await tlsClient(srv.port, a.cert), 'alice');
  const bob = await ircUser(await RawClient.connect(srv.port), 'bob');
  assert.equal((alice.socket as tls.TLSSocket).getPeerX509Certificate()!.fingerprint256, fpA);

  writeFileSync(certFile, b.cert);
  writeFileSync(keyFile, b.key);
  srv.proc.kill('SIGHUP');
  const deadline = Date.now() + 10_000;
  while (!/TLS certificate reloaded: new certificate/.test(srv.output())) {
    if (Date.now() > deadline) throw new Error('no reload logged:\n' + srv.output());
    await once(srv.proc.stdout!, 'data');
  }
  // the connected client stays and keeps talking
  alice.send('PRIVMSG #lobby :still connected after the swap');
  await bob.waitFor(/:alice!\S+ PRIVMSG #lobby :still connected after the swap$/);
  assert.equal(alice.socket.destroyed, false);
  // a new client sees the new certificate (and would refuse the old one)
  const carol = await tlsClient(srv.port, b.cert);
  assert.equal((carol.socket as tls.TLSSocket).getPeerX509Certificate()!.fingerprint256, fpB);
  await carol.register('carol');
  assert.notEqual(readFileSync(certFile, 'utf8'), a.cert);
  srv.proc.kill('SIGTERM');
  await once(srv.proc, 'exit');
});
