/**
 * `tincan chat` over TLS: it encrypts on its own, pins the certificate on first use (in
 * $XDG_CONFIG_HOME/tincan/known_servers), and refuses loudly, with both fingerprints,
 * when the server's certificate changes; a plaintext-only server still works.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import type { ServeHandle } from '../../src/cli/serve.js';
import { generateSelfSigned } from '../../src/transports/tls.js';
import { generate } from 'selfsigned';
import { RawClient } from '../helpers/raw-client.js';
import { serveInProcess } from '../helpers/serve-inprocess.js';
import { tincanArgv } from './chat-helpers.js';
import { tcpTransport } from '../../src/clients/shared/node-transport.js';
import { filePinStore } from '../../src/clients/shared/known-servers.js';

const T = { timeout: 40_000 };
const handles: ServeHandle[] = [];
const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  while (handles.length > 0) await handles.pop()!.close();
});

async function serve(dir: string, tlsConfig: Record<string, unknown>): Promise<ServeHandle> {
  const h = await serveInProcess({ data: dir, config: { storage: 'memory', tls: tlsConfig } });
  handles.push(h);
  return h;
}

/** Runs `tincan chat` in a pipe: sends `input` lines once connected, then ends stdin. */
async function chat(
  port: number,
  nick: string,
  xdg: string,
  input: string[],
  until?: () => Promise<unknown>,
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  const child = spawn(process.execPath, tincanArgv('chat', `127.0.0.1:${port}`, '--nick', nick), {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, XDG_CONFIG_HOME: xdg, ...env },
  });
  cleanups.push(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  for (const l of input) child.stdin.write(l + '\n');
  if (until !== undefined) await until();
  child.stdin.end();
  const [code] = (await once(child, 'exit')) as [number];
  return { code, out };
}

async function ircUser(port: number, nick: string): Promise<RawClient> {
  const c = await RawClient.connect(port);
  cleanups.push(() => c.socket.destroy());
  await c.register(nick);
  c.send('JOIN #lobby');
  await c.waitFor(new RegExp(` 366 ${nick} #lobby `));
  return c;
}

