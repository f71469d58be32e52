/**
 * Helpers for the `tincan chat` end-to-end tests: the command line that runs the client
 * from source (through tsx), and screen queries over Tmux captures.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
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
