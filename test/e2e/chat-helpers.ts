/**
 * Helpers for the `tincan chat` end-to-end tests: the command line that runs the client
 * from source (through tsx), and screen queries over Tmux captures.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import type { Tmux } from '../helpers/tmux.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN = join(REPO, 'src/cli/main.ts');

/** Shell command running `tincan chat ARGS` from source. */
export function chatCommand(args: string): string {
  return `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(MAIN)} chat ${args}`;
}

/** argv for spawning `tincan chat` (or another subcommand) from source. */
export function tincanArgv(...args: string[]): string[] {
  return ['--import', 'tsx', MAIN, ...args];
}

/** The last row of the screen (the input line), trailing spaces removed. */
export function inputLine(screen: string): string {
  const rows = screen.replace(/\n+$/, '').split('\n');
  return (rows[rows.length - 1] ?? '').trimEnd();
}

/** The status line (second to last row). */
export function statusLine(screen: string): string {
  const rows = screen.replace(/\n+$/, '').split('\n');
  return rows[rows.length - 2] ?? '';
}

export function dump(t: Tmux, ...names: string[]): string {
  return names.map((n) => `--- ${n} ---\n${t.alive(n) ? t.screen(n) : '(exited)'}`).join('\n');
}

/** A free TCP port on 127.0.0.1 (bound and released): test/helpers/daemon.ts. */
export { freePort } from '../helpers/daemon.js';

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** `tincan serve` as a child process (with history in `dataDir`), once it accepts connections. */
export async function spawnServe(port: number, dataDir: string): Promise<{ proc: ChildProcess; stop(): Promise<void> }> {
  const proc = spawn(process.execPath, tincanArgv('serve', '--host', '127.0.0.1', '--port', String(port), '--data', dataDir, '--no-mdns', '--quiet', '--log-level', 'warn'), {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 15000;
  while (!(await listening(port))) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error('tincan serve did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}
