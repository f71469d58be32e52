import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isPeerAllowed,
  addressGroup,
  onLinkMatcher,
  isPrivateAddress,
  makeAllowList,
  normalizeAddress,
  parseCidr,
} from '../../../src/util/netmask.js';

const table: Array<[string, boolean]> = [
  ['127.0.0.1', true],
  ['127.255.1.2', true],
  ['::1', true],
  ['10.1.2.3', true],
  ['172.16.0.1', true],
  ['172.31.255.255', true],
  ['172.32.0.1', false],
  ['172.15.255.255', false],
  ['192.168.1.20', true],
  ['192.169.0.1', false],
  ['169.254.10.10', true],
  ['100.64.0.1', true],
  ['100.127.255.255', true],
  ['100.128.0.1', false],
  ['fe80::1', true],
  ['fe80::1%eth0', true],
  ['febf::1', true],
  ['fec0::1', false],
  ['fd12:3456::1', true],
  ['fc00::1', true],
  ['::ffff:192.168.0.5', true],
  ['::ffff:127.0.0.1', true],
  ['::FFFF:10.0.0.1', true],
  ['::ffff:8.8.8.8', false],
  ['8.8.8.8', false],
  ['1.1.1.1', false],
  ['2001:4860:4860::8888', false],
  ['::', false],
  ['not-an-ip', false],
  ['', false],
];

for (const [ip, expected] of table) {
  test(`isPrivateAddress(${JSON.stringify(ip)}) === ${expected}`, () => {
    assert.equal(isPrivateAddress(ip), expected);
  });
}

test('normalizeAddress unwraps IPv4-mapped and strips zones', () => {
  assert.equal(normalizeAddress('::ffff:1.2.3.4'), '1.2.3.4');
  assert.equal(normalizeAddress('fe80::1%en0'), 'fe80::1');
  assert.equal(normalizeAddress('2001:db8::1'), '2001:db8::1');
});

test('parseCidr accepts CIDRs and bare addresses', () => {
  assert.deepEqual(parseCidr('203.0.113.0/24'), { address: '203.0.113.0', prefix: 24, family: 'ipv4' });
  assert.deepEqual(parseCidr('2001:db8::/32'), { address: '2001:db8::', prefix: 32, family: 'ipv6' });
  assert.deepEqual(parseCidr('198.51.100.7'), { address: '198.51.100.7', prefix: 32, family: 'ipv4' });
  assert.deepEqual(parseCidr('::ffff:203.0.113.0/120'), { address: '203.0.113.0', prefix: 24, family: 'ipv4' });
});

test('parseCidr errors are clear', () => {
  assert.throws(() => parseCidr('1.2.3.4/33'), /invalid CIDR "1\.2\.3\.4\/33": prefix length must be an integer from 0 to 32, found "33"/);
  assert.throws(() => parseCidr('2001:db8::/129'), /from 0 to 128/);
  assert.throws(() => parseCidr('banana/8'), /"banana" is not an IPv4 or IPv6 address/);
  assert.throws(() => parseCidr('10.0.0.0/x'), /found "x"/);
  assert.throws(() => parseCidr('10.0.0.0/'), /found ""/);
});

test('makeAllowList matches v4, v6 and IPv4-mapped peers', () => {
  const allowed = makeAllowList(['203.0.113.0/24', '2001:db8::/32']);
  assert.equal(allowed('203.0.113.9'), true);
  assert.equal(allowed('::ffff:203.0.113.9'), true);
  assert.equal(allowed('203.0.114.1'), false);
  assert.equal(allowed('2001:db8:1::5'), true);
  assert.equal(allowed('2001:db9::5'), false);
  assert.equal(allowed('garbage'), false);
  assert.equal(makeAllowList([])('203.0.113.9'), false);
  assert.throws(() => makeAllowList(['10.0.0.0/8', 'nope']), /invalid CIDR "nope"/);
});

test('isPeerAllowed: private always, public IPs only with public or allow', () => {
  const local = { public: false, allow: [] as string[] };
  assert.equal(isPeerAllowed('192.168.1.5', local), true);
  assert.equal(isPeerAllowed('8.8.8.8', local), false);
  assert.equal(isPeerAllowed('8.8.8.8', { public: true, allow: [] }), true);
  const withAllow = { public: false, allow: Object.freeze(['8.8.8.0/24']) as string[] };
  assert.equal(isPeerAllowed('8.8.8.8', withAllow), true);
  assert.equal(isPeerAllowed('::ffff:8.8.8.8', withAllow), true);
  assert.equal(isPeerAllowed('8.8.4.4', withAllow), false);
});

test('addressGroup: IPv6 peers are grouped by prefix, IPv4 by address', () => {
  // one SLAAC host: many addresses in one /64 share one key
  const a = addressGroup('2001:db8:1:2::1', 64);
  assert.equal(a, '2001:db8:1:2::/64');
  assert.equal(addressGroup('2001:db8:1:2:aaaa:bbbb:cccc:dddd', 64), a);
  assert.equal(addressGroup('2001:0db8:0001:0002:ffff::9%eth0', 64), a, 'zone and leading zeros normalized');
  assert.notEqual(addressGroup('2001:db8:1:3::1', 64), a, 'the next /64 is another group');
  assert.equal(addressGroup('2001:db8:1:3::1', 48), addressGroup('2001:db8:1:2::1', 48));
  assert.equal(addressGroup('2001:db8:1:2:8000::1', 65), '2001:db8:1:2:8000::/65');
  assert.notEqual(addressGroup('2001:db8:1:2:8000::1', 65), addressGroup('2001:db8:1:2::1', 65));
  assert.equal(addressGroup('2001:db8::1', 128), '2001:db8::1', '/128 = one address');
  assert.equal(addressGroup('64:ff9b::1.2.3.4', 96), '64:ff9b::/96');
  assert.equal(addressGroup('::', 64), '::/64');
  // IPv4 (and IPv4-mapped) stay single addresses
  assert.equal(addressGroup('192.168.1.5', 64), '192.168.1.5');
  assert.equal(addressGroup('::ffff:192.168.1.5', 64), '192.168.1.5');
});

test('on-link subnets count as local, with injected interfaces', () => {
  const ifaces = {
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
    eth0: [
      { address: '130.237.5.10', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '130.237.5.10/24' },
      { address: '2001:db8:5::10', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: '2001:db8:5::10/64', scopeid: 0 },
    ],
    tun0: [{ address: '203.0.113.1', netmask: '0.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: false, cidr: '203.0.113.1/0' }],
  } as unknown as Parameters<typeof onLinkMatcher>[0];
  const onLink = onLinkMatcher(ifaces);
  assert.equal(onLink('130.237.5.77'), true, 'a neighbour on the campus /24');
  assert.equal(onLink('::ffff:130.237.5.77'), true);
  assert.equal(onLink('130.237.6.77'), false, 'the next subnet is not ours');
  assert.equal(onLink('2001:db8:5::abcd'), true);
  assert.equal(onLink('2001:db8:6::1'), false);
  assert.equal(onLink('8.8.8.8'), false, 'a /0 interface does not make the world local');
  const local = { public: false, allow: [] };
  assert.equal(isPeerAllowed('130.237.5.77', local, onLink), true);
  assert.equal(isPeerAllowed('130.237.6.77', local, onLink), false);
  assert.equal(isPeerAllowed('130.237.5.77', local, () => false), false, 'without the on-link check it was refused');
  assert.equal(onLinkMatcher({})('130.237.5.77'), false);
});
