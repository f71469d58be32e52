/**
 * Starts a real tincan (core + TCP listener) in-process on 127.0.0.1, port 0, for e2e
 * tests, with a given config override.
 */
import pino from 'pino';
import { IrcServer } from '../../src/core/server.js';
import { startTcpListener } from '../../src/transports/tcp.js';
import type { Config } from '../../src/config/types.js';
import { makeConfig } from './harness.js';

export interface RunningServer {
  port: number;
  server: IrcServer;
  config: Config;
  stop(): Promise<void>;
}

export async function startServer(overrides: Record<string, unknown> = {}): Promise<RunningServer> {
  const config = makeConfig(overrides);
  const logger = pino({ level: process.env['TINCAN_TEST_LOG'] ?? 'silent' });
  const server = new IrcServer(config, logger, { tickMs: 200 });
  const listener = await startTcpListener({
    host: typeof overrides['host'] === 'string' ? overrides['host'] : '127.0.0.1',
    port: 0,
    config: () => server.config,
    logger,
    onConnection: (c) => server.accept(c),
  });
  return {
    port: listener.address().port,
    server,
    config,
    async stop() {
      await server.shutdown('Server shutting down');
      await listener.close();
    },
  };
}
