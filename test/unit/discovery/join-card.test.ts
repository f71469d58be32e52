import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { joinCard, lanAddresses, renderQr } from '../../../src/discovery/join-card.js';
import { groupServers, type FoundServer } from '../../../src/discovery/browse.js';
import { tincanTxt } from '../../../src/discovery/advertise.js';

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({
  address,
  netmask: '255.255.255.0',
  family: 'IPv4',
  mac: '00:00:00:00:00:00',
  internal,
  cidr: `${address}/24`,
});
const v6 = (address: string): NetworkInterfaceInfo => ({
  address,
  netmask: 'ffff:ffff:ffff:ffff::',
  family: 'IPv6',
  mac: '00:00:00:00:00:00',
  internal: false,
  cidr: `${address}/64`,
  scopeid: 0,
});

test('the card lists nc, irc://, http:// and the lesson client lines for every address', () => {
  const card = joinCard({ addresses: ['192.168.1.23', '10.0.0.5'], port: 4444, channel: '#lobby', qr: (url) => `QR(${url})` });
  for (const ip of ['192.168.1.23', '10.0.0.5']) {
    assert.match(card, new RegExp(`^  nc ${ip} 4444 +netcat or telnet`, 'm'));
    assert.match(card, new RegExp(`^  irc://${ip}:4444/#lobby +an IRC client`, 'm'));
    assert.match(card, new RegExp(`^  http://${ip}:4444/ +a browser`, 'm'));
    assert.ok(card.includes(`    s.connect(("${ip}", 4444))\n    s.sendall(b'Your message')\n    data = s.recv(1024)\n`));
    assert.ok(card.includes(`  QR(http://${ip}:4444/)`));
  }
  assert.ok(card.endsWith('\n'));
});

test('no QR codes when qr is null; a note is shown under the title; IPv6 URLs get brackets', () => {
  const card = joinCard({ addresses: ['fd00::1'], port: 5000, channel: '#x', qr: null, note: 'just testing' });
  assert.ok(card.includes('(just testing)'));
  assert.ok(card.includes('http://[fd00::1]:5000/'));
  assert.ok(card.includes('nc fd00::1 5000'));
  assert.ok(!card.includes('Scan'));
});

test('the real QR renderer draws a block-character code', () => {
  const qr = renderQr('http://192.168.1.23:4444/');
  const rows = qr.trimEnd().split('\n');
  assert.ok(rows.length > 10, `${rows.length} rows`);
  assert.match(qr, /[\u2580\u2584\u2588]/);
});

test('lanAddresses: LAN IPv4 only when listening everywhere; loopback and link-local fall back with a note', () => {
  const ifaces = { lo: [v4('127.0.0.1', true)], eth0: [v4('192.168.1.23'), v6('fe80::1')], wlan0: [v4('10.0.0.5')], usb0: [v4('169.254.3.4')] };
  assert.deepEqual(lanAddresses(ifaces, '::'), { addresses: ['192.168.1.23', '10.0.0.5'] });
  assert.deepEqual(lanAddresses(ifaces, '0.0.0.0'), { addresses: ['192.168.1.23', '10.0.0.5'] });
  assert.deepEqual(lanAddresses({ lo: [v4('127.0.0.1', true)], usb0: [v4('169.254.3.4')] }, '::'), { addresses: ['169.254.3.4'] });
  const none = lanAddresses({ lo: [v4('127.0.0.1', true)] }, '::');
  assert.deepEqual(none.addresses, ['127.0.0.1']);
  assert.match(none.note ?? '', /no network/);
  assert.deepEqual(lanAddresses(ifaces, '192.168.1.23'), { addresses: ['192.168.1.23'] });
  const loop = lanAddresses(ifaces, '127.0.0.1');
  assert.deepEqual(loop.addresses, ['127.0.0.1']);
  assert.match(loop.note ?? '', /--host 0\.0\.0\.0/);
});

