/**
 * The browser client's client tags end to end, in chromium through playwright-core:
 * two pages and an IRC client in #lobby. Typing shows on the other page and goes when
 * the box is emptied or the message sent (and in a private chat); a reply shows its
 * parent and carries +draft/reply on the wire; a reaction's count appears on the other
 * page and a second one adds to it; a message of several lines (Shift+Enter) is one
 * draft/multiline message on the other page.
 * Skipped, saying why, when /usr/bin/chromium is absent.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { RawClient } from '../helpers/raw-client.js';
import { chromiumMissing, launchChromium, loginAs, startWebTincan, type Browser, type Page, type WebTincan } from './web-harness.js';

async function say(page: Page, text: string): Promise<void> {
  await page.fill('#composer', text);
  await page.press('#composer', 'Enter');
}

/** A line of the active window holding `text` (a playwright selector). */
const line = (text: string): string => `.log .line:has-text(${JSON.stringify(text)})`;

/** Polls `f` (async) until it is true; the message says what was last seen. */
async function until(f: () => Promise<boolean>, what: () => Promise<string>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out: ${await what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('browser client: typing, replies, reactions', { skip: chromiumMissing, timeout: 60_000 }, () => {
  let t: WebTincan;
  let browser: Browser;
  before(async () => {
    t = await startWebTincan();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  /** Two pages logged in as `x` and `y`, and an IRC client `irc` (with `caps`) in #lobby. */
  async function three(x: string, y: string, irc: string, caps: string[]): Promise<{ a: Page; b: Page; c: RawClient; errors: string[] }> {
    const a = await (await browser.newContext({ viewport: { width: 1200, height: 760 } })).newPage();
    const b = await (await browser.newContext({ viewport: { width: 1200, height: 760 } })).newPage();
    const errors: string[] = [];
    for (const p of [a, b]) p.on('pageerror', (e) => errors.push(String(e)));
    await loginAs(a, t.url, x);
    await loginAs(b, t.url, y);
    // (connect right before registering: a socket silent for a second is a plain listener)
    const c = await RawClient.connect(t.port);
    await c.register(irc, caps);
    c.send('JOIN #lobby');
    await a.waitForSelector(`.members >> text=${irc}`);
    return { a, b, c, errors };
  }

  it('typing appears and goes, a reply shows its parent, a reaction count appears on the other page', async () => {
    const { a, b, c: irc, errors } = await three('alice', 'bob', 'ircuser', ['message-tags']);
    try {
      const typingOn = async (p: Page): Promise<string> => (await p.textContent('.typing')) ?? '';

      // typing: shown to bob while alice types, gone when she empties the box
      await a.type('#composer', 'hel');
      await until(async () => (await typingOn(b)) === 'alice is typing…', () => typingOn(b));
      assert.match(await irc.waitFor(/TAGMSG #lobby/), /^@(\S+;)?\+typing=active(;\S+)? :alice!\S+ TAGMSG #lobby$/);
      await a.fill('#composer', '');
      await until(async () => (await typingOn(b)) === '', () => typingOn(b));
      assert.match(await irc.waitFor(/typing=done/), /^@(\S+;)?\+typing=done(;\S+)? :alice!\S+ TAGMSG #lobby$/);
      // ...and when the message is sent
      await a.type('#composer', 'lunch?');
      await until(async () => (await typingOn(b)) === 'alice is typing…', () => typingOn(b));
      await a.press('#composer', 'Enter');
      await b.waitForSelector(line('lunch?'));
      await until(async () => (await typingOn(b)) === '', () => typingOn(b));
      const lunch = await irc.waitFor(/PRIVMSG #lobby :?lunch\?$/);
      const lunchId = /msgid=([^; ]+)/.exec(lunch)?.[1];
      assert.ok(lunchId, `the server gave the message an id: ${lunch}`);

      // a reply: bob answers alice's message; alice sees the quoted parent above it
      await b.hover(line('lunch?'));
      await b.click(`${line('lunch?')} .act.reply`);
      await b.waitForSelector('.replying:has-text("lunch?")');
      await say(b, 'sure, at noon');
      await a.waitForSelector(`${line('sure, at noon')} .quote:has-text("lunch?")`);
      await a.waitForSelector(`${line('sure, at noon')} .quote .nick:has-text("alice")`);
      // bob's own view quotes it too, and the reply box is closed
      await b.waitForSelector(`${line('sure, at noon')} .quote:has-text("lunch?")`);
      assert.equal(await b.locator('.replying').count(), 0);
      const reply = await irc.waitFor(/PRIVMSG #lobby :sure, at noon/);
      assert.match(reply, new RegExp(`\\+draft/reply=${lunchId!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[; ]`));
      // a message without the reply button used is no reply
      await say(b, 'plain one');
      await a.waitForSelector(line('plain one'));
      assert.equal(await a.locator(`${line('plain one')} .quote`).count(), 0);

      // a reaction: bob picks 👍 on alice's message; alice sees the count, then 2 with her own
      await b.hover(line('lunch?'));
      await b.click(`${line('lunch?')} .act.react`);
      await b.click(`${line('lunch?')} .pick[aria-label="React 👍"]`);
      const count = (p: Page) => p.textContent(`${line('lunch?')} .reaction:has-text("👍") .count`, );
      await a.waitForSelector(`${line('lunch?')} .reaction:has-text("👍")`);
      assert.equal(await count(a), '1');
      assert.match(await irc.waitFor(/draft\/react/), /^@(\S+;)?\+draft\/react=👍;\+draft\/reply=\S+ :bob!\S+ TAGMSG #lobby$/);
      await a.click(`${line('lunch?')} .reaction:has-text("👍")`);
      await until(async () => (await count(b)) === '2', async () => `bob sees ${await count(b)}`);
      // alice's own chip turns pressed when her reaction comes back (echo-message), which
      // may be after bob's page has counted it
      const pressed = () => a.getAttribute(`${line('lunch?')} .reaction:has-text("👍")`, 'aria-pressed');
      await until(async () => (await pressed()) === 'true', async () => `aria-pressed ${await pressed()}`);
      // clicking again takes hers back, on both pages
      await a.click(`${line('lunch?')} .reaction:has-text("👍")`);
      await until(async () => (await count(b)) === '1', async () => `bob sees ${await count(b)}`);

      // private chat: ircuser writes to bob, then types; bob sees it in that conversation
      irc.send('PRIVMSG bob :psst');
      await b.click('.room >> text=ircuser');
      await b.waitForSelector(line('psst'));
      irc.send('@+typing=active TAGMSG bob');
      await until(async () => (await typingOn(b)) === 'ircuser is typing…', () => typingOn(b));
      irc.send('@+typing=done TAGMSG bob');
      await until(async () => (await typingOn(b)) === '', () => typingOn(b));
      assert.deepEqual(errors, []);
    } finally {
      irc.socket.destroy();
    }
  });

  it('a message typed with Shift+Enter goes as one draft/multiline batch and shows as one message with its lines', async () => {
    const { a, b, c: irc, errors } = await three('carol', 'dave', 'plainirc', ['message-tags']);
    try {
      await a.type('#composer', 'first line');
      await a.keyboard.down('Shift');
      await a.keyboard.press('Enter');
      await a.keyboard.up('Shift');
      await a.type('#composer', 'second line');
      await a.press('#composer', 'Enter');
      // dave: one message, its two lines (with a break between), not two messages
      const one = `${line('first line')}:has-text("second line")`;
      await b.waitForSelector(one);
      assert.equal(await b.locator(line('first line')).count(), 1);
      assert.equal(await b.locator(`${one} .text .ml`).count(), 2);
      assert.equal(await b.locator(`${one} .text br`).count(), 1);
      // carol's own (echoed) copy the same
      await a.waitForSelector(one);
      assert.equal(await a.locator(line('second line')).count(), 1);
      // an IRC client without the cap gets the lines one by one
      await irc.waitFor(/PRIVMSG #lobby :first line$/);
      await irc.waitFor(/PRIVMSG #lobby :second line$/);
      assert.equal(irc.lines.filter((l) => / BATCH /.test(l)).length, 0);
      assert.deepEqual(errors, []);
    } finally {
      irc.socket.destroy();
    }
  });
});
