/**
 * TCP (and TLS) transport for the client model, Node only: connects, splits incoming
 * bytes into lines (CRLF or LF, at most 64 KiB per line), writes lines with CRLF.
 *
 * TLS without a CA (`tls: 'auto'` or `true`): the server's certificate is checked against
 * the fingerprint it published (mDNS TXT `fp`), else, unless a system CA vouches for it,
 * against the pin stored on first use (known-servers.ts). A different certificate ends the connection with a fatal error
 * naming both fingerprints; the client does not reconnect. In 'auto' mode a server that
 * does not speak TLS (handshake refused or no answer within tlsTimeoutMs) is used in
 * plaintext, unless a pin or published fingerprint says it spoke TLS before.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { TransportFactory } from './irc-client.js';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { colonFingerprint, normalizeFingerprint, serverKey, type PinStore } from './known-servers.js';
import { nodesFromJson, type NodeAddress } from './failover.js';

export interface TcpTarget {
  host: string;
  port: number;
  /** true: TLS only; 'auto': TLS when the server speaks it; false/absent: plaintext */
  tls?: boolean | 'auto';
  /** the fingerprint the server published (mDNS TXT `fp`): the certificate must match it */
  fingerprint?: string;
  /** trust on first use, when no fingerprint was published */
  pins?: PinStore;
  /** tells the user what happened (encrypted and pinned, verified, not encrypted) */
  notify?: (text: string) => void;
  /** called with the fatal error when the certificate does not match */
  onFatal?: (err: FatalTransportError) => void;
  /** give up connecting after this long (default 10 s) */
  timeoutMs?: number;
  /** 'auto': how long the TLS handshake may take before plaintext is tried (default 3 s) */
  tlsTimeoutMs?: number;
  /** each connection that opens: the certificate accepted (normalized SHA-256), null in plaintext */
  onSecure?: (fingerprint: string | null) => void;
}

/** An error after which reconnecting is pointless (the certificate changed). */
export class FatalTransportError extends Error {
  readonly fatal = true;
}

const MAX_LINE = 65536;
/** errors plaintext would hit just the same: no point falling back */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

