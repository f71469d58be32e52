/**
 * `/upload PATH` in `tincan chat`: asks the server for a link (UPLOAD, shared
 * requestUploadLink), then PUTs the file to the same host and port the chat is connected
 * to (the server's own idea of its address may not be reachable from here), over TLS when
 * the link says https, checking the certificate against the one the chat accepted (its
 * pin or published fingerprint). Progress is reported at every 10% (at most 11 lines).
 * Node only.
 */
import { createReadStream, statSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { basename } from 'node:path';
import type { IrcClient } from '../shared/irc-client.js';
import { humanSize, requestUploadLink } from '../shared/uploads.js';
import { normalizeFingerprint, serverKey, type PinStore } from '../shared/known-servers.js';

export interface UploadTarget {
  host: string;
  port: number;
  /** the certificate the chat accepted: its published fingerprint, else the pin */
  fingerprint?: string;
  pins?: PinStore;
}

/** What /upload reports: progress lines and the outcome. */
export type Report = (text: string, kind?: 'info' | 'error') => void;

/** Uploads `path` to `to` (a room or nick); resolves when done (reports say how it went). */
export async function uploadFile(client: IrcClient, target: UploadTarget, path: string, to: string, report: Report): Promise<boolean> {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) {
      report(`${path} is not a file`, 'error');
      return false;
    }
    size = st.size;
  } catch (e) {
    report(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'error');
    return false;
  }
  const name = basename(path);
  let link: URL;
  try {
    link = new URL(await requestUploadLink(client, to));
  } catch (e) {
    report(`Upload of ${name}: ${(e as Error).message}`, 'error');
    return false;
  }
  const secure = link.protocol === 'https:';
  const hostHeader = target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
  const opts = {
    host: target.host,
    port: target.port,
    method: 'PUT',
    path: link.pathname + encodeURIComponent(name),
    headers: { 'Content-Length': String(size), Host: hostHeader, 'Content-Type': 'application/octet-stream' },
    agent: false as const,
  };
  report(`Uploading ${name} (${humanSize(size)}) to ${to}...`);
  return new Promise<boolean>((resolve) => {
    let settled = false;
    const done = (ok: boolean, text: string): void => {
      if (settled) return;
      settled = true;
      report(text, ok ? 'info' : 'error');
      resolve(ok);
    };
    const onResponse = (res: IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < 2000) body += d;
      });
      res.on('end', () => (res.statusCode === 201 ? done(true, `Shared ${name}: ${body.trim()}`) : done(false, `Upload of ${name} refused (${res.statusCode}): ${body.trim()}`)));
    };
    let req: ClientRequest;
    if (secure) {
      // the chat's own certificate check (node-transport.ts) already vouched for this server
      const want = target.fingerprint ?? target.pins?.get(serverKey(target.host, target.port));
      req = httpsRequest({ ...opts, rejectUnauthorized: false }, onResponse);
      req.once('socket', (s) => {
        s.once('secureConnect', () => {
          const got = (s as TLSSocket).getPeerCertificate().fingerprint256;
          if (want === undefined || got === undefined || normalizeFingerprint(got) !== normalizeFingerprint(want)) {
            req.destroy(new Error('the server certificate is not the one this chat trusts'));
          }
        });
      });
    } else req = httpRequest(opts, onResponse);
    req.on('error', (e) => done(false, `Upload of ${name} failed: ${e.message}`));
    let sent = 0;
    let shown = 0;
    const rs = createReadStream(path);
    rs.on('data', (chunk) => {
      sent += chunk.length;
      const pct = size === 0 ? 100 : Math.floor((100 * sent) / size);
      if (pct >= shown + 10 && pct < 100) {
        shown = pct - (pct % 10);
        report(`  ${name}: ${shown}% (${humanSize(sent)} of ${humanSize(size)})`);
      }
    });
    rs.on('error', (e) => {
      req.destroy();
      done(false, `Upload of ${name} failed reading the file: ${e.message}`);
    });
    rs.pipe(req);
  });
}
