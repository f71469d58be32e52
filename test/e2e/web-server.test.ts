/**
 * The HTTP side of the IRC port: static app (types, compression, caching, CSP) and the
 * IRCv3 WebSocket endpoint (text and binary subprotocols, one line per frame, bounded
 * frames, SendQ), all on the same port as IRC through first-bytes detection.
 */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import WebSocket from 'ws';
import { RawClient } from '../helpers/raw-client.js';
import { startWebTincan, type WebTincan } from './web-harness.js';

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** A WebSocket IRC client collecting lines, with waitFor like RawClient. */
class WsClient {
  lines: string[] = [];
  binaryFrames = 0;
  textFrames = 0;
  #waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  closed: Promise<number>;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.binaryFrames++;
      else this.textFrames++;
      const line = (data as Buffer).toString('utf8');
      this.lines.push(line);
      for (const w of [...this.#waiters]) {
        if (w.re.test(line)) {
          this.#waiters = this.#waiters.filter((x) => x !== w);
          w.resolve(line);
        }
      }
    });
    ws.on('error', () => {});
    this.closed = new Promise((r) => ws.once('close', (code) => r(code)));
  }
  static open(port: number, protocols?: string | string[]): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/irc`, protocols);
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }
  send(line: string): void {
    this.ws.send(line);
  }
  waitFor(re: RegExp, timeoutMs = 5000): Promise<string> {
    const found = this.lines.find((l) => re.test(l));
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${re}; got:\n${this.lines.slice(-20).join('\n')}`)), timeoutMs);
      this.#waiters.push({ re, resolve: (l) => (clearTimeout(t), resolve(l)) });
    });
  }
  async register(nick: string): Promise<void> {
    this.send(`NICK ${nick}`);
    this.send(`USER ${nick} 0 * :${nick}`);
    await this.waitFor(/ (376|422) /);
  }
}