export function tcpTransport(target: TcpTarget): TransportFactory {
  const key = serverKey(target.host, target.port);
  /** 'auto' found a plaintext-only server: reconnects go straight to plaintext */
  let plainOnly = false;
  /** said once per target, not on every reconnect */
  let told = '';
  const notify = (text: string): void => {
    if (told === text) return;
    told = text;
    target.notify?.(text);
  };

  /**
   * null when `got` is acceptable, else the fatal error. `caValid`: the certificate chains
   * to a system CA and names the host; then nothing is pinned (such certificates are
   * renewed every few months), unless the server published a fingerprint.
   */
  const check = (got: string, caValid: boolean): FatalTransportError | null => {
    const published = target.fingerprint === undefined ? undefined : normalizeFingerprint(target.fingerprint);
    if (caValid && published === undefined) {
      notify(`Encrypted (TLS), certificate verified by a certificate authority.`);
      return null;
    }
    const pinned = target.pins?.get(key);
    const expected = published ?? pinned;
    if (expected === undefined) {
      target.pins?.set(key, got);
      notify(`Encrypted (TLS). First connection to ${key}: its certificate is now trusted for next time (SHA-256 ${colonFingerprint(got)}, stored in ${target.pins?.path ?? 'memory'}).`);
      return null;
    }
    if (expected === got) {
      if (published !== undefined && pinned === undefined) target.pins?.set(key, got);
      notify(`Encrypted (TLS), certificate verified (${published !== undefined ? 'the fingerprint the server announced on the network' : 'the one pinned on first use'}).`);
      return null;
    }
    const source = published !== undefined ? 'announced by the server on the local network (mDNS)' : `pinned on first use in ${target.pins?.path ?? 'memory'}`;
    const fix =
      published !== undefined
        ? 'Someone on the network may be impersonating the server. Not connecting.'
        : `Someone may be intercepting the connection, or the server has a new certificate. Not connecting. If the server's owner confirms the new fingerprint (it is on their join card), delete the line for ${key} from ${target.pins?.path ?? 'the pin store'} and connect again.`;
    return new FatalTransportError(
      `the TLS certificate of ${key} has CHANGED.\n  expected SHA-256 ${colonFingerprint(expected)} (${source})\n  got      SHA-256 ${colonFingerprint(got)}\n${fix}`,
    );
  };

  return (h) => {
    let closed = false;
    /** close() was called: no fallback to plaintext */
    let ending = false;
    let opened = false;
    let buf = '';
    let error: Error | undefined;
    let sock: Socket;
    const mode = target.tls ?? false;

    const start = (useTls: boolean): void => {
      const s: Socket = useTls
        ? tlsConnect({ host: target.host, port: target.port, rejectUnauthorized: false, ...(isIP(target.host) === 0 ? { servername: target.host } : {}) })
        : netConnect({ host: target.host, port: target.port });
      sock = s;
      error = undefined;
      s.setEncoding('utf8');
      s.setNoDelay(true);
      const fallbackMs = useTls && mode === 'auto' ? (target.tlsTimeoutMs ?? 3000) : (target.timeoutMs ?? 10000);
      s.setTimeout(fallbackMs, () => {
        if (!opened) s.destroy(new Error(useTls ? 'TLS handshake timed out' : 'connection timed out'));
      });
      s.on(useTls ? 'secureConnect' : 'connect', () => {
        if (useTls) {
          const ts = s as TLSSocket;
          const x509 = ts.getPeerX509Certificate();
          const got = normalizeFingerprint(x509?.fingerprint256 ?? '');
          // chains to a trusted CA and names the host we dialled
          const names = x509 !== undefined && (isIP(target.host) !== 0 ? x509.checkIP(target.host) !== undefined : x509.checkHost(target.host) !== undefined);
          const caValid = ts.authorized && names;
          const bad = check(got, caValid);
          if (bad !== null) {
            target.onFatal?.(bad);
            s.destroy(bad);
            return;
          }
          target.onSecure?.(got);
        } else {
          if (mode === 'auto') {
            plainOnly = true;
            notify(`Not encrypted: ${key} does not speak TLS.`);
          }
          target.onSecure?.(null);
        }
        opened = true;
        s.setTimeout(0);
        s.setKeepAlive(true, 30000);
        h.onOpen();
      });
      s.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).replace(/\r$/, '');
          buf = buf.slice(nl + 1);
          if (line.length > 0) h.onLine(line);
        }
        if (buf.length > MAX_LINE) buf = '';
      });
      s.on('error', (e) => {
        error = e;
      });
      s.on('close', () => {
        if (s !== sock || closed) return;
        const code = (error as NodeJS.ErrnoException | undefined)?.code;
        const known = target.fingerprint !== undefined || target.pins?.get(key) !== undefined;
        // the server answered but not in TLS (or not at all): plaintext, unless it spoke TLS before
        if (useTls && mode === 'auto' && !opened && !ending && !known && !(error instanceof FatalTransportError) && !(code !== undefined && NETWORK_ERRORS.has(code))) {
          start(false);
          return;
        }
        closed = true;
        h.onClose(error);
      });
    };
    start(mode === true || (mode === 'auto' && !plainOnly));

    return {
      send(line: string) {
        if (!sock.destroyed && sock.writable) sock.write(line + '\r\n');
      },
      close() {
        ending = true;
        const s = sock;
        s.end();
        setTimeout(() => s.destroy(), 500).unref();
      },
    };
  };
}

/** Largest /nodes.json body read. */
const MAX_NODES_BODY = 64 * 1024;

/**
 * GET /nodes.json from the node the chat is connected to (the same port), over TLS when
 * the chat is, refusing a certificate other than the one the chat accepted: a list of
 * nodes from anyone else could send the next failover to a stranger. Resolves with the
 * addresses, [] on any failure (a server that is not tincan, a timeout, a bad body).
 */
export function fetchNodeList(host: string, port: number, fingerprint: string | null, timeoutMs = 5000): Promise<NodeAddress[]> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: NodeAddress[]): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve(v);
    };
    const opts = { host, port, path: '/nodes.json', method: 'GET', headers: { Host: serverKey(host, port), Accept: 'application/json' }, agent: false as const };
    const req = fingerprint === null ? httpRequest(opts) : httpsRequest({ ...opts, rejectUnauthorized: false, ...(isIP(host) === 0 ? { servername: host } : {}) });
    const timer = setTimeout(() => finish([]), timeoutMs);
    timer.unref();
    req.on('error', () => finish([]));
    req.on('response', (res) => {
      if (fingerprint !== null) {
        const got = normalizeFingerprint((res.socket as TLSSocket).getPeerX509Certificate?.()?.fingerprint256 ?? '');
        if (got !== fingerprint) return finish([]);
      }
      if (res.statusCode !== 200) return finish([]);
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
        if (body.length > MAX_NODES_BODY) finish([]);
      });
      res.on('end', () => {
        try {
          finish(nodesFromJson(JSON.parse(body)));
        } catch {
          finish([]);
        }
      });
      res.on('error', () => finish([]));
    });
    req.end();
  });
}
