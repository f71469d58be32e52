/**
 * The HTTP details of shared files: what type a file is served as (from its first
 * bytes), its Content-Disposition, the declared length of an upload, and the plain-text
 * refusal that closes a connection whose body it will not read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasBody } from '../transports/web-server.js';

/** Sniffs the inline image types from the first bytes; anything else is an attachment. */
export function sniffType(head: Buffer): string {
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 6 && /^GIF8[79]a$/.test(head.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (head.length >= 12 && head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return 'application/octet-stream';
}

/** RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  // eslint-disable-next-line no-control-regex
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  const utf8 = encodeURIComponent(name).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

/** Content-Length as a number, null when absent (chunked), 'bad' when malformed. */
export function declaredLength(req: IncomingMessage): number | null | 'bad' {
  const cl = req.headers['content-length'];
  if (cl === undefined) return null;
  if (!/^\s*\d{1,16}\s*$/.test(cl)) return 'bad';
  return Number(cl);
}

/** How long a refused upload's socket lingers (to deliver the answer) before it is destroyed. */
const REFUSED_LINGER_MS = 1000;

/**
 * A plain-text refusal. When the request has a body that will not be read, the
 * connection is closed after the answer instead of reading (or waiting for) the rest.
 */
export function refuse(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  const req = res.req;
  const body = text + '\n';
  const unread = hasBody(req) && !req.complete;
  if (unread) {
    res.shouldKeepAlive = false;
    req.socket.pause();
  }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...(unread ? { Connection: 'close' } : {}), ...extra });
  res.end(body);
  if (unread) {
    res.once('finish', () => {
      const socket = req.socket;
      const t = setTimeout(() => socket.destroy(), REFUSED_LINGER_MS);
      t.unref();
      socket.once('close', () => clearTimeout(t));
    });
  }
}
