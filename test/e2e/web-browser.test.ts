/**
 * The browser client end to end, in Debian's chromium through playwright-core: two pages
 * chat with each other, with an IRC client and with a plain-line (netcat-style) socket,
 * all on one port; history scrollback and search; reconnect with catch-up after the
 * server restarts; the phone layout has no horizontal scroll.
 * Set TINCAN_SCREENSHOTS=1 to (re)write docs/screenshots/web-{desktop,phone}.png.
 * Skipped, saying why, when /usr/bin/chromium is absent.
 */
import { strict as assert } from 'node:assert';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RawClient } from '../helpers/raw-client.js';
import { chromiumMissing, startWebTincan, type WebTincan, launchChromium, waitUntil, type Page, type Browser } from './web-harness.js';

const SHOTS = process.env['TINCAN_SCREENSHOTS'] === '1';
const shotDir = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

async function login(page: Page, url: string, nick: string): Promise<void> {
  await page.goto(url);
  await page.fill('#nick', nick);
  await page.click('button[type=submit]');
  await page.waitForSelector('.room.active >> text=#lobby', { timeout: 10_000, state: 'attached' });
  await page.waitForSelector(`.members >> text=${nick}`, { timeout: 10_000, state: 'attached' });
}

async function say(page: Page, text: string): Promise<void> {
  await page.fill('#composer', text);
  await page.press('#composer', 'Enter');
}

/** Waits until the active buffer's log shows a line containing `text`. */
async function sees(page: Page, text: string, timeout = 10_000): Promise<void> {
  // (a selector, not waitForFunction: the app's CSP rightly forbids string eval in the page)
  await page.waitForSelector(`.log .line:has-text(${JSON.stringify(text)})`, { timeout, state: 'attached' });
}

