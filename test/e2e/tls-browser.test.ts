/**
 * Debian's chromium (playwright-core) on https:// and wss:// on the one port, trusting
 * the self-signed certificate by its public-key fingerprint for the test
 * (--ignore-certificate-errors-spki-list), as a user who accepted it once would. The web
 * client says whether its connection is encrypted. Skipped when chromium is absent.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { runServe, type ServeHandle } from '../../src/cli/serve.js';
import { RawClient } from '../helpers/raw-client.js';
import { chromiumMissing, buildWeb, launchChromium, type Browser } from './web-harness.js';

/** base64 SHA-256 of the certificate's SubjectPublicKeyInfo: what chromium's SPKI list takes. */
function spkiHash(certPem: string): string {
  const der = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

describe('chromium over TLS', { skip: chromiumMissing, timeout: 60_000 }, () => {
  let h: ServeHandle;
  let trusting: Browser;
  let plain: Browser;
  before(async () => {
    buildWeb();
    const data = mkdtempSync(join(tmpdir(), 'tincan-tls-browser-'));
    writeFileSync(join(data, 'c.json'), JSON.stringify({ storage: 'memory' }));
    h = await runServe(['--host', '127.0.0.1', '--port', '0', '--name', 'test.local', '--data', data, '--config', join(data, 'c.json')], {}, {
      signals: false,
      logger: pino({ level: process.env['TINCAN_TEST_LOG'] ?? 'silent' }),
    });
    const spki = spkiHash(h.tls!.credentials.cert);
    trusting = await launchChromium([`--ignore-certificate-errors-spki-list=${spki}`]);
    plain = await launchChromium();
  });
  after(async () => {
    await trusting?.close();
    await plain?.close();
    await h?.close();
  });

  it('https:// page and wss:// chat on the one port, shown as encrypted; http:// shown as not', async () => {
    const bob = await RawClient.connect(h.port);
    try {
      await bob.register('bob');
      bob.send('JOIN #lobby');
      await bob.waitFor(/ 366 bob #lobby /);

      const ctx = await trusting.newContext({ viewport: { width: 1200, height: 760 } });
      const page = await ctx.newPage();
      await page.goto(`https://127.0.0.1:${h.port}/`);
      await page.fill('#nick', 'webby');
      await page.click('button[type=submit]');
      await bob.waitFor(/^:webby!\S+ JOIN #lobby/, 10_000);
      // the browser's IRC connection (wss://.../irc) is a secure one
      bob.send('WHOIS webby');
      await bob.waitFor(/ 671 bob webby :is using a secure connection/);
      await page.waitForSelector('.secure.on', { timeout: 10_000 });
      assert.match((await page.textContent('.secure')) ?? '', /Encrypted/);
      await page.fill('#composer', 'hello over wss');
      await page.press('#composer', 'Enter');
      await bob.waitFor(/^:webby!\S+ PRIVMSG #lobby :hello over wss$/);
      bob.send('PRIVMSG #lobby :hi browser');
      await page.waitForSelector('.log .line:has-text("hi browser")', { timeout: 10_000, state: 'attached' });
      await ctx.close();

      // the same app over http:// says it is not encrypted
      const ctx2 = await plain.newContext({});
      const p2 = await ctx2.newPage();
      await p2.goto(`http://127.0.0.1:${h.port}/`);
      await p2.fill('#nick', 'clear');
      await p2.click('button[type=submit]');
      await p2.waitForSelector('.secure.off', { timeout: 10_000 });
      assert.match((await p2.textContent('.secure')) ?? '', /Not encrypted/);
      await ctx2.close();
    } finally {
      bob.socket.destroy();
    }
  });

  it('without the fingerprint trusted, chromium refuses the self-signed certificate', async () => {
    const ctx = await plain.newContext({});
    const page = await ctx.newPage();
    await assert.rejects(page.goto(`https://127.0.0.1:${h.port}/`), /ERR_CERT_AUTHORITY_INVALID|ERR_CERT/);
    await ctx.close();
  });
});
