/**
 * TCP (and TLS) transport for the client model, Node only: connects, splits incoming
 * bytes into lines (CRLF or LF, at most 64 KiB per line), writes lines with CRLF.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TransportFactory } from './irc-client.js';

export interface TcpTarget {
  host: string;
  port: number;
  tls?: boolean;
  /** give up connecting after this long (default 10 s) */
  timeoutMs?: number;
}

const MAX_LINE = 65536;

export function tcpTransport(target: TcpTarget): TransportFactory {
  return (h) => {
    let closed = false;
    let buf = '';
    const sock: Socket = target.tls
      ? tlsConnect({ host: target.host, port: target.port, servername: target.host, rejectUnauthorized: false })
      : netConnect({ host: target.host, port: target.port });
    sock.setEncoding('utf8');
    sock.setNoDelay(true);
    sock.setTimeout(target.timeoutMs ?? 10000, () => {
      if (sock.connecting) sock.destroy(new Error('connection timed out'));
    });
    sock.on(target.tls ? 'secureConnect' : 'connect', () => {
      sock.setTimeout(0);
      sock.setKeepAlive(true, 30000);
      h.onOpen();
    });
    sock.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        if (line.length > 0) h.onLine(line);
      }
      if (buf.length > MAX_LINE) buf = '';
    });
    let error: Error | undefined;
    sock.on('error', (e) => {
      error = e;
    });
    sock.on('close', () => {
      if (closed) return;
      closed = true;
      h.onClose(error);
    });
    return {
      send(line: string) {
        if (!sock.destroyed && sock.writable) sock.write(line + '\r\n');
      },
      close() {
        sock.end();
        setTimeout(() => sock.destroy(), 500).unref();
      },
    };
  };
}