describe('web server on the IRC port', { timeout: 30_000 }, () => {
  let t: WebTincan;
  before(async () => {
    t = await startWebTincan();
  });
  after(async () => {
    await t.stop();
  });

  it('serves index.html with no-cache, CSP and security headers', async () => {
    const r = await get(t.port, '/');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] ?? '', /^text\/html; charset=utf-8/);
    assert.equal(r.headers['cache-control'], 'no-cache');
    const csp = r.headers['content-security-policy'] ?? '';
    for (const d of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", 'connect-src']) {
      assert.ok(csp.includes(d), `CSP lacks ${d}: ${csp}`);
    }
    assert.ok(!csp.includes('unsafe-inline'), String(csp));
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    assert.match(r.body.toString(), /<script type="module" src="\/assets\/app-[A-Z0-9]+\.js">/);
  });

  it('serves hashed assets immutable, compressed on request, with ETag revalidation', async () => {
    const html = (await get(t.port, '/')).body.toString();
    const js = /src="(\/assets\/app-[^"]+\.js)"/.exec(html)?.[1];
    const css = /href="(\/assets\/app-[^"]+\.css)"/.exec(html)?.[1];
    assert.ok(js !== undefined && css !== undefined, html);
    const plain = await get(t.port, js);
    assert.equal(plain.status, 200);
    assert.match(plain.headers['content-type'] ?? '', /^text\/javascript/);
    assert.match(plain.headers['cache-control'] ?? '', /immutable/);
    assert.equal(plain.headers['content-encoding'], undefined);
    const gz = await get(t.port, js, { 'Accept-Encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.ok(gunzipSync(gz.body).equals(plain.body));
    assert.ok(gz.body.length < plain.body.length / 2);
    const br = await get(t.port, js, { 'Accept-Encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.ok(brotliDecompressSync(br.body).equals(plain.body));
    assert.equal(br.headers['vary'], 'Accept-Encoding');
    const etag = plain.headers['etag'];
    assert.ok(etag);
    const again = await get(t.port, js, { 'If-None-Match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    const c = await get(t.port, css);
    assert.match(c.headers['content-type'] ?? '', /^text\/css/);
  });

  it('answers 404 for unknown paths, 405 for POST, and HEAD without a body', async () => {
    assert.equal((await get(t.port, '/nope.js')).status, 404);
    assert.equal((await get(t.port, '/../package.json')).status, 404);
    const post = await get(t.port, '/', {}, 'POST');
    assert.equal(post.status, 405);
    const head = await get(t.port, '/', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });

  it('WebSocket text.ircv3.net: one line per text frame, web users are ordinary IRC users', async () => {
    const w = await WsClient.open(t.port, ['text.ircv3.net']);
    assert.equal(w.ws.protocol, 'text.ircv3.net');
    const irc = await RawClient.connect(t.port);
    try {
      await w.register('webby');
      await irc.register('tcpy');
      assert.ok(w.lines.every((l) => !/[\r\n]/.test(l)), 'no CR/LF inside frames');
      assert.ok(w.textFrames > 0 && w.binaryFrames === 0);
      w.send('JOIN #mix');
      await w.waitFor(/JOIN #mix/);
      irc.send('JOIN #mix');
      await w.waitFor(/tcpy.* JOIN #mix/);
      // a trailing CRLF from a lenient client is tolerated
      w.send('PRIVMSG #mix :hello from the browser\r\n');
      assert.match(await irc.waitFor(/PRIVMSG #mix/), /^:webby!\S+ PRIVMSG #mix :hello from the browser$/);
      irc.send('PRIVMSG #mix :héllo from tcp');
      assert.match(await w.waitFor(/PRIVMSG #mix :h/), /:tcpy!\S+ PRIVMSG #mix :héllo from tcp$/);
    } finally {
      irc.end();
      w.ws.close();
    }
  });

  it('WebSocket binary.ircv3.net: binary frames, invalid UTF-8 replaced', async () => {
    const w = await WsClient.open(t.port, ['binary.ircv3.net']);
    assert.equal(w.ws.protocol, 'binary.ircv3.net');
    const irc = await RawClient.connect(t.port);
    try {
      w.ws.send(Buffer.from('NICK binny'), { binary: true });
      w.ws.send(Buffer.from('USER b 0 * :b'), { binary: true });
      await w.waitFor(/ 001 /);
      assert.ok(w.binaryFrames > 0 && w.textFrames === 0);
      await irc.register('tcpb');
      w.ws.send(Buffer.concat([Buffer.from('PRIVMSG tcpb :bad '), Buffer.from([0xff, 0xfe]), Buffer.from(' bytes')]), { binary: true });
      assert.match(await irc.waitFor(/PRIVMSG tcpb/), /:bad \uFFFD+ bytes$/);
    } finally {
      irc.end();
      w.ws.close();
    }
  });

  it('accepts a client without subprotocol as text, refuses unknown subprotocols', async () => {
    const w = await WsClient.open(t.port);
    assert.equal(w.ws.protocol, '');
    w.send('PING :x');
    w.send('NICK plainws');
    w.send('USER p 0 * :p');
    await w.waitFor(/ 001 /);
    assert.ok(w.textFrames > 0);
    w.ws.close();
    await assert.rejects(WsClient.open(t.port, ['xmpp']), /HTTP 400/);
  });

  it('reports an over-long line and closes on an oversized frame', async () => {
    const w = await WsClient.open(t.port, 'text.ircv3.net');
    await w.register('longy');
    w.send('PRIVMSG longy :' + 'x'.repeat(t.server.config.limits.maxLineBytes + 1));
    await w.waitFor(/ 417 /);
    w.send('PING :still-here');
    await w.waitFor(/PONG .*still-here/);
    w.send('x'.repeat(t.server.config.limits.maxLineBytes + 4096));
    assert.equal(await w.closed, 1009);
  });
});

describe('web server SendQ', { timeout: 30_000 }, () => {
  it('drops a WebSocket that does not read once its send queue is over the cap', async () => {
    const t = await startWebTincan({ limits: { sendQBytes: 16 * 1024 } });
    try {
      const w = await WsClient.open(t.port, 'text.ircv3.net');
      await w.register('slowpoke');
      // stop reading: the kernel buffers fill, then the send queue
      (w.ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
      const irc = await RawClient.connect(t.port);
      await irc.register('fl');
      const body = 'y'.repeat(440);
      // 16 KB of send queue is ~40 of these; the kernel buffers absorb some more
      for (let i = 0; i < 2000; i++) irc.send(`PRIVMSG slowpoke :${body}`);
      // the server drops the session by itself (nothing else would): slowpoke is gone
      const deadline = Date.now() + 10_000;
      for (;;) {
        const from = irc.lines.length;
        irc.send('WHOIS slowpoke');
        const r = await irc.waitFor(/ (401|318) fl slowpoke/, 5000, from);
        if (/ 401 /.test(r)) break;
        assert.ok(Date.now() < deadline, 'slowpoke is still connected');
        await new Promise((res) => setTimeout(res, 100));
      }
      (w.ws as unknown as { _socket: import('node:net').Socket })._socket.resume();
      await w.closed;
      assert.ok(w.lines.length < 1000, `received ${w.lines.length} lines: the queue was not bounded`);
      irc.end();
    } finally {
      await t.stop();
    }
  });
});
