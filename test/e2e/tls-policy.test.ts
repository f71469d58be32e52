/**
 * TLS policy end to end: tls.require / tls.requirePlain, the TLS-only port (tls.port),
 * tls.enabled false, and STS offered only with a configured certificate clients can verify.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import { pino } from 'pino';
import { generate } from 'selfsigned';
import { runServe, type ServeHandle } from '../../src/cli/serve.js';
import { RawClient } from '../helpers/raw-client.js';
import { serveInProcess } from '../helpers/serve-inprocess.js';

const T = { timeout: 20_000 };
const handles: ServeHandle[] = [];
const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  while (handles.length > 0) await handles.pop()!.close();
});

async function serve(tlsConfig: Record<string, unknown> = {}): Promise<ServeHandle> {
  const data = mkdtempSync(join(tmpdir(), 'tincan-tlsp-'));
  const h = await serveInProcess({ data: data, config: { storage: 'memory', tls: tlsConfig } });
  handles.push(h);
  return h;
}

async function plainSocket(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  cleanups.push(() => c.socket.destroy());
  return c;
}

async function tlsSocket(port: number, ca?: string): Promise<RawClient> {
  const s = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ...(ca === undefined ? { rejectUnauthorized: false } : { ca }) });
  s.on('error', () => {});
  await once(s, 'secureConnect');
  cleanups.push(() => s.destroy());
  return RawClient.fromSocket(s);
}

test('tls.require: plaintext IRC gets one ERROR line saying how to use TLS; netcat users and TLS IRC carry on', T, async () => {
  const h = await serve({ require: true });
  const irc = await plainSocket(h.port);
  irc.send('NICK bob');
  irc.send('USER bob 0 * :Bob');
  await irc.closed;
  assert.equal(irc.lines.length, 1, irc.lines.join('\n'));
  assert.match(irc.lines[0]!, new RegExp(`^ERROR :Closing link: this server requires TLS: connect with TLS to port ${h.port} \\(irssi: /connect -tls 127\\.0\\.0\\.1 ${h.port}`));

  const nc = await plainSocket(h.port);
  nc.socket.write('hello\n');
  await nc.waitFor(/^\* Welcome to tincan/);

  const secure = await tlsSocket(h.port);
  await secure.register('alice');

  // a browser on http:// would use ws:// (plaintext IRC): it is sent to https://, same port
  const res = await fetch(`http://127.0.0.1:${h.port}/some/page?x=1`, { redirect: 'manual' });
  assert.equal(res.status, 308);
  assert.equal(res.headers.get('location'), `https://127.0.0.1:${h.port}/some/page?x=1`);
});

test('tls.require + tls.requirePlain: a netcat user is told to use openssl s_client', T, async () => {
  const h = await serve({ require: true, requirePlain: true });
  const nc = await plainSocket(h.port);
  nc.socket.write('hello\n');
  await nc.closed;
  assert.deepEqual(nc.lines, [`* tincan: this server only accepts encrypted connections. Use: openssl s_client -quiet -connect 127.0.0.1:${h.port}`]);
  // a plain-lines user over TLS is fine
  const enc = await tlsSocket(h.port);
  enc.socket.write('hello\n');
  await enc.waitFor(/^\* Welcome to tincan/);
});

test('tls.port: a TLS-only port serves TLS IRC and tells a plaintext client what to do', T, async () => {
  const free = net.createServer();
  await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
  const tlsPort = (free.address() as net.AddressInfo).port;
  await new Promise((r) => free.close(r));
  const h = await serve({ port: tlsPort });
  assert.equal(h.listener.tlsAddress()?.port, tlsPort);
  const secure = await tlsSocket(tlsPort, h.tls!.credentials.cert);
  await secure.register('alice');
  const plain = await plainSocket(tlsPort);
  plain.send('NICK bob');
  plain.send('USER bob 0 * :Bob');
  await plain.closed;
  assert.deepEqual(plain.lines, [`ERROR :Closing link: this port only speaks TLS: turn TLS on in your client (irssi: -tls), or use port ${h.port}`]);
});

test('tls.enabled false: a TLS client gets a handshake_failure alert and nothing else changes', T, async () => {
  const h = await serve({ enabled: false });
  assert.equal(h.tls, null);
  const s = net.connect(h.port, '127.0.0.1');
  await once(s, 'connect');
  s.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00]));
  const chunks: Buffer[] = [];
  s.on('data', (d: Buffer) => chunks.push(d));
  await once(s, 'close');
  assert.deepEqual([...Buffer.concat(chunks)], [0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28]);
  const irc = await plainSocket(h.port);
  await irc.register('bob');
});

async function capLs(c: RawClient): Promise<string> {
  const from = c.lines.length;
  c.send('CAP LS 302');
  // 302 lists may span lines ("LS * :" continues): read until the last one
  await c.waitFor(/ CAP \* LS :/, 5000, from);
  return c.lines.slice(from).filter((l) => / CAP \* LS /.test(l)).join(' ');
}

test('STS is offered only with a configured CA-signed certificate: port in plaintext, duration over TLS', T, async () => {
  const selfSigned = await serve();
  assert.doesNotMatch(await capLs(await plainSocket(selfSigned.port)), /\bsts=/);
  assert.doesNotMatch(await capLs(await tlsSocket(selfSigned.port)), /\bsts=/);

  const dir = mkdtempSync(join(tmpdir(), 'tincan-tlsp-ca-'));
  const ca = await generate([{ name: 'commonName', value: 'test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const leaf = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  writeFileSync(join(dir, 'cert.pem'), leaf.cert);
  writeFileSync(join(dir, 'key.pem'), leaf.private);
  const signed = await serve({ cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), stsDuration: 86400 });
  assert.equal(signed.tls!.credentials.verifiable, true);
  assert.match(await capLs(await plainSocket(signed.port)), new RegExp(`\\bsts=port=${signed.port}\\b`));
  const verified = await tlsSocket(signed.port, ca.cert);
  assert.equal((verified.socket as tls.TLSSocket).authorized, true);
  const ls = await capLs(verified);
  assert.match(ls, /\bsts=duration=86400\b/);
  assert.doesNotMatch(ls, /sts=port/);
});

test('a TLS client refused by the connection limits gets a TLS alert, not a plaintext line', T, async () => {
  const data = mkdtempSync(join(tmpdir(), 'tincan-tlsp-'));
  const file = join(data, 'config.json');
  writeFileSync(file, JSON.stringify({ storage: 'memory', connections: { perIp: 1 } }));
  const h = await runServe(['--host', '127.0.0.1', '--port', '0', '--name', 'test.local', '--data', data, '--config', file], {}, {
    signals: false,
    logger: pino({ level: process.env['TINCAN_TEST_LOG'] ?? 'silent' }),
  });
  handles.push(h);
  const first = await tlsSocket(h.port);
  await first.register('one');
  const s = tls.connect({ port: h.port, host: '127.0.0.1', rejectUnauthorized: false });
  const [err] = (await once(s, 'error')) as [NodeJS.ErrnoException];
  // OpenSSL names the alert it received (a plaintext line would be "wrong version number" or similar)
  assert.match(`${err.code} ${err.message}`, /handshake failure|HANDSHAKE_FAILURE/i);
});
