/**
 * HTTP on the IRC port under abuse, over real sockets with small configured timeouts:
 * a half-sent head, a slowloris trickle, an idle keep-alive and request bodies on routes
 * that take none are all cut off (the http.Server never listens, so Node's own
 * timeouts never ran). Both the web app server and the placeholder page handler.
 */
import { strict as assert } from 'node:assert';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { IrcServer } from '../../src/core/server.js';
import { startTcpListener, type TcpListener } from '../../src/transports/tcp.js';
import { makeConfig } from '../helpers/harness.js';
import { startWebTincan, type WebTincan } from './web-harness.js';
import { plainDialect } from '../../src/gateway.js';

const WEB = { headTimeout: 0.4, requestTimeout: 1, keepAliveTimeout: 0.3 };
const T = { timeout: 10_000 };

interface Raw {
  socket: net.Socket;
  received: () => string;
  closed: Promise<number>;
}
/** A raw socket; `closed` resolves with ms from connect to close. */
function open(port: number): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const socket = net.connect({ port, host: '127.0.0.1' }, () => resolve({ socket, received: () => data, closed }));
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (data += d));
    socket.on('error', () => {});
    socket.once('error', reject);
    const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now() - start)));
  });
}

/** Streams `chunk` as fast as the server takes it until the socket closes; resolves with bytes written. */
function flood(socket: net.Socket, chunk: Buffer): Promise<number> {
  return new Promise((resolve) => {
    let written = 0;
    let done = false;
    socket.once('close', () => {
      done = true;
      resolve(written);
    });
    const pump = (): void => {
      while (!done && !socket.destroyed) {
        written += chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

const HEAD = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n';
const MiB = 1024 * 1024;

function abuseSuite(name: string, start: () => Promise<{ port: number; stop: () => Promise<void> }>, keepAlive: boolean): void {
  describe(name, () => {
    let port = 0;
    let stop: () => Promise<void> = async () => {};
    before(async () => {
      const s = await start();
      port = s.port;
      stop = s.stop;
    });
    after(() => stop());

    it('a half-sent request head is answered 408 and closed at the head deadline', T, async () => {
      const c = await open(port);
      c.socket.write(HEAD); // no blank line: the head never ends
      const ms = await c.closed;
      assert.match(c.received(), /^HTTP\/1\.1 408 /);
      assert.ok(ms < 5000, `closed after ${ms} ms`);
    });

    it('a slowloris trickle (a byte every 50 ms) does not extend the head deadline', T, async () => {
      const c = await open(port);
      c.socket.write('GET / HTTP/1.1\r\nX-Slow: ');
      let sent = 0;
      const trickle = setInterval(() => {
        if (!c.socket.destroyed) c.socket.write('a');
        sent++;
      }, 50);
      const ms = await c.closed;
      clearInterval(trickle);
      assert.match(c.received(), /^HTTP\/1\.1 408 /);
      // the deadline is 0.4 s from the start however much trickled in; well before 5 s
      assert.ok(ms < 3000, `closed after ${ms} ms`);
      assert.ok(sent > 2, 'the trickle was still going when the server hung up');
    });

    if (keepAlive) {
      it('an idle keep-alive connection is closed after keepAliveTimeout', T, async () => {
        const c = await open(port);
        c.socket.write(HEAD + '\r\n');
        const ms = await c.closed;
        assert.match(c.received(), /^HTTP\/1\.1 200 /);
        assert.ok(ms < 4000, `closed after ${ms} ms (Node's default keep-alive is 5 s)`);
      });
    }

    it('a chunked body on GET gets 413 and is not read to the end', T, async () => {
      const c = await open(port);
      c.socket.write(HEAD + 'Transfer-Encoding: chunked\r\n\r\n');
      const chunk = Buffer.from(`10000\r\n${'x'.repeat(0x10000)}\r\n`);
      const written = await flood(c.socket, chunk);
      assert.match(c.received(), /^HTTP\/1\.1 413 /);
      assert.match(c.received(), /connection: close/i);
      // what fits in socket buffers, not the upload (which would never end)
      assert.ok(written < 64 * MiB, `${written} bytes were accepted`);
    });

    it('a Content-Length body on GET gets 413 and is not read to the end', T, async () => {
      const c = await open(port);
      c.socket.write(HEAD + `Content-Length: ${20 * 1024 * MiB}\r\n\r\n`);
      const written = await flood(c.socket, Buffer.alloc(0x10000, 0x78));
      assert.match(c.received(), /^HTTP\/1\.1 413 /);
      assert.ok(written < 64 * MiB, `${written} bytes were accepted`);
    });

    it('a request without a body is still served', T, async () => {
      const c = await open(port);
      c.socket.write(HEAD + 'Content-Length: 0\r\nConnection: close\r\n\r\n');
      await c.closed;
      assert.match(c.received(), /^HTTP\/1\.1 200 /);
    });

    it('odd methods and a NUL in the request line get an HTTP error, not a chat line', T, async () => {
      for (const line of ['get / HTTP/1.1', 'FOO / HTTP/1.1', 'GET /\0 HTTP/1.1']) {
        const c = await open(port);
        c.socket.write(`${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
        await c.closed;
        assert.match(c.received(), /^HTTP\/1\.1 (400|405|501) /, JSON.stringify(line));
      }
    });
  });
}

abuseSuite(
  'web app server',
  async () => {
    const t: WebTincan = await startWebTincan({ web: WEB });
    return { port: t.port, stop: () => t.stop() };
  },
  true,
);

abuseSuite(
  'placeholder page handler',
  async () => {
    const config = makeConfig({ web: WEB });
    const logger = pino({ level: 'silent' });
    const server = new IrcServer(config, logger, { tickMs: 200 });
    const listener: TcpListener = await startTcpListener({
      host: '127.0.0.1',
      port: 0,
      config: () => server.config,
      logger,
      onConnection: (c) => server.accept(c),
      detect: { plain: plainDialect(() => server.config) },
    });
    return {
      port: listener.address().port,
      async stop() {
        await server.shutdown('bye');
        await listener.close();
      },
    };
  },
  false,
);
