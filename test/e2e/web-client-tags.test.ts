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
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing, startWebTincan, type WebTincan } from './web-harness.js';

interface Locator {
  count(): Promise<number>;
  first(): Locator;
  textContent(): Promise<string | null>;
}
interface Page {
  goto(url: string): Promise<unknown>;
  fill(sel: string, value: string): Promise<void>;
  type(sel: string, value: string): Promise<void>;
  click(sel: string): Promise<void>;
  hover(sel: string): Promise<void>;
  press(sel: string, key: string): Promise<void>;
  waitForSelector(sel: string, opts?: { timeout?: number; state?: string }): Promise<unknown>;
  locator(sel: string): Locator;
  textContent(sel: string): Promise<string | null>;
  getAttribute(sel: string, name: string): Promise<string | null>;
  keyboard: { press(key: string): Promise<void>; down(key: string): Promise<void>; up(key: string): Promise<void> };
  on(event: 'pageerror', f: (e: unknown) => void): void;
}
interface Context {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Browser extends Context {
  newContext(opts: Record<string, unknown>): Promise<Context>;
}
const playwright = 'playwright-core';
const { chromium } = (await import(playwright)) as { chromium: { launch(o: Record<string, unknown>): Promise<Browser> } };

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
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('typing appears and goes, a reply shows its parent, a reaction count appears on the other page', async () => {
    const a = await (await browser.newContext({ viewport: { width: 1200, height: 760 } })).newPage();
    const b = await (await browser.newContext({ viewport: { width: 1200, height: 760 } })).newPage();
    const errors: string[] = [];
    for (const p of [a, b]) p.on('pageerror', (e) => errors.push(String(e)));
    let irc: RawClient | null = null;
    try {
      await login(a, t.url, 'alice');
      await login(b, t.url, 'bob');
      // (connect right before registering: a socket silent for a second is a plain listener)
      irc = await RawClient.connect(t.port);
      await irc.register('ircuser', ['message-tags']);
      irc.send('JOIN #lobby');
      await a.waitForSelector('.members >> text=ircuser');
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
      assert.equal(await a.getAttribute(`${line('lunch?')} .reaction:has-text("👍")`, 'aria-pressed'), 'true');
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
      irc?.socket.destroy();
    }
  });

  it('a message typed with Shift+Enter goes as one draft/multiline batch and shows as one message with its lines', async () => {
    const a = await (await browser.newContext({ viewport: { width: 1200, height: 760 } })).newPage();
    const b = await (await browser.newContext({ viewport: { width: 1200, height: 760 } })).newPage();
    const errors: string[] = [];
    for (const p of [a, b]) p.on('pageerror', (e) => errors.push(String(e)));
    let irc: RawClient | null = null;
    try {
      await login(a, t.url, 'carol');
      await login(b, t.url, 'dave');
      irc = await RawClient.connect(t.port);
      await irc.register('plainirc', ['message-tags']);
      irc.send('JOIN #lobby');
      await a.waitForSelector('.members >> text=plainirc');
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
      irc?.socket.destroy();
    }
  });
});
