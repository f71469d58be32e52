/**
 * Address classification for the "local network only" default, and CIDR allow lists.
 * Built on node:net BlockList. A neutral utility: imports nothing from the project, so
 * config (CIDR validation), core (address groups) and transports (peer policy) share it.
 */
import { BlockList, isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export type IpFamily = 'ipv4' | 'ipv6';

export interface Cidr {
  address: string;
  prefix: number;
  family: IpFamily;
}

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * Canonical form of a peer address for display and keying: strips an IPv6 zone
 * ("fe80::1%eth0") and unwraps IPv4-mapped IPv6 ("::ffff:10.0.0.1" -> "10.0.0.1").
 */
export function normalizeAddress(ip: string): string {
  let s = ip;
  const pct = s.indexOf('%');
  if (pct !== -1) s = s.slice(0, pct);
  const m = MAPPED_V4.exec(s);
  if (m !== null && m[1] !== undefined && isIP(m[1]) === 4) return m[1];
  return s;
}

function familyOf(ip: string): IpFamily | null {
  const v = isIP(ip);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : null;
}

const PRIVATE_RANGES: ReadonlyArray<readonly [string, number, IpFamily]> = [
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['10.0.0.0', 8, 'ipv4'], // RFC 1918
  ['172.16.0.0', 12, 'ipv4'], // RFC 1918
  ['192.168.0.0', 16, 'ipv4'], // RFC 1918
  ['169.254.0.0', 16, 'ipv4'], // link-local
  ['100.64.0.0', 10, 'ipv4'], // CGNAT (RFC 6598; also Tailscale)
  ['::1', 128, 'ipv6'], // loopback
  ['fe80::', 10, 'ipv6'], // link-local
  ['fc00::', 7, 'ipv6'], // unique local
];

const privateList = new BlockList();
for (const [addr, prefix, family] of PRIVATE_RANGES) privateList.addSubnet(addr, prefix, family);

/** the last address isPrivateAddress() was asked about, and its answer */
let lastPeer = '';
let lastPeerPrivate = false;

/** Loopback, RFC 1918, link-local, ULA, CGNAT (IPv4-mapped IPv6 included). Invalid -> false. */
export function isPrivateAddress(ip: string): boolean {
  // asked for every accepted connection, mostly about the address asked last (one LAN
  // host, a benchmark's loopback): BlockList.check builds a SocketAddress per call
  if (ip === lastPeer) return lastPeerPrivate;
  const a = normalizeAddress(ip);
  const family = familyOf(a);
  lastPeerPrivate = family !== null && privateList.check(a, family);
  lastPeer = ip;
  return lastPeerPrivate;
}

/** Parses "10.0.0.0/8", "fd00::/8" or a bare address (a /32 or /128). Throws with a clear message. */
export function parseCidr(s: string): Cidr {
  if (typeof s !== 'string') throw new Error(`invalid CIDR ${String(s)}: expected a string like "192.168.1.0/24"`);
  const text = s.trim();
  const slash = text.indexOf('/');
  const addrPart = slash === -1 ? text : text.slice(0, slash);
  const address = normalizeAddress(addrPart);
  const family = familyOf(address);
  if (family === null || addrPart.includes('%')) {
    throw new Error(`invalid CIDR "${s}": "${addrPart}" is not an IPv4 or IPv6 address (expected e.g. "192.168.1.0/24" or "fd00::/8")`);
  }
  const mapped = address !== addrPart; // written as ::ffff:a.b.c.d
  const max = family === 'ipv4' && !mapped ? 32 : 128;
  let prefix = family === 'ipv4' ? 32 : 128;
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) {
      throw new Error(`invalid CIDR "${s}": prefix length must be an integer from 0 to ${max}, found "${p}"`);
    }
    prefix = Number(p);
    // an IPv4-mapped address given with an IPv6 prefix: translate to the IPv4 prefix
    if (mapped) {
      if (prefix < 96) throw new Error(`invalid CIDR "${s}": an IPv4-mapped prefix must be at least /96`);
      prefix -= 96;
    }
  }
  return { address, prefix, family };
}

/** Builds a matcher for a list of CIDRs (validated; throws naming the bad entry). */
export function makeAllowList(cidrs: readonly string[]): (ip: string) => boolean {
  if (cidrs.length === 0) return () => false;
  const list = new BlockList();
  for (const c of cidrs) {
    const { address, prefix, family } = parseCidr(c);
    list.addSubnet(address, prefix, family);
  }
  return (ip: string): boolean => {
    const a = normalizeAddress(ip);
    const family = familyOf(a);
    return family !== null && list.check(a, family);
  };
}

const allowCache = new WeakMap<readonly string[], (ip: string) => boolean>();

/**
 * Whether a peer may connect under this config: always when `public`, else private
 * addresses and those matching `allow`. (Config arrays are frozen, so the compiled
 * allow list is cached per config.)
 */
