/**
 * The PROXY protocol (HAProxy, versions 1 and 2: https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt),
 * read before first-bytes detection from peers in `connections.trustedProxies` only, so a
 * reverse proxy's clients get their own address for the peer policy, the per-address
 * caps and their session's host. From any other peer a PROXY header is refused.
 *
 * The parser is pure and bounded: a v1 line is at most 107 bytes, a v2 header's length
 * field is checked against V2_MAX_BYTES before anything is buffered beyond it.
 */
import { isIPv4, isIPv6, type Socket } from 'node:net';
import { makeAllowList, normalizeAddress } from '../util/netmask.js';

/** The 12-byte v2 signature (spec 2.2). */
export const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
/** A v1 line with its CRLF, at most (spec 2.1). */
export const V1_MAX_BYTES = 107;
/** A whole v2 header (16 fixed bytes + addresses + TLVs) we accept; the spec allows 64 KiB of TLVs, proxies send far less. */
export const V2_MAX_BYTES = 16 + 2048;
/** How long a trusted proxy gets to send its header. */
export const PROXY_TIMEOUT_MS = 5000;

const V1_PREFIX = Buffer.from('PROXY ', 'latin1');

export type ProxyParse =
  /** not a PROXY header at all (a direct connection from a trusted address) */
  | { kind: 'none' }
  | { kind: 'need-more' }
  | { kind: 'error'; reason: string }
  /** `source` null: LOCAL / UNKNOWN / a non-IP family: keep the socket's own address */
  | { kind: 'ok'; version: 1 | 2; source: { address: string; port: number } | null; length: number };

/** True when `buf` starts with as much of `sig` as it has. */
function startsLike(buf: Buffer, sig: Buffer): boolean {
  const n = Math.min(buf.length, sig.length);
  return buf.subarray(0, n).equals(sig.subarray(0, n));
}

