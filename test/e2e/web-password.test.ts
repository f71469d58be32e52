/**
 * The browser client in Debian's chromium (playwright-core): on a `--password` server
 * it asks for the password instead of reconnecting forever, keeps it for this tab only
 * (sessionStorage, never localStorage), and a reload comes back under a /nick the
 * server accepted. Skipped, saying why, when /usr/bin/chromium is absent.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { chromiumMissing, startWebTincan, type WebTincan, launchChromium, waitUntil, type Browser } from './web-harness.js';
import type { Connection } from '../../src/transports/connection.js';

describe('browser client: server password and remembered nick', { skip: chromiumMissing, timeout: 60_000 }, () => {
  let t: WebTincan;
  let browser: Browser;
  /** WebSocket/IRC connections the server accepted (a reconnect loop shows up here) */
  let accepted = 0;
  before(async () => {
    t = await startWebTincan({ password: 'letmein', history: { enabled: false } });
    const accept = t.server.accept.bind(t.server);
    t.server.accept = (c: Connection) => {
      accepted++;
      return accept(c);
    };
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('asks for the password on 464, does not loop, connects with it, keeps it in this tab only', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      await page.goto(t.url);
      await page.fill('#nick', 'gina');
      await page.click('button[type=submit]');
      await page.waitForSelector('#server-password', { timeout: 10_000 });
      await page.waitForSelector('text=This server needs a password.');
      const first = accepted;
      // the old client retried every few seconds; now it waits for the user
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(accepted, first, 'no reconnect while the password prompt is open');
      assert.equal(await page.isVisible('text=Reconnecting'), false);

      await page.fill('#server-password', 'wrong');
      await page.press('#server-password', 'Enter');
      await page.waitForSelector('text=Wrong password, try again.', { timeout: 10_000 });
      assert.equal(await page.evaluate('sessionStorage.getItem("tincan.password")'), null, 'a refused password is forgotten');

      await page.fill('#server-password', 'letmein');
      await page.press('#server-password', 'Enter');
      await page.waitForSelector('.members >> text=gina', { timeout: 10_000, state: 'attached' });
      assert.ok(t.server.findNick('gina'));
      assert.equal(await page.evaluate('sessionStorage.getItem("tincan.password")'), 'letmein');
      const inLocal = (await page.evaluate('JSON.stringify(Object.entries(localStorage))')) as string;
      assert.doesNotMatch(inLocal, /letmein/, `the password must not be in localStorage: ${inLocal}`);

      // a reload in the same tab connects without asking again
      await page.reload();
      await page.waitForSelector('.members >> text=gina', { timeout: 10_000, state: 'attached' });
      assert.equal(await page.isVisible('#server-password'), false);
      assert.deepEqual(errors, []);
    } finally {
      await ctx.close();
    }
  });

  it('a reload comes back under the nick chosen with /nick', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await ctx.newPage();
    try {
      await page.goto(t.url);
      await page.evaluate('sessionStorage.setItem("tincan.password", "letmein")');
      await page.fill('#nick', 'hank');
      await page.click('button[type=submit]');
      await page.waitForSelector('.members >> text=hank', { timeout: 10_000, state: 'attached' });
      await page.fill('#composer', '/nick ivan');
      await page.press('#composer', 'Enter');
      await page.waitForSelector('.members >> text=ivan', { timeout: 10_000, state: 'attached' });
      await page.reload();
      await page.waitForSelector('.me >> text=ivan', { timeout: 10_000, state: 'attached' });
      await waitUntil(() => t.server.findNick('ivan') !== undefined && t.server.findNick('hank') === undefined, 'the server knows ivan, not hank');
    } finally {
      await ctx.close();
    }
  });
});
