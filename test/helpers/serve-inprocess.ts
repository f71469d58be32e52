/**
 * `tincan serve` in this process on 127.0.0.1, port 0, for e2e tests that need the real
 * CLI wiring (storage, TLS, the web app) without a child process. The caller closes it.
 */
import { after } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { runServe, type ServeHandle } from '../../src/cli/serve.js';
import { RawClient } from './raw-client.js';

export interface InProcessServe {
  /** the data directory (made by the caller) */
  data: string;
  /** written to `<data>/config.json` and passed with --config */
  config?: Record<string, unknown>;
  /** more CLI flags */
  extra?: string[];
}

export function serveInProcess(o: InProcessServe): Promise<ServeHandle> {
  const args = ['--host', '127.0.0.1', '--port', '0', '--name', 'test.local', '--data', o.data];
  if (o.config !== undefined) {
    const file = join(o.data, 'config.json');
    writeFileSync(file, JSON.stringify(o.config));
    args.push('--config', file);
  }
  return runServe([...args, ...(o.extra ?? [])], {}, {
    signals: false,
    logger: pino({ level: process.env['TINCAN_TEST_LOG'] ?? 'silent' }),
  });
}

/**
 * The servers and clients of one e2e test file: `serve()` starts a `tincan serve` in this
 * process on a fresh data directory, the client helpers connect raw sockets; all of them
 * are closed (and the directories removed) after the file's tests.
 */
export function e2eScope(prefix: string, defaults: Omit<InProcessServe, 'data'> = {}) {
  const handles: ServeHandle[] = [];
  const clients: RawClient[] = [];
  const dirs: string[] = [];
  after(async () => {
    for (const c of clients) c.socket.destroy();
    for (const h of handles) await h.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const connect = async (port: number): Promise<RawClient> => {
    const c = await RawClient.connect(port);
    clients.push(c);
    return c;
  };
  return {
    /** `o` on top of the scope's defaults */
    async serve(o: Omit<InProcessServe, 'data'> = {}): Promise<ServeHandle> {
      const data = mkdtempSync(join(tmpdir(), `tincan-${prefix}-`));
      dirs.push(data);
      const h = await serveInProcess({ ...defaults, ...o, data });
      handles.push(h);
      return h;
    },
    connect,
    /** an IRC client, registered (with `caps` requested) */
    async irc(port: number, nick: string, caps: readonly string[] = []): Promise<RawClient> {
      const c = await connect(port);
      await c.register(nick, caps);
      return c;
    },
    async joined(c: RawClient, nick: string, chan: string): Promise<void> {
      c.send('JOIN ' + chan);
      await c.waitFor(new RegExp(` 366 ${nick} ${chan} `));
    },
  };
}