describe('browser client', { skip: chromiumMissing, timeout: 60_000 }, () => {
  let t: WebTincan;
  let browser: Browser;
  before(async () => {
    t = await startWebTincan({ history: { enabled: true, replayLines: 0 } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('two pages, an IRC client and a plain socket chat in #lobby', async () => {
    const ctxA = await browser.newContext({ viewport: { width: 1200, height: 760 } });
    const ctxB = await browser.newContext({ viewport: { width: 1200, height: 760 } });
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    const errors: string[] = [];
    for (const p of [a, b]) p.on('pageerror', (e) => errors.push(String(e)));
    let irc: RawClient | null = null;
    let plain: net.Socket | null = null;
    let plainText = '';
    try {
      await login(a, t.url, 'alice');
      await login(b, t.url, 'bob');
      await a.waitForSelector('.members >> text=bob');
      // (connect right before talking: a socket silent for a second is a plain listener)
      irc = await RawClient.connect(t.port);
      await irc.register('ircuser');
      irc.send('JOIN #lobby');
      await a.waitForSelector('.members >> text=ircuser');

      await say(a, 'hi bob, see https://example.com/x');
      await sees(b, 'hi bob, see');
      // a link is a real link, opened safely
      const href = await b.getAttribute('.log a[href="https://example.com/x"]', 'rel');
      assert.match(href ?? '', /noopener/);
      // mention: highlighted for bob
      await b.waitForSelector('.line.mention >> text=hi bob');
      assert.match(await irc.waitFor(/PRIVMSG #lobby :hi bob/), /^:alice!\S+ PRIVMSG #lobby :hi bob, see https:\/\/example.com\/x$/);

      await say(b, '/me waves');
      await sees(a, 'waves');
      await a.waitForSelector('.line.action >> text=bob');
      assert.match(await irc.waitFor(/ACTION waves/), /:bob!\S+ PRIVMSG #lobby :\x01ACTION waves\x01/);

      irc.send('PRIVMSG #lobby :hello from irssi');
      await sees(a, 'hello from irssi');
      await sees(b, 'hello from irssi');

      // a plain-line person (netcat): lands in #lobby, says hello
      plain = net.connect({ port: t.port, host: '127.0.0.1' });
      plain.setEncoding('utf8');
      plain.on('data', (d: string) => (plainText += d));
      plain.write('hello from netcat\n');
      await sees(a, 'hello from netcat');
      await say(a, 'welcome, plain person');
      await waitUntil(() => plainText.includes('welcome, plain person'), () => `plain socket got: ${plainText}`);

      // a private conversation with an unread badge
      await b.click('.room >> text=Server');
      irc.send('PRIVMSG bob :psst bob');
      await b.waitForSelector('.room >> text=ircuser');
      await b.waitForSelector('.room:has-text("ircuser") .badge.mention');
      await b.click('.room >> text=ircuser');
      await sees(b, 'psst bob');
      await say(b, 'hi back');
      assert.match(await irc.waitFor(/PRIVMSG ircuser/), /:bob!\S+ PRIVMSG ircuser :hi back$/);

      // away state shows in the member list
      await b.click('.room >> text=#lobby');
      irc.send('AWAY :lunch');
      await b.waitForSelector('.members li.away >> text=ircuser');

      // unread badge in a room that is not in view
      await a.fill('#join-room', '#side');
      await a.press('#join-room', 'Enter');
      await a.waitForSelector('.room.active >> text=#side');
      irc.send('PRIVMSG #lobby :while you were in #side');
      await a.waitForSelector('.room:has-text("#lobby") .badge');

      if (SHOTS) await a.click('.room >> text=#lobby'), await a.waitForTimeout(200), await a.screenshot({ path: shotDir + 'web-desktop.png' });
      assert.deepEqual(errors, []);
    } finally {
      irc?.end();
      plain?.destroy();
      await ctxA.close();
      await ctxB.close();
    }
  });

  it('scrolls back through history and searches it', async () => {
    const irc = await RawClient.connect(t.port);
    await irc.register('historian');
    irc.send('JOIN #archive');
    await irc.waitFor(/JOIN #archive/);
    for (let i = 1; i <= 120; i++) irc.send(`PRIVMSG #archive :archived line ${i}${i === 7 ? ' with a needle' : ''}`);
    irc.send('PING :done');
    await irc.waitFor(/PONG .*done/);
    const ctx = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const p = await ctx.newPage();
    try {
      await login(p, t.url, 'reader');
      await say(p, '/join #archive');
      await p.waitForSelector('.room.active >> text=#archive');
      // the latest page arrives by itself
      await sees(p, 'archived line 120');
      const first = await p.locator('.log .line.msg').count();
      assert.ok(first >= 40 && first <= 50, `first page: ${first} lines`);
      // scrolling to the top loads older pages until the start of history
      for (let i = 0; i < 60 && (await p.locator('text=Start of history').count()) === 0; i++) {
        await p.evaluate("document.querySelector('.log').scrollTo(0, 0)");
        await p.waitForTimeout(150);
      }
      await p.waitForSelector('text=Start of history', { timeout: 10_000 });
      assert.equal(await p.locator('.log .line.msg').first().textContent().then((x) => /archived line 1$/.test(x ?? '')), true);
      const n = await p.locator('.log .line.msg').count();
      assert.equal(n, 120, 'every archived line once, no duplicates');
      // search
      await p.fill('#search', 'needle');
      await p.press('#search', 'Enter');
      await p.waitForSelector('.results >> text=archived line 7 with a needle');
      await p.keyboard.press('Escape');
      assert.equal(await p.locator('.results').count(), 0);
    } finally {
      irc.end();
      await ctx.close();
    }
  });

  it('shows peer text safely (bidi marked, controls gone, numerics as text, replayed joins folded), splits a paste between words, survives a long target, a clear away button', async () => {
    // three people come and go in #events before the reader arrives: replayed as one line
    const visitors: RawClient[] = [];
    for (const n of ['v1', 'v2', 'v3']) {
      const v = await RawClient.connect(t.port);
      await v.register(n);
      v.send('JOIN #events');
      await v.waitFor(/JOIN #events/);
      visitors.push(v);
    }
    visitors[0]!.send('PRIVMSG #events :\u202egnp.exe and a bell\x07 here');
    for (const v of visitors) v.send('QUIT :bye');
    const listener = await RawClient.connect(t.port);
    await listener.register('listener');
    listener.send('JOIN #lobby');
    await listener.waitFor(/JOIN #lobby/);
    const ctx = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const p = await ctx.newPage();
    try {
      await login(p, t.url, 'viewer');
      // the Server window: the LUSERS numeric reads as its text, not "N M Current local users"
      await p.click('.room >> text=Server');
      await sees(p, 'Current local users');
      const lusers = (await p.locator('.log .line:has-text("Current local users")').first().textContent()) ?? '';
      assert.doesNotMatch(lusers, /\d+ \d+ Current local users/, lusers);

      await say(p, '/join #events');
      await p.waitForSelector('.room.active >> text=#events');
      await sees(p, 'gnp.exe');
      const line = p.locator('.log .line.msg:has-text("gnp.exe")').first();
      const text = (await line.textContent()) ?? '';
      assert.ok(!/[\u202e\x07]/.test(text), `no RLO or BEL left in ${JSON.stringify(text)}`);
      assert.equal(await p.locator('.log .line.msg:has-text("gnp.exe") .ctl:has-text("RLO")').count(), 1, 'the override is shown as a mark');
      // the joins and quits before the message fold into one line; opening it shows them
      await p.waitForSelector('.log .line.run >> text=3 joined', { state: 'attached' });
      await p.click('.log .line.run button');
      await sees(p, 'v2 joined #events');

      await p.click('.room >> text=#lobby');
      // a 2,000-character paste goes out in parts split between words, none starting with a space
      const paste = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ').slice(0, 2000).trimEnd();
      const from = listener.lines.length;
      await say(p, paste);
      const lastWord = paste.slice(paste.lastIndexOf(' ') + 1);
      await listener.waitFor(new RegExp(`PRIVMSG #lobby :.* ${lastWord}$`), 5000, from);
      const parts = listener.lines.slice(from).filter((l) => / PRIVMSG #lobby :/.test(l)).map((l) => l.slice(l.indexOf(' :', l.indexOf('PRIVMSG')) + 2));
      assert.ok(parts.length > 3, `${parts.length} parts`);
      assert.ok(parts.every((x) => !x.startsWith(' ')), 'no part starts with a space');
      assert.equal(parts.join(' '), paste, 'no word was cut');
      // a target longer than a line: the page sends and stays responsive (it used to spin)
      await say(p, `/msg ${'n'.repeat(600)} hello`);
      await p.click('.room >> text=#lobby'); // (/msg opened a conversation with that name)
      await say(p, 'still here');
      await listener.waitFor(/PRIVMSG #lobby :still here$/);

      // away: the button says what it does, and the state is spelled out
      assert.equal(await p.locator('.me button.away-toggle').first().textContent(), 'Set away');
      await p.click('.me button.away-toggle');
      await p.waitForSelector(".me >> text=You are away");
      assert.equal(await p.locator('.me button.away-toggle').first().textContent(), "I'm back");
    } finally {
      for (const v of visitors) v.end();
      listener.end();
      await ctx.close();
    }
  });

  it('phone layout (360x740): no horizontal scroll, drawers for rooms and people', async () => {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const p = await ctx.newPage();
    let irc: RawClient | null = null;
    try {
      await login(p, t.url, 'phoney');
      irc = await RawClient.connect(t.port);
      await irc.register('desk');
      irc.send('JOIN #lobby');
      irc.send('PRIVMSG #lobby :a long unbroken link https://example.com/' + 'a'.repeat(200) + ' should wrap, phoney');
      await sees(p, 'should wrap');
      await say(p, 'typing on a phone works too');
      await sees(p, 'typing on a phone');
      const sw = Number(await p.evaluate('document.documentElement.scrollWidth'));
      assert.ok(sw <= 360, `scrollWidth ${sw} > 360`);
      assert.equal(await p.isVisible('.rooms'), false);
      if (SHOTS) await p.screenshot({ path: shotDir + 'web-phone.png' });
      await p.click('button[aria-label=Rooms]');
      await p.waitForSelector('.rooms', { state: 'visible' });
      await p.keyboard.press('Escape');
      await p.waitForSelector('.rooms', { state: 'hidden' });
      await p.click('button[aria-label^=People]');
      await p.waitForSelector('.members >> text=desk', { state: 'visible' });
      assert.ok(Number(await p.evaluate('document.documentElement.scrollWidth')) <= 360);
    } finally {
      irc?.end();
      await ctx.close();
    }
  });
});

describe('browser client reconnect', { skip: chromiumMissing, timeout: 60_000 }, () => {
  it('reconnects with backoff after a server restart, rejoins and catches up', async () => {
    let t = await startWebTincan({ history: { enabled: true, replayLines: 0 } });
    const port = t.port;
    const browser = await launchChromium();
    try {
      const p = await browser.newPage();
      await login(p, t.url, 'stayer');
      await say(p, 'before the restart');
      await sees(p, 'before the restart');
      await t.stop();
      await p.waitForSelector('.banner >> text=Reconnecting', { timeout: 10_000 });
      // nobody is shown in the room while we are not in it
      assert.equal(await p.locator('.members li').count(), 0, 'the member list is not left stale');
      t = await startWebTincan({ history: { enabled: true, replayLines: 0 } }, port);
      // someone talks in #lobby before the page is back (fresh server: new history)
      const irc = await RawClient.connect(port);
      await irc.register('early');
      irc.send('JOIN #lobby');
      irc.send('PRIVMSG #lobby :said while you were away');
      irc.send('PING :x');
      await irc.waitFor(/PONG/);
      await p.click('.banner button').catch(() => {});
      await p.waitForSelector('.banner', { state: 'detached', timeout: 20_000 });
      await p.waitForSelector('.members >> text=stayer', { state: 'attached' });
      await sees(p, 'said while you were away');
      await sees(p, 'before the restart');
      irc.send('PRIVMSG #lobby :and after');
      await sees(p, 'and after');
      await say(p, 'back again');
      assert.match(await irc.waitFor(/back again/), /:stayer!\S+ PRIVMSG #lobby :back again/);
      irc.end();
    } finally {
      await browser.close();
      await t.stop();
    }
  });
});

