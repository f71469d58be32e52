/**
 * WebSocket Origin on /irc, with real ws clients: no Origin (not a browser) and the
 * server's own origin are accepted, web.allowedOrigins adds more, anything else (another
 * web page the user has open) gets 403.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { originAllowed } from '../../src/transports/web-server.js';
import { startWebTincan, type WebTincan } from './web-harness.js';

const T = { timeout: 10_000 };

/** Opens /irc with these headers; resolves with 'open' or the refusing HTTP status. */
function tryOpen(port: number, headers: Record<string, string>): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/irc`, 'text.ircv3.net', { headers });
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}

describe('WebSocket Origin', () => {
  let t: WebTincan;
  before(async () => {
    t = await startWebTincan({ web: { allowedOrigins: ['https://chat.example.org'] } });
  });
  after(() => t.stop());

  it('accepts no Origin (IRC clients over WebSocket, scripts)', T, async () => {
    assert.equal(await tryOpen(t.port, {}), 'open');
  });
  it("accepts the server's own origin", T, async () => {
    assert.equal(await tryOpen(t.port, { Origin: `http://127.0.0.1:${t.port}` }), 'open');
  });
  it('accepts an origin in web.allowedOrigins', T, async () => {
    assert.equal(await tryOpen(t.port, { Origin: 'https://chat.example.org' }), 'open');
  });
  it('refuses any other web page with 403', T, async () => {
    for (const origin of ['http://evil.example', `http://127.0.0.1:${t.port + 1}`, 'null', 'garbage']) {
      assert.equal(await tryOpen(t.port, { Origin: origin }), 403, origin);
    }
  });
});

describe('originAllowed', () => {
  it('compares host and port, filling in default ports', () => {
    assert.equal(originAllowed(undefined, 'x', []), true);
    assert.equal(originAllowed('http://tincan.local', 'tincan.local', []), true);
    assert.equal(originAllowed('http://tincan.local', 'tincan.local:80', []), true);
    assert.equal(originAllowed('http://tincan.local:4444', 'tincan.local', []), false);
    assert.equal(originAllowed('http://[::1]:4444', '[::1]:4444', []), true);
    assert.equal(originAllowed('http://TINCAN.local:4444', 'tincan.local:4444', []), true);
    assert.equal(originAllowed('http://evil.example', 'tincan.local:4444', []), false);
    assert.equal(originAllowed('http://evil.example', undefined, []), false);
    assert.equal(originAllowed('http://evil.example', 'tincan.local', ['*']), true);
  });
});