test('with TLS the card shows the fingerprint, the irssi and WeeChat pinning lines and the browser warning', () => {
  const fp = 'AB:CD:'.repeat(15) + 'EF:01';
  const card = joinCard({ addresses: ['192.168.1.20'], port: 4444, channel: '#lobby', qr: null, tls: { fingerprint: fp, selfSigned: true } });
  assert.ok(card.includes(`    ${fp}\n`), card);
  assert.ok(card.includes(`/connect -tls -tls_pinned_cert ${fp} 192.168.1.20 4444`), card);
  assert.ok(card.includes('/server add tincan 192.168.1.20/4444 -tls'), card);
  assert.ok(card.includes(`/set irc.server.tincan.tls_fingerprint ${fp.replace(/:/g, '').toLowerCase()}`), card);
  assert.match(card, /https:\/\/192\.168\.1\.20:4444\/ +a browser warns once that the certificate is self-signed/);
  // a TLS-only port is where the clients are sent; a CA-signed certificate needs no browser warning
  const ca = joinCard({ addresses: ['10.0.0.1'], port: 4444, channel: '#lobby', qr: null, tls: { fingerprint: fp, selfSigned: false, port: 6697 } });
  assert.ok(ca.includes(`-tls_pinned_cert ${fp} 10.0.0.1 6697`), ca);
  assert.doesNotMatch(ca, /self-signed/);
  assert.doesNotMatch(joinCard({ addresses: ['10.0.0.1'], port: 4444, channel: '#lobby', qr: null }), /TLS/);
});

test('a cluster node: the card lists every node (this one marked), bounded, and says clients move between them', () => {
  const nodes = [
    { id: 'n1', addresses: ['10.0.0.5:4444'] },
    { id: 'n2', addresses: ['10.0.0.6:4444', '[fd00::6]:4444'] },
  ];
  const card = joinCard({ addresses: ['10.0.0.5'], port: 4444, channel: '#lobby', qr: null, cluster: { name: 'school', nodes, self: 'n1' } });
  assert.match(card, /One server on 2 nodes \(cluster school\)/);
  assert.match(card, /10\.0\.0\.5:4444\s+this node/);
  assert.match(card, /10\.0\.0\.6:4444, \[fd00::6\]:4444\s+node n2/);
  assert.match(card, /move to another by themselves/);
  const many = Array.from({ length: 14 }, (_, i) => ({ id: `n${i}`, addresses: [`10.0.1.${i}:4444`] }));
  const big = joinCard({ addresses: ['10.0.1.0'], port: 4444, channel: '#lobby', qr: null, cluster: { name: 'big', nodes: many, self: 'n0' } });
  assert.equal((big.match(/^ {4}10\.0\.1\.\d+:4444/gm) ?? []).length, 10, 'at most 10 nodes listed');
  assert.match(big, /and 4 more/);
  assert.doesNotMatch(joinCard({ addresses: ['10.0.0.5'], port: 4444, channel: '#lobby', qr: null }), /One server on/, 'no cluster part for a lone server');
});

test('mDNS: a cluster node announces cluster and node in TXT; browsing groups one cluster as one server', () => {
  const txt = tincanTxt({ serverName: 'tincan.local', version: '1', cluster: { name: 'school', node: 'n2' } });
  assert.equal(txt['cluster'], 'school');
  assert.equal(txt['node'], 'n2');
  assert.equal(tincanTxt({ serverName: 'tincan.local', version: '1' })['cluster'], undefined);
  const f = (name: string, host: string, t: Record<string, string>, kind: 'tincan' | 'irc' = 'tincan'): FoundServer => ({ name, kind, host, port: 4444, addresses: [host], txt: { name: 'tincan.local', ...t } });
  const groups = groupServers([
    f('tincan on a', '10.0.0.5', { cluster: 'school', node: 'a' }),
    f('tincan on lone', '10.0.0.9', {}),
    f('tincan on b', '10.0.0.6', { cluster: 'school', node: 'b' }),
    f('tincan on x', '10.0.0.7', { cluster: 'other', node: 'x' }),
    f('ngircd', '10.0.0.8', { cluster: 'school' }, 'irc'),
  ]);
  assert.deepEqual(
    groups.map((g) => [g.host, g.others.map((o) => o.host)]),
    [
      ['10.0.0.5', ['10.0.0.6']],
      ['10.0.0.9', []],
      ['10.0.0.7', []],
      ['10.0.0.8', []],
    ],
  );
});
