/**
 * Unit-test harness: a real IrcServer with an injected clock and FakeConnections, plus
 * small helpers to register clients and look for numerics in what they received.
 */
import pino from 'pino';
import { IrcServer } from '../../src/core/server.js';
import { DEFAULT_CONFIG, validateConfig } from '../../src/config/schema.js';
import type { Config } from '../../src/config/types.js';
import { FakeConnection } from './fake-conn.js';
import { History } from '../../src/core/history.js';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import type { Storage } from '../../src/storage/types.js';

export interface HarnessOptions {
  /** history store: a MemoryStorage by default when config history.enabled; null = no history */
  storage?: Storage | null;
}

export interface Harness {
  server: IrcServer;
  /** the server's history, when it has one */
  history: History | undefined;
  clock: { now: number };
  connect(ip?: string): FakeConnection;
  /** Connects and registers `nick` (optionally requesting caps); clears the welcome burst. */
  client(nick: string, caps?: string[]): FakeConnection;
  close(): Promise<void>;
}

export function makeConfig(overrides: Record<string, unknown> = {}): Config {
  return validateConfig(
    {
      serverName: 'test.server',
      flood: { enabled: false },
      connections: { enabled: false },
      ...overrides,
    },
    DEFAULT_CONFIG,
  );
}

export function harness(overrides: Record<string, unknown> = {}, reloadConfig?: () => Config, opts: HarnessOptions = {}): Harness {
  const clock = { now: 1_700_000_000_000 };
  const config = makeConfig(overrides);
  const logger = pino({ level: 'silent' });
  const storage = opts.storage === undefined ? (config.history.enabled ? new MemoryStorage() : null) : opts.storage;
  const history = storage === null ? undefined : new History({ storage, logger });
  const server = new IrcServer(config, logger, {
    now: () => clock.now,
    tickMs: 3_600_000,
    ...(reloadConfig ? { reloadConfig } : {}),
    ...(history ? { history } : {}),
    // the storage's accounts too, so a second harness on it sees them (after accounts.load())
    ...(storage !== null ? { accounts: storage.accounts } : {}),
  });
  const h: Harness = {
    server,
    history,
    clock,
    connect(ip = '127.0.0.1') {
      const c = new FakeConnection(ip);
      server.accept(c);
      return c;
    },
    client(nick, caps = []) {
      const c = h.connect();
      if (caps.length > 0) {
        c.recv('CAP LS 302');
        c.recv('CAP REQ :' + caps.join(' '));
      }
      c.recv('NICK ' + nick);
      c.recv(`USER ${nick} 0 * :${nick} Realname`);
      if (caps.length > 0) c.recv('CAP END');
      const got = c.take();
      if (!got.some((l) => / 001 /.test(l))) throw new Error(`registration of ${nick} failed:\n${got.join('\n')}`);
      return c;
    },
    async close() {
      await server.shutdown('test over');
    },
  };
  return h;
}

/** Lines whose command (after tags and source) is `cmd`. */
export function withCommand(lines: string[], cmd: string): string[] {
  return lines.filter((l) => {
    const parts = l.split(' ');
    let i = 0;
    if (parts[i]?.startsWith('@')) i++;
    if (parts[i]?.startsWith(':')) i++;
    return parts[i] === cmd;
  });
}

export function hasNumeric(lines: string[], code: string): boolean {
  return withCommand(lines, code).length > 0;
}
