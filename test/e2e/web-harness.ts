/**
 * Shared setup for the browser-client e2e tests: a real tincan (core + TCP listener
 * with first-bytes detection) whose HTTP connections go to the web server, so pages,
 * WebSockets, IRC and plain sockets all use one port; plus chromium via playwright-core
 * (Debian's /usr/bin/chromium; tests skip when it is absent).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { IrcServer } from '../../src/core/server.js';
import { startTcpListener, type TcpListener } from '../../src/transports/tcp.js';
import { handleHttp } from '../../src/transports/http.js';
import { createWebServer, webHttpHandler, type WebServer } from '../../src/transports/web-server.js';
import { History } from '../../src/core/history.js';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import { makeConfig } from '../helpers/harness.js';
import { plainDialect } from '../../src/gateway.js';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const chromiumMissing: string | false = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-background-networking',
  '--disable-gpu',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const root = fileURLToPath(new URL('../../', import.meta.url));
let built = false;

/** Newest modification time of any file under `dir` (ms). */
function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const p = dir + '/' + name.name;
    t = Math.max(t, name.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Builds dist/web when it is missing or older than src/ (esbuild: well under a second).
 * Only then: the build empties dist/web first, so rebuilding while another test process
 * (the runner runs two at once) serves it would make that one find no app. `npm test`
 * builds before any test starts, so there a test never rebuilds.
 */
export function buildWeb(): string {
  if (!built) {
    const index = root + 'dist/web/index.html';
    const fresh = existsSync(index) && statSync(index).mtimeMs >= newest(root + 'src');
    if (!fresh) execFileSync(process.execPath, ['scripts/build-web.mjs', '--quiet'], { cwd: root, stdio: 'inherit' });
    built = true;
  }
  return root + 'dist/web';
}

export interface WebTincan {
  port: number;
  url: string;
  server: IrcServer;
  web: WebServer;
  listener: TcpListener;
  stop(): Promise<void>;
}

/** Starts tincan on 127.0.0.1:`port` (0 = any) serving the built web client. */
export async function startWebTincan(overrides: Record<string, unknown> = {}, port = 0): Promise<WebTincan> {
  const webRoot = buildWeb();
  const config = makeConfig(overrides);
  const logger = pino({ level: process.env['TINCAN_TEST_LOG'] ?? 'silent' });
  const history = config.history.enabled ? new History({ storage: new MemoryStorage(), logger }) : undefined;
  const server = new IrcServer(config, logger, { tickMs: 200, ...(history ? { history } : {}) });
  const web = createWebServer({ config: () => server.config, logger, onConnection: (c) => server.accept(c), root: webRoot });
  const listener = await startTcpListener({
    host: '127.0.0.1',
    port,
    config: () => server.config,
    logger,
    onConnection: (c) => server.accept(c),
    detect: { http: webHttpHandler(web, handleHttp), plain: plainDialect(() => server.config) },
  });
  const p = listener.address().port;
  return {
    port: p,
    url: `http://127.0.0.1:${p}/`,
    server,
    web,
    listener,
    async stop() {
      web.close();
      await server.shutdown('Server shutting down');
      await listener.close();
    },
  };
}

// ---- playwright-core, described ---------------------------------------------------------
// playwright-core's .d.ts needs the DOM lib, which the node tsconfig leaves out: the tests
// load it untyped and describe here the little they use. Page code is passed as strings
// for the same reason.

export interface Locator {
  count(): Promise<number>;
  first(): Locator;
  textContent(): Promise<string | null>;
}

export interface Page {
  goto(url: string): Promise<unknown>;
  reload(): Promise<unknown>;
  fill(sel: string, value: string): Promise<void>;
  type(sel: string, value: string): Promise<void>;
  hover(sel: string): Promise<void>;
  click(sel: string): Promise<void>;
  press(sel: string, key: string): Promise<void>;
  waitForSelector(sel: string, opts?: { timeout?: number; state?: string }): Promise<unknown>;
  evaluate(expr: string): Promise<unknown>;
  getAttribute(sel: string, name: string): Promise<string | null>;
  setInputFiles(sel: string, files: { name: string; mimeType: string; buffer: Buffer }): Promise<void>;
  textContent(sel: string): Promise<string | null>;
  locator(sel: string): Locator;
  isVisible(sel: string): Promise<boolean>;
  screenshot(opts: { path: string }): Promise<unknown>;
  waitForTimeout(ms: number): Promise<void>;
  keyboard: { press(key: string): Promise<void>; type(text: string): Promise<void>; down(key: string): Promise<void>; up(key: string): Promise<void> };
  url(): string;
  on(event: 'pageerror', f: (e: unknown) => void): void;
  close(): Promise<void>;
}

export interface Context {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface Browser extends Context {
  newContext(opts: Record<string, unknown>): Promise<Context>;
}

/** Debian's chromium through playwright-core (loaded untyped: see above), with CHROMIUM_ARGS plus `extraArgs`. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const playwright = 'playwright-core';
  const { chromium } = (await import(playwright)) as { chromium: { launch(o: Record<string, unknown>): Promise<Browser> } };
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** Polls `cond` until it holds; past `ms`, fails saying what it waited for. */
export async function waitUntil(cond: () => boolean, what: string | (() => string), ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(typeof what === 'string' ? `timed out waiting for ${what}` : what());
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Picks `nick` on the start page and waits until the page is in #lobby. */
export async function loginAs(page: Page, url: string, nick: string): Promise<void> {
  await page.goto(url);
  await page.fill('#nick', nick);
  await page.click('button[type=submit]');
  await page.waitForSelector('.room.active >> text=#lobby', { timeout: 10_000, state: 'attached' });
  await page.waitForSelector(`.members >> text=${nick}`, { timeout: 10_000, state: 'attached' });
}
