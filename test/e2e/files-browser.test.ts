/**
 * Shared files and the protocol panel in the browser client, in Debian's chromium via
 * playwright-core, against `tincan serve`'s wiring: a page shares an image with the
 * button and a text file by drag and drop (progress bars to the end); another page shows
 * the image inline and downloads the text file; an IRC user and a plain user get the
 * links and the bytes. A file shared with curl is downloadable by a page. An SVG with a
 * script, opened directly in Chromium, runs nothing. "Show protocol" lists the
 * registration and a message as they cross the wire.
 * Skipped, saying why, when /usr/bin/chromium is absent.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServeHandle } from '../../src/cli/serve.js';
import { RawClient } from '../helpers/raw-client.js';
import { serveInProcess } from '../helpers/serve-inprocess.js';
import { buildWeb, chromiumMissing, launchChromium, type Page, type Browser } from './web-harness.js';

// a real 1x1 PNG (the page must be able to decode it)
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

async function login(page: Page, url: string, nick: string): Promise<void> {
  await page.goto(url);
  await page.fill('#nick', nick);
  await page.click('button[type=submit]');
  await page.waitForSelector('.room.active >> text=#lobby', { timeout: 10_000, state: 'attached' });
  await page.waitForSelector(`.members >> text=${nick}`, { timeout: 10_000, state: 'attached' });
}

function get(url: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(cond: () => boolean, what: () => string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out: ' + what());
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('shared files and the protocol panel in the browser', { skip: chromiumMissing, timeout: 90_000 }, () => {
  let h: ServeHandle;
  let browser: Browser;
  let url: string;
  before(async () => {
    buildWeb();
    const data = mkdtempSync(join(tmpdir(), 'tincan-files-web-'));
    h = await serveInProcess({ data, config: { history: { replayLines: 0 } } });
    url = `http://127.0.0.1:${h.port}/`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it('a page shares with the button and by drag and drop; a page, an IRC user and a plain user get the files', async () => {
    const ctxA = await browser.newContext({ viewport: { width: 1200, height: 760 } });
    const ctxB = await browser.newContext({ viewport: { width: 1200, height: 760 } });
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    const errors: string[] = [];
    for (const p of [a, b]) p.on('pageerror', (e) => errors.push(String(e)));
    let irc: RawClient | null = null;
    let plainText = '';
    let plain: net.Socket | null = null;
    try {
      await login(a, url, 'ann');
      await login(b, url, 'ben');
      // (connected right before talking: a socket silent for a second is a plain listener)
      irc = await RawClient.connect(h.port);
      await irc.register('ircy');
      irc.send('JOIN #lobby');
      await irc.waitFor(/ 366 ircy #lobby /);
      plain = net.connect({ port: h.port, host: '127.0.0.1' });
      plain.setEncoding('utf8');
      plain.on('data', (d: string) => (plainText += d));
      plain.write('hello\n');
      await until(() => plainText.includes('Type a message'), () => plainText);

      // the button (a file input)
      await a.setInputFiles('#upload-file', { name: 'cat.png', mimeType: 'image/png', buffer: PNG });
      await a.waitForSelector('.job.done >> text=cat.png', { timeout: 10_000 });
      const bar = (await a.evaluate(`(() => { const p = document.querySelector('.job.done progress'); return p.value + '/' + p.max; })()`)) as string;
      assert.equal(bar, `${PNG.length}/${PNG.length}`, 'the progress bar reached the end');
      // the other page shows it inline, decoded
      await b.waitForSelector('.shared-file img[alt="cat.png"]', { timeout: 10_000 });
      const width = await b.evaluate(
        `new Promise((r) => { const i = document.querySelector('.shared-file img'); if (i.complete) r(i.naturalWidth); else i.onload = () => r(i.naturalWidth); i.onerror = () => r(-1); })`,
      );
      assert.equal(width, 1, 'the image loaded in the page');
      // the IRC user gets the link, and the bytes from it
      const line = await irc.waitFor(new RegExp(`PRIVMSG #lobby :\x01ACTION shared cat\\.png \\(${PNG.length} bytes\\) http`));
      assert.match(line, /^:ann!/);
      const link = /(http:\/\/\S+)\x01$/.exec(line)![1]!;
      const png = await get(link);
      assert.deepEqual(png.body, PNG);
      assert.equal(png.headers['content-type'], 'image/png');
      assert.equal(png.headers['x-content-type-options'], 'nosniff');
      await until(() => plainText.includes(`* ann shared cat.png (${PNG.length} bytes)`), () => plainText);

      // drag and drop a text file onto the page
      await a.evaluate(`(() => {
        const dt = new DataTransfer();
        dt.items.add(new File(['dropped text\\n'], 'notes.txt', { type: 'text/plain' }));
        window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      })()`);
      await a.waitForSelector('.job.done >> text=notes.txt', { timeout: 10_000 });
      await b.waitForSelector('.shared-file a[download="notes.txt"]', { timeout: 10_000 });
      // the other page downloads it: an attachment, nosniff
      const href = (await b.getAttribute('.shared-file a[download="notes.txt"]', 'href'))!;
      const got = (await b.evaluate(
        `fetch(${JSON.stringify(href)}).then(async (r) => [r.status, r.headers.get('content-disposition'), r.headers.get('x-content-type-options'), await r.text()].join('|'))`,
      )) as string;
      assert.equal(got, "200|attachment; filename=\"notes.txt\"; filename*=UTF-8''notes.txt|nosniff|dropped text\n");
      // and an image pasted into the page
      await a.evaluate(`(() => {
        const dt = new DataTransfer();
        dt.items.add(new File([Uint8Array.from(atob(${JSON.stringify(PNG.toString('base64'))}), (c) => c.charCodeAt(0))], 'image.png', { type: 'image/png' }));
        document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
      })()`);
      await irc.waitFor(/ACTION shared image\.png \(\d+ bytes\)/);
      assert.deepEqual(errors, []);
    } finally {
      irc?.socket.destroy();
      plain?.destroy();
      await ctxA.close();
      await ctxB.close();
    }
  });

  it('a file shared with the curl line downloads in a page; an SVG with a script, opened directly, runs nothing', async () => {
    // anything the SVG's script manages to run reports here
    const hits: string[] = [];
    const spy: Server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('ok');
    });
    await new Promise<void>((r) => spy.listen(0, '127.0.0.1', r));
    const spyUrl = `http://127.0.0.1:${(spy.address() as AddressInfo).port}`;
    const ctx = await browser.newContext({ viewport: { width: 1000, height: 700 }, acceptDownloads: false });
    const p = await ctx.newPage();
    const irc = await RawClient.connect(h.port);
    try {
      await irc.register('curler');
      irc.send('JOIN #lobby');
      await irc.waitFor(/ 366 curler #lobby /);
      const share = async (name: string, body: string): Promise<string> => {
        const from = irc.lines.length;
        irc.send('UPLOAD #lobby');
        const l = await irc.waitFor(/curl -T FILE /, 5000, from);
        const upload = /curl -T FILE (\S+)$/.exec(l)![1]!;
        const dir = mkdtempSync(join(tmpdir(), 'tincan-svg-'));
        writeFileSync(join(dir, name), body);
        const out = await new Promise<string>((resolve) => execFile('curl', ['-sS', '-T', join(dir, name), upload], (_e, so) => resolve(so)));
        return out.trim();
      };
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" onload="fetch('${spyUrl}/onload')"><script>fetch('${spyUrl}/script');location='${spyUrl}/navigated'</script><circle r="5"/></svg>`;
      const evil = await share('evil.svg', svg);
      assert.match(evil, /\/f\/[A-Za-z0-9_-]{16}\/evil\.svg$/);
      const text = await share('readme.txt', 'from curl\n');

      await login(p, url, 'viewer');
      const fromPage = (await p.evaluate(`fetch(${JSON.stringify(new URL(text).pathname)}).then(async (r) => r.status + '|' + (await r.text()))`)) as string;
      assert.equal(fromPage, '200|from curl\n');

      // opened directly: an attachment (a download, refused here), never a document
      const view = await ctx.newPage();
      await view.goto(evil).catch(() => {});
      // and through an <img> of this origin (an SVG named .png is an attachment too)
      await p.evaluate(`new Promise((r) => { const i = new Image(); i.onload = i.onerror = r; i.src = ${JSON.stringify(new URL(evil).pathname)}; document.body.append(i); })`);
      // a page that got this far has had every chance to run the script
      await p.evaluate(`fetch('/').then((r) => r.status)`);
      assert.notEqual(view.url(), evil, 'the SVG was not opened as a page');
      assert.deepEqual(hits, [], 'nothing in the SVG ran');
      const head = await get(evil);
      assert.equal(head.headers['content-type'], 'application/octet-stream');
      assert.match(String(head.headers['content-disposition']), /^attachment; filename="evil\.svg"/);
      assert.equal(head.headers['x-content-type-options'], 'nosniff');
      await view.close();
    } finally {
      irc.socket.destroy();
      await ctx.close();
      spy.close();
    }
  });

  it('"Show protocol" shows the registration and a message as they cross the wire', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 760 } });
    const p = await ctx.newPage();
    try {
      await login(p, url, 'learner');
      await p.click('.show-protocol');
      await p.waitForSelector('.protocol .wire li.out >> text=NICK learner', { timeout: 5000 });
      await p.waitForSelector('.protocol .wire li.out >> text=USER', { timeout: 5000 });
      await p.waitForSelector('.protocol .wire li.in >> text=001 learner', { timeout: 5000 });
      await p.fill('#composer', 'hello wire');
      await p.press('#composer', 'Enter');
      await p.waitForSelector('.protocol .wire li.out >> text=PRIVMSG #lobby :hello wire', { timeout: 5000 });
      const first = (await p.textContent('.protocol .wire li.out'))!;
      assert.match(first, /^>> /);
      const inbound = (await p.textContent('.protocol .wire li.in'))!;
      assert.match(inbound, /^<< /);
    } finally {
      await ctx.close();
    }
  });
});
