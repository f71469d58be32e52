/**
 * The server certificate (transports/tls.ts): generated once into the data directory,
 * reused, replaced when expired or broken; a configured pair used instead and checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { makeConfig } from '../../helpers/harness.js';
import {
  generateSelfSigned,
  loadCredentials,
  machineNames,
  plainHex,
  SELF_SIGNED_CERT_FILE,
  SELF_SIGNED_DAYS,
  SELF_SIGNED_KEY_FILE,
  TlsCredentialStore,
} from '../../../src/transports/tls.js';

const names = () => ({ dns: ['localhost', 'box.local'], ips: ['127.0.0.1', '::1', '192.168.1.20'] });

test('a generated certificate covers the given names and addresses, key file 0600, and is reused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-tlsu-'));
  const config = makeConfig({ dataDir: dir });
  const a = await loadCredentials(config, { names });
  assert.equal(a.generated, true);
  assert.equal(a.verifiable, false);
  const x = new X509Certificate(readFileSync(join(dir, SELF_SIGNED_CERT_FILE), 'utf8'));
  assert.equal(x.fingerprint256, a.fingerprint);
  assert.match(x.subjectAltName ?? '', /DNS:box\.local/);
  assert.match(x.subjectAltName ?? '', /IP Address:192\.168\.1\.20/);
  assert.equal(statSync(join(dir, SELF_SIGNED_KEY_FILE)).mode & 0o777, 0o600);
  const b = await loadCredentials(config, { names });
  assert.equal(b.fingerprint, a.fingerprint);
});

test('an expired generated certificate (or a broken one) is replaced', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-tlsu-'));
  const config = makeConfig({ dataDir: dir });
  const a = await loadCredentials(config, { names });
  const later = new Date(Date.now() + (SELF_SIGNED_DAYS + 1) * 86400_000);
  const b = await loadCredentials(config, { names, now: () => later });
  assert.notEqual(b.fingerprint, a.fingerprint);
  assert.ok(b.notAfter.getTime() > later.getTime());
  writeFileSync(join(dir, SELF_SIGNED_KEY_FILE), 'not a key');
  const c = await loadCredentials(config, { names });
  assert.notEqual(c.fingerprint, b.fingerprint);
});

test('a configured certificate is used; a key that does not match it is refused clearly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-tlsu-'));
  const [one, two] = await Promise.all([generateSelfSigned(names()), generateSelfSigned(names())]);
  writeFileSync(join(dir, 'c.pem'), one.cert);
  writeFileSync(join(dir, 'k.pem'), one.key);
  writeFileSync(join(dir, 'k2.pem'), two.key);
  const ok = await loadCredentials(makeConfig({ dataDir: dir, tls: { cert: join(dir, 'c.pem'), key: join(dir, 'k.pem') } }));
  assert.equal(ok.generated, false);
  assert.equal(ok.fingerprint, new X509Certificate(one.cert).fingerprint256);
  // signed by itself: nobody can verify it, so no STS
  assert.equal(ok.verifiable, false);
  await assert.rejects(loadCredentials(makeConfig({ dataDir: dir, tls: { cert: join(dir, 'c.pem'), key: join(dir, 'k2.pem') } })), /key does not match/);
  await assert.rejects(loadCredentials(makeConfig({ dataDir: dir, tls: { cert: join(dir, 'missing.pem'), key: join(dir, 'k.pem') } })), /cannot read tls\.cert .*ENOENT/);
  await assert.rejects(loadCredentials(makeConfig({ dataDir: dir, tls: { cert: join(dir, 'c.pem') } })), /must be set together/);
});

test('a failed reload keeps the current certificate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-tlsu-'));
  const store = await TlsCredentialStore.open(makeConfig({ dataDir: dir }), { names });
  const before = store.credentials.fingerprint;
  assert.equal(await store.reload(makeConfig({ dataDir: dir, tls: { cert: join(dir, 'nope.pem'), key: join(dir, 'nope.pem') } })), false);
  assert.equal(store.credentials.fingerprint, before);
});

test('machineNames: host name (+ .local), localhost, addresses without link-local IPv6', () => {
  const n = machineNames('box', {
    eth0: [
      { address: '192.168.1.20', family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '', cidr: null },
      { address: 'fe80::1', family: 'IPv6', internal: false, netmask: 'ffff:ffff:ffff:ffff::', mac: '', cidr: null, scopeid: 2 },
      { address: '2001:db8::5', family: 'IPv6', internal: false, netmask: 'ffff:ffff:ffff:ffff::', mac: '', cidr: null, scopeid: 0 },
    ],
  });
  assert.deepEqual(n.dns.sort(), ['box', 'box.local', 'localhost']);
  assert.ok(n.ips.includes('192.168.1.20') && n.ips.includes('2001:db8::5') && !n.ips.includes('fe80::1'));
  assert.equal(plainHex('AB:CD:0F'), 'abcd0f');
});

test('a data directory that cannot hold the certificate still gets TLS, with a warning, for this run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-tlsu-'));
  writeFileSync(join(dir, 'file'), '');
  const warnings: string[] = [];
  const logger = { warn: (m: string) => warnings.push(m), info: () => {} } as unknown as import('pino').Logger;
  const c = await loadCredentials(makeConfig({ dataDir: join(dir, 'file', 'data') }), { names, logger });
  assert.equal(c.source, '(not saved)');
  assert.equal(c.generated, true);
  assert.match(warnings.join('\n'), /cannot save the TLS certificate in .*file\/data \(ENOTDIR\): using it for this run only/);
});