test('tincan chat pins the certificate on first use, then refuses a changed one with both fingerprints', T, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-tlschat-'));
  const xdg = mkdtempSync(join(tmpdir(), 'tincan-xdg-'));
  const names = { dns: ['localhost'], ips: ['127.0.0.1'] };
  const [a, b] = await Promise.all([generateSelfSigned(names), generateSelfSigned(names)]);
  const fpA = new X509Certificate(a.cert).fingerprint256;
  const fpB = new X509Certificate(b.cert).fingerprint256;
  writeFileSync(join(dir, 'cert.pem'), a.cert);
  writeFileSync(join(dir, 'key.pem'), a.key);
  const h = await serve(dir, { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') });
  const bob = await ircUser(h.port, 'bob');

  // first use: encrypted, pinned, and the message arrives from a secure connection
  const first = await chat(h.port, 'carol', xdg, ['/join #lobby', 'hello, pinned'], async () => {
    await bob.waitFor(/:carol!\S+ PRIVMSG #lobby :hello, pinned$/, 15_000);
    bob.send('WHOIS carol');
    await bob.waitFor(/ 671 bob carol :is using a secure connection/);
  });
  assert.equal(first.code, 0, first.out);
  assert.match(first.out, /Encrypted \(TLS\)\. First connection to 127\.0\.0\.1:\d+/);
  const pins = readFileSync(join(xdg, 'tincan', 'known_servers'), 'utf8');
  assert.equal(pins, `127.0.0.1:${h.port} ${fpA.replace(/:/g, '').toLowerCase()}\n`);

  // same certificate again: verified against the pin
  const second = await chat(h.port, 'carol', xdg, ['/join #lobby', 'hello again'], () => bob.waitFor(/:carol!\S+ PRIVMSG #lobby :hello again$/, 15_000));
  assert.equal(second.code, 0, second.out);
  assert.match(second.out, /certificate verified \(the one pinned on first use\)/);

  // the server now shows another certificate: refused, loudly, nothing sent
  writeFileSync(join(dir, 'cert.pem'), b.cert);
  writeFileSync(join(dir, 'key.pem'), b.key);
  assert.equal(h.reload(), true);
  assert.equal(await h.tlsReloaded(), true);
  const joinsBefore = bob.lines.filter((l) => /^:mallory!/.test(l)).length;
  const third = await chat(h.port, 'mallory', xdg, ['/join #lobby', 'should never arrive']);
  assert.equal(third.code, 1, third.out);
  assert.match(third.out, /has CHANGED/);
  assert.ok(third.out.includes(`expected SHA-256 ${fpA}`), third.out);
  assert.ok(third.out.includes(`got      SHA-256 ${fpB}`), third.out);
  assert.ok(third.out.includes(join(xdg, 'tincan', 'known_servers')), 'says where the pin is');
  assert.equal(bob.lines.filter((l) => /^:mallory!/.test(l)).length, joinsBefore);
  // the pin was not overwritten
  assert.equal(readFileSync(join(xdg, 'tincan', 'known_servers'), 'utf8'), pins);
});

test('tincan chat uses plaintext with a server that does not speak TLS, and pins nothing', T, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-tlschat-'));
  const xdg = mkdtempSync(join(tmpdir(), 'tincan-xdg-'));
  const h = await serve(dir, { enabled: false });
  const bob = await ircUser(h.port, 'bob');
  const r = await chat(h.port, 'dave', xdg, ['/join #lobby', 'hello in the clear'], () => bob.waitFor(/:dave!\S+ PRIVMSG #lobby :hello in the clear$/, 15_000));
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /Not encrypted: 127\.0\.0\.1:\d+ does not speak TLS/);
  assert.equal(existsSync(join(xdg, 'tincan', 'known_servers')), false);
});

/** One connection attempt through the client transport; resolves with how it ended. */
function attempt(t: ReturnType<typeof tcpTransport>): Promise<{ opened: boolean; err?: Error; lines: string[] }> {
  return new Promise((resolve) => {
    let opened = false;
    const lines: string[] = [];
    const conn = t({
      onOpen: () => {
        opened = true;
        conn.send('PING :x');
      },
      onLine: (l) => {
        lines.push(l);
        if (/PONG/.test(l)) conn.close();
      },
      onClose: (err) => resolve(err === undefined ? { opened, lines } : { opened, err, lines }),
    });
  });
}

test('the fingerprint announced on mDNS is checked: a match connects, a mismatch is fatal and pins nothing', T, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-tlschat-'));
  const xdg = mkdtempSync(join(tmpdir(), 'tincan-xdg-'));
  const h = await serve(dir, {});
  const fp = h.tls!.credentials.fingerprint.replace(/:/g, '').toLowerCase();
  const pins = filePinStore(join(xdg, 'known_servers'));
  const notes: string[] = [];
  const good = await attempt(tcpTransport({ host: '127.0.0.1', port: h.port, tls: 'auto', fingerprint: fp, pins, notify: (n) => notes.push(n) }));
  assert.equal(good.opened, true);
  assert.ok(good.lines.some((l) => /PONG/.test(l)));
  assert.match(notes.join('\n'), /certificate verified \(the fingerprint the server announced on the network\)/);
  assert.equal(pins.get(`127.0.0.1:${h.port}`), fp);

  const other = mkdtempSync(join(tmpdir(), 'tincan-xdg-'));
  const fresh = filePinStore(join(other, 'known_servers'));
  const wrong = 'ab'.repeat(32);
  const bad = await attempt(tcpTransport({ host: '127.0.0.1', port: h.port, tls: 'auto', fingerprint: wrong, pins: fresh }));
  assert.equal(bad.opened, false);
  assert.equal((bad.err as { fatal?: boolean } | undefined)?.fatal, true);
  assert.match(bad.err!.message, /has CHANGED/);
  assert.match(bad.err!.message, /announced by the server on the local network \(mDNS\)/);
  assert.ok(bad.err!.message.includes(h.tls!.credentials.fingerprint));
  assert.equal(fresh.get(`127.0.0.1:${h.port}`), undefined);
});

test('a certificate a trusted CA signed is verified, not pinned, so its renewal is accepted', T, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-tlschat-'));
  const xdg = mkdtempSync(join(tmpdir(), 'tincan-xdg-'));
  const ca = await generate([{ name: 'commonName', value: 'test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const leaf = () =>
    generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      ca: { key: ca.private, cert: ca.cert },
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
    });
  const [one, two] = await Promise.all([leaf(), leaf()]);
  writeFileSync(join(dir, 'ca.pem'), ca.cert);
  writeFileSync(join(dir, 'cert.pem'), one.cert);
  writeFileSync(join(dir, 'key.pem'), one.private);
  const h = await serve(dir, { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') });
  const bob = await ircUser(h.port, 'bob');
  // the CA is trusted the way a system CA would be
  const env = { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') };
  const first = await chat(h.port, 'erin', xdg, ['/join #lobby', 'ca one'], () => bob.waitFor(/:erin!\S+ PRIVMSG #lobby :ca one$/, 15_000), env);
  assert.equal(first.code, 0, first.out);
  assert.match(first.out, /certificate verified by a certificate authority/);
  assert.equal(existsSync(join(xdg, 'tincan', 'known_servers')), false);
  // renewed certificate from the same CA: still fine
  writeFileSync(join(dir, 'cert.pem'), two.cert);
  writeFileSync(join(dir, 'key.pem'), two.private);
  assert.equal(h.reload(), true);
  assert.equal(await h.tlsReloaded(), true);
  const second = await chat(h.port, 'erin', xdg, ['/join #lobby', 'ca two'], () => bob.waitFor(/:erin!\S+ PRIVMSG #lobby :ca two$/, 15_000), env);
  assert.equal(second.code, 0, second.out);
  assert.doesNotMatch(second.out, /CHANGED/);
});