export function isPeerAllowed(
  ip: string,
  config: { readonly public: boolean; readonly allow: readonly string[] },
  onLink: (ip: string) => boolean = isOnLinkAddress,
): boolean {
  if (config.public) return true;
  if (isPrivateAddress(ip)) return true;
  // a neighbour on one of our own subnets is local even with a public address (campus LANs)
  if (onLink(ip)) return true;
  if (config.allow.length === 0) return false;
  let match = allowCache.get(config.allow);
  if (match === undefined) {
    match = makeAllowList(config.allow);
    allowCache.set(config.allow, match);
  }
  return match(ip);
}

/** Eight 16-bit groups of an IPv6 address (no zone, no IPv4-mapped shortcut), or null. */
function ipv6Groups(ip: string): number[] | null {
  if (isIP(ip) !== 6) return null;
  let s = ip;
  // a trailing dotted IPv4 part ("64:ff9b::1.2.3.4") becomes two groups
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4 !== null) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    s = s.slice(0, v4.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const dbl = s.indexOf('::');
  const head = dbl === -1 ? s.split(':') : s.slice(0, dbl).split(':').filter((x) => x !== '');
  const tail = dbl === -1 ? [] : s.slice(dbl + 2).split(':').filter((x) => x !== '');
  const zeros = 8 - head.length - tail.length;
  if (zeros < 0 || (dbl === -1 && zeros !== 0)) return null;
  return [...head, ...Array<string>(zeros).fill('0'), ...tail].map((h) => parseInt(h, 16));
}

/**
 * The key per-address limits count by: an IPv4 address itself, an IPv6 address's
 * /`ipv6Prefix` network ("2001:db8:1:2::/64"), since one host can hold any number of
 * addresses in its own /64 (SLAAC, privacy addresses). Zone and IPv4-mapped forms are
 * normalized first.
 */
export function addressGroup(ip: string, ipv6Prefix: number): string {
  const a = normalizeAddress(ip);
  if (ipv6Prefix >= 128) return a;
  const g = ipv6Groups(a);
  if (g === null) return a;
  let bits = ipv6Prefix;
  const masked = g.map((x) => {
    const keep = Math.max(0, Math.min(16, bits));
    bits -= 16;
    return keep === 0 ? 0 : x & (0xffff << (16 - keep)) & 0xffff;
  });
  // canonical-enough text: groups in hex, trailing zero groups collapsed
  let last = 8;
  while (last > 0 && masked[last - 1] === 0) last--;
  const text = masked.slice(0, last).map((x) => x.toString(16)).join(':');
  return `${text}${last < 8 ? '::' : ''}/${ipv6Prefix}`;
}

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** Narrowest prefix taken as "our subnet": a /0 route on a tunnel must not make the world local. */
const MIN_ONLINK_PREFIX: Readonly<Record<IpFamily, number>> = { ipv4: 8, ipv6: 32 };

/** A matcher for the subnets this machine's interfaces are on (address + netmask). */
export function onLinkMatcher(ifaces: Interfaces): (ip: string) => boolean {
  const list = new BlockList();
  let any = false;
  for (const infos of Object.values(ifaces)) {
    for (const info of infos ?? []) {
      if (info.cidr === null) continue;
      const slash = info.cidr.lastIndexOf('/');
      const prefix = Number(info.cidr.slice(slash + 1));
      const family: IpFamily = info.family === 'IPv4' ? 'ipv4' : 'ipv6';
      const address = normalizeAddress(info.address);
      if (!Number.isInteger(prefix) || prefix < MIN_ONLINK_PREFIX[family] || familyOf(address) !== family) continue;
      try {
        list.addSubnet(address, prefix, family);
        any = true;
      } catch {
        /* an address BlockList can't take: skip it */
      }
    }
  }
  if (!any) return () => false;
  return (ip: string): boolean => {
    const a = normalizeAddress(ip);
    const family = familyOf(a);
    return family !== null && list.check(a, family);
  };
}

/** How long the interface list is reused (addresses change rarely: DHCP, a new Wi-Fi). */
const ONLINK_CACHE_MS = 10_000;
let onLinkCache: { at: number; match: (ip: string) => boolean } | null = null;

/** Whether `ip` is on one of this machine's own subnets (os.networkInterfaces, cached 10 s). */
export function isOnLinkAddress(ip: string): boolean {
  const now = Date.now();
  if (onLinkCache === null || now - onLinkCache.at > ONLINK_CACHE_MS) {
    let match: (ip: string) => boolean = () => false;
    try {
      match = onLinkMatcher(networkInterfaces());
    } catch {
      /* no interface list (sandboxed): nothing is on-link */
    }
    onLinkCache = { at: now, match };
  }
  return onLinkCache.match(ip);
}

/** "host:port", an IPv6 address in brackets ("[::1]:4444"). */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
