/**
 * Drives terminal programs (irssi, the tincan terminal client) in a private tmux server,
 * the way a person would: send-keys to type, capture-pane to read the screen.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export function haveCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export class Tmux {
  readonly socket = `tincan-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  #run(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Starts `command` (a shell string) in a new detached session called `name`. */
  start(name: string, command: string, env: Record<string, string> = {}, cols = 160, rows = 45): void {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const args = ['new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), ...envArgs, command];
    try {
      this.#run(args);
    } catch (err) {
      // the previous session's exit ended this socket's tmux server while we connected to
      // it ("server exited unexpectedly"): a fresh server answers the second try
      if (!/server exited unexpectedly/.test(String((err as { stderr?: unknown }).stderr ?? err))) throw err;
      this.#run(args);
    }
  }

  /** Types text literally, then presses Enter when asked. */
  type(name: string, text: string, enter = true): void {
    this.#run(['send-keys', '-t', name, '-l', text]);
    if (enter) this.#run(['send-keys', '-t', name, 'Enter']);
  }

  keys(name: string, ...keys: string[]): void {
    this.#run(['send-keys', '-t', name, ...keys]);
  }

  screen(name: string): string {
    return this.#run(['capture-pane', '-p', '-t', name]);
  }

  resize(name: string, cols: number, rows: number): void {
    this.#run(['resize-window', '-t', name, '-x', String(cols), '-y', String(rows)]);
  }

  /** Cursor position in the pane (0-based column and row). */
  cursor(name: string): { x: number; y: number } {
    const [x, y] = this.#run(['display-message', '-p', '-t', name, '#{cursor_x} #{cursor_y}']).trim().split(' ').map(Number);
    return { x: x ?? -1, y: y ?? -1 };
  }

  /** Is the session still there (its program has not exited)? */
  alive(name: string): boolean {
    return spawnSync('tmux', ['-L', this.socket, 'has-session', '-t', name], { stdio: 'ignore' }).status === 0;
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
  }
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(fn: () => T | undefined | null | false, what: string, timeoutMs = 10000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
