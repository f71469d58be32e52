/**
 * `tincan serve` in this process on 127.0.0.1, port 0, for e2e tests that need the real
 * CLI wiring (storage, TLS, the web app) without a child process. The caller closes it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { runServe, type ServeHandle } from '../../src/cli/serve.js';

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
