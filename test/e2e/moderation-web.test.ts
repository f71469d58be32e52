/**
 * The host claims admin from a browser (issue 14): the "Host admin" menu entry takes the
 * join card's one-time code, and the browser then undoes a griefer's +ik on their room.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../helpers/raw-client.js';
import { eventually } from '../helpers/tmux.js';
import { chromiumMissing, startWebTincan, launchChromium } from './web-harness.js';

test("a browser claims admin with the card's code and undoes a griefer's +ik", { skip: chromiumMissing, timeout: 60_000 }, async () => {
  const t = await startWebTincan({ history: { enabled: false } });
  const browser = await launchChromium();
  const clients: RawClient[] = [];
  try {
    const code = t.server.admin.claim.issue(5)!;
    const griefer = await RawClient.connect(t.port);
    clients.push(griefer);
    await griefer.register('griefer');
    griefer.send('JOIN #den');
    griefer.send('MODE #den +ik secret');
    await griefer.waitFor(/MODE #den \+ik secret/);
    const page = await browser.newPage();
    await page.goto(t.url);
    await page.fill('#nick', 'host');
    await page.click('button[type=submit]');
    await page.waitForSelector('.room.active >> text=#lobby', { timeout: 15_000, state: 'attached' });
    await page.click('.admin-claim summary');
    await page.fill('#admin-code', code);
    await page.press('#admin-code', 'Enter');
    const host = [...t.server.sessions].find((s) => s.nick === 'host')!;
    await eventually(() => host.admin, 'the claim made the browser user admin');
    assert.equal(t.server.admin.claim.current(), null, 'the code is used up');
    await page.fill('#composer', '/mode #den -ik');
    await page.press('#composer', 'Enter');
    await griefer.waitFor(/:host!\S+ MODE #den -ik/);
    const kid = await RawClient.connect(t.port);
    clients.push(kid);
    await kid.register('kid');
    kid.send('JOIN #den');
    await kid.waitFor(/:kid!\S+ JOIN #den/);
  } finally {
    for (const c of clients) c.socket.destroy();
    await browser.close();
    await t.stop();
  }
});