/** Canonical text form (`::1`, not `0:0:...:1`); IPv4-mapped unwrapped. */
function canonicalV6(a: string): string {
  const c = new URL(`http://[${a}]/`).hostname.slice(1, -1);
  // the URL parser writes IPv4-mapped as ::ffff:a01:203
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(c);
  if (m === null) return normalizeAddress(c);
  const hi = parseInt(m[1]!, 16);
  const lo = parseInt(m[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

function port(s: string): number | null {
  if (!/^(0|[1-9]\d{0,4})$/.test(s)) return null;
  const p = Number(s);
  return p <= 65535 ? p : null;
}

function parseV1(buf: Buffer): ProxyParse {
  const lf = buf.subarray(0, V1_MAX_BYTES).indexOf(0x0a);
  if (lf === -1) return buf.length >= V1_MAX_BYTES ? { kind: 'error', reason: 'PROXY v1 line longer than 107 bytes' } : { kind: 'need-more' };
  if (lf === 0 || buf[lf - 1] !== 0x0d) return { kind: 'error', reason: 'PROXY v1 line not ended by CRLF' };
  const length = lf + 1;
  const parts = buf.toString('latin1', 0, lf - 1).split(' ');
  const proto = parts[1];
  if (proto === 'UNKNOWN') return { kind: 'ok', version: 1, source: null, length };
  if ((proto !== 'TCP4' && proto !== 'TCP6') || parts.length !== 6) return { kind: 'error', reason: 'malformed PROXY v1 line' };
  const [, , src, dst, sp, dp] = parts as [string, string, string, string, string, string];
  const ok = proto === 'TCP4' ? isIPv4 : isIPv6;
  const sport = port(sp);
  if (!ok(src) || !ok(dst) || sport === null || port(dp) === null) return { kind: 'error', reason: 'malformed PROXY v1 addresses' };
  return { kind: 'ok', version: 1, source: { address: proto === 'TCP4' ? src : canonicalV6(src), port: sport }, length };
}

function parseV2(buf: Buffer): ProxyParse {
  if (buf.length < 16) return { kind: 'need-more' };
  const verCmd = buf[12]!;
  if (verCmd >> 4 !== 2) return { kind: 'error', reason: 'unsupported PROXY v2 version' };
  const cmd = verCmd & 0x0f;
  if (cmd > 1) return { kind: 'error', reason: 'unknown PROXY v2 command' };
  const len = buf.readUInt16BE(14);
  const length = 16 + len;
  if (length > V2_MAX_BYTES) return { kind: 'error', reason: `PROXY v2 header longer than ${V2_MAX_BYTES} bytes` };
  if (buf.length < length) return { kind: 'need-more' };
  // LOCAL: the proxy's own connection (a health check); keep its address
  if (cmd === 0) return { kind: 'ok', version: 2, source: null, length };
  const family = buf[13]! >> 4;
  if (family === 1) {
    if (len < 12) return { kind: 'error', reason: 'PROXY v2 IPv4 block too short' };
    const address = `${buf[16]}.${buf[17]}.${buf[18]}.${buf[19]}`;
    return { kind: 'ok', version: 2, source: { address, port: buf.readUInt16BE(24) }, length };
  }
  if (family === 2) {
    if (len < 36) return { kind: 'error', reason: 'PROXY v2 IPv6 block too short' };
    const groups: string[] = [];
    for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(16 + 2 * i).toString(16));
    return { kind: 'ok', version: 2, source: { address: canonicalV6(groups.join(':')), port: buf.readUInt16BE(48) }, length };
  }
  // AF_UNSPEC or AF_UNIX: no IP address to use
  return { kind: 'ok', version: 2, source: null, length };
}

/** Parses a PROXY v1 or v2 header at the start of `buf`. */
export function parseProxyHeader(buf: Buffer): ProxyParse {
  if (buf.length === 0) return { kind: 'need-more' };
  if (startsLike(buf, V2_SIGNATURE)) return buf.length < V2_SIGNATURE.length ? { kind: 'need-more' } : parseV2(buf);
  if (startsLike(buf, V1_PREFIX)) return buf.length < V1_PREFIX.length ? { kind: 'need-more' } : parseV1(buf);
  return { kind: 'none' };
}

/**
 * Whether the first bytes of a connection are a PROXY header (for refusing one from an
 * untrusted address). Whole signatures only: a telnet user's first CRLF is not one.
 */
export function looksLikeProxyHeader(head: Buffer): boolean {
  if (head.length >= V2_SIGNATURE.length && head.subarray(0, V2_SIGNATURE.length).equals(V2_SIGNATURE)) return true;
  return /^PROXY (TCP4|TCP6|UNKNOWN)[ \r]/.test(head.toString('latin1', 0, 16));
}

const trustCache = new WeakMap<readonly string[], (ip: string) => boolean>();

/** Whether `ip` is one of `connections.trustedProxies` (config arrays are frozen: compiled once per config). */
export function isTrustedProxy(ip: string, trusted: readonly string[]): boolean {
  if (trusted.length === 0) return false;
  let m = trustCache.get(trusted);
  if (m === undefined) {
    m = makeAllowList(trusted);
    trustCache.set(trusted, m);
  }
  return m(ip);
}

/** The line a PROXY header from an untrusted address gets before the connection is closed. */
export function untrustedProxyMessage(ip: string): string {
  return `ERROR :Closing link: ${ip} sent a PROXY protocol header, but is not in connections.trustedProxies`;
}

export type ProxyRead =
  | { ok: true; address: string | null; rest: Buffer }
  | { ok: false; reason: string };

/**
 * Reads a PROXY header from a trusted proxy's `socket`, then calls `done` once with the
 * client's address (null: keep the socket's) and the bytes after the header. A
 * connection without a header is passed through unchanged (`address` null, `rest` all
 * it sent). The socket is left paused: the caller attaches its reader, then resumes.
 * Not called if the socket closes first.
 */
export function readProxyHeader(socket: Socket, timeoutMs: number, done: (r: ProxyRead) => void): void {
  let head: Buffer = Buffer.alloc(0);
  let over = false;
  const finish = (r: ProxyRead | null): void => {
    if (over) return;
    over = true;
    // paused so nothing is lost between our listener and the caller's
    socket.pause();
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('close', onClose);
    if (r !== null && !socket.destroyed) done(r);
  };
  const onData = (chunk: Buffer): void => {
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    const p = parseProxyHeader(head);
    if (p.kind === 'need-more') return;
    if (p.kind === 'none') finish({ ok: true, address: null, rest: head });
    else if (p.kind === 'error') finish({ ok: false, reason: p.reason });
    else finish({ ok: true, address: p.source?.address ?? null, rest: head.subarray(p.length) });
  };
  const onEnd = (): void => finish({ ok: false, reason: 'connection ended inside a PROXY header' });
  const onClose = (): void => finish(null);
  // silence: a direct listener from the trusted address (no header); half a header: refused
  const timer = setTimeout(() => finish(head.length === 0 ? { ok: true, address: null, rest: head } : { ok: false, reason: 'no complete PROXY header in time' }), timeoutMs);
  timer.unref();
  socket.on('data', onData);
  socket.once('end', onEnd);
  socket.once('close', onClose);
}
