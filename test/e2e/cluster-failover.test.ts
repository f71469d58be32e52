/**
 * A node of a real cluster (test/helpers/cluster.ts: Redis, PostgreSQL, `tincan serve
 * --redis --postgres` twice) killed with kill -9 while a terminal client (`tincan chat`
 * in tmux) and a Chromium page are on it: both were given node 1's address only, learned
 * node 2 from /nodes.json, move there by themselves and keep chatting with a user who was
 * on node 2 all along. Also: /nodes.json lists every live node and drops the dead one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { clusterUnavailable, startCluster, type TestCluster } from '../helpers/cluster.js';
import { RawClient } from '../helpers/raw-client.js';
import { Tmux, eventually, haveCommand } from '../helpers/tmux.js';
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing } from './web-harness.js';
import { chatCommand, dump, statusLine } from './chat-helpers.js';

const skip = clusterUnavailable() ?? (haveCommand('tmux') ? false : 'tmux is needed');
const noBrowser = skip !== false ? skip : chromiumMissing;

interface Page {
  goto(url: string): Promise<unknown>;
  fill(sel: string, value: string): Promise<void>;
  click(sel: string): Promise<void>;
  press(sel: string, key: string): Promise<void>;
  waitForSelector(sel: string, opts?: { timeout?: number; state?: string }): Promise<unknown>;
}
interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

let cl: TestCluster | null = null;
let tmux: Tmux | null = null;
let browser: Browser | null = null;

before(async () => {
  if (skip !== false) return;
  cl = await startCluster(2, { leaseMs: 1500 });
});
after(async () => {
  tmux?.kill();
  await browser?.close();
  await cl?.stop();
});

function nodesJson(port: number): Promise<{ cluster: string | null; nodes: { id: string; addresses: string[] }[] }> {
  return new Promise((resolve, reject) => {
    const q = request({ host: '127.0.0.1', port, path: '/nodes.json' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (e) {
          reject(e);
        }
      });
    });
    q.on('error', reject);
    q.end();
  });
}

async function until(cond: () => Promise<boolean> | boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('node 1 killed -9: the terminal client and the browser move to node 2 and keep chatting', { skip, timeout: 90_000 }, async (t) => {
  const [n1, n2] = cl!.nodes as [TestCluster['nodes'][number], TestCluster['nodes'][number]];
  const addr2 = `127.0.0.1:${n2.port}`;
  await until(async () => (await nodesJson(n1.port)).nodes.some((n) => n.addresses.includes(addr2)), 'node 1 to list node 2');
  const listed = await nodesJson(n1.port);
  assert.equal(listed.cluster, 'test');
  assert.deepEqual(listed.nodes.map((n) => n.addresses).flat().sort(), [`127.0.0.1:${n1.port}`, addr2].sort());

  const erin = await RawClient.connect(n2.port);
  t.after(() => erin.socket.destroy());
  await erin.register('erin');
  erin.send('JOIN #lobby');
  await erin.waitFor(/ 366 /);

  // the terminal client, given node 1 only
  tmux = new Tmux();
  t.after(() => {
    if (process.env['TINCAN_TEST_DUMP']) console.log(dump(tmux!, 'dave'));
  });
  tmux.start('dave', chatCommand(`127.0.0.1:${n1.port} --nick dave`), { TERM: 'xterm-256color' }, 110, 24);
  await eventually(() => /Connected to 127\.0\.0\.1/.test(tmux!.screen('dave')), 'dave connects to node 1', 20_000);
  tmux.type('dave', '/join #lobby');
  await erin.waitFor(/:dave!\S+ JOIN :?#lobby/, 10_000);

  // the browser, on node 1's page
  let page: Page | null = null;
  if (noBrowser === false) {
    const playwright = 'playwright-core';
    const { chromium } = (await import(playwright)) as { chromium: { launch(o: Record<string, unknown>): Promise<Browser> } };
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${n1.port}/`);
    await page.fill('#nick', 'webby');
    await page.click('button[type=submit]');
    await erin.waitFor(/:webby!\S+ JOIN :?#lobby/, 15_000);
  } else {
    t.diagnostic(`browser part skipped: ${noBrowser}`);
  }
  // both asked node 1 for the node list after their welcome: give that a moment to land
  // by round-tripping a message through each (the fetch is sent right after the welcome)
  tmux.type('dave', 'on node 1');
  await erin.waitFor(/:dave!\S+ PRIVMSG #lobby :on node 1/);

  const erinSeen = erin.lines.length;
  await cl!.kill(0);
  // node 2 sees them quit when node 1's lease runs out; they come back on node 2
  await until(() => erin.lines.slice(erinSeen).some((l) => /:dave\S*!\S+ JOIN :?#lobby/.test(l)), 'dave to rejoin on node 2', 30_000);
  if (page !== null) await until(() => erin.lines.slice(erinSeen).some((l) => /:webby\S*!\S+ JOIN :?#lobby/.test(l)), 'webby to rejoin on node 2', 30_000);
  await eventually(() => !/disconnected/.test(statusLine(tmux!.screen('dave'))), 'dave no longer disconnected');

  tmux.type('dave', 'dave now on node 2');
  await erin.waitFor(/:dave\S*!\S+ PRIVMSG #lobby :dave now on node 2/, 10_000);
  erin.send('PRIVMSG #lobby :hello both');
  await eventually(() => /<erin> hello both/.test(tmux!.screen('dave')), 'dave sees erin');
  if (page !== null) {
    await page.waitForSelector('.log .line:has-text("hello both")', { timeout: 10_000, state: 'attached' });
    await page.fill('#composer', 'webby now on node 2');
    await page.press('#composer', 'Enter');
    await erin.waitFor(/:webby\S*!\S+ PRIVMSG #lobby :webby now on node 2/, 10_000);
  }
  // the dead node drops out of the list
  await until(async () => (await nodesJson(n2.port)).nodes.length === 1, 'node 2 to stop listing node 1', 10_000);
});
