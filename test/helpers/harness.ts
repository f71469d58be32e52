/**
 * Unit-test harness: a real IrcServer with an injected clock and FakeConnections, plus
 * small helpers to register clients and look for numerics in what they received.
 */
import pino from 'pino';
import { IrcServer } from '../../src/core/server.js';
import { DEFAULT_CONFIG, validateConfig } from '../../src/config/schema.js';
import type { Config } from '../../src/config/types.js';
import { FakeConnection } from './fake-conn.js';

export interface Harness {
  server: IrcServer;
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

export function harness(overrides: Record<string, unknown> = {}, reloadConfig?: () => Config): Harness {
  const clock = { now: 1_700_000_000_000 };
  const config = makeConfig(overrides);
  const server = new IrcServer(config, pino({ level: 'silent' }), {
    now: () => clock.now,
    tickMs: 3_600_000,
    ...(reloadConfig ? { reloadConfig } : {}),
  });
  const h: Harness = {
    server,
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
