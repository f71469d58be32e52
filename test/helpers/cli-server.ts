/**
 * `tincan serve` as a real child process (JSON logs), resolved once it logs the port it
 * listens on. `prefix` runs it under another command, e.g. `ip netns exec NS`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliServer {
  proc: ChildProcess;
  port: number;
  /** everything it printed so far */
  output: () => string;
}

/** `opts.dist`: run the built dist/cli/main.js (faster to start than tsx; `npm run build` first). */
export function spawnServe(serveArgs: string[], prefix: string[] = [], opts: { dist?: boolean; timeoutMs?: number } = {}): Promise<CliServer> {
  const main = opts.dist === true ? ['dist/cli/main.js'] : ['--import', 'tsx', 'src/cli/main.ts'];
  const argv = [process.execPath, ...main, 'serve', ...serveArgs];
  const [cmd, ...args] = [...prefix, ...argv];
  const proc = spawn(cmd!, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, TINCAN_LOG: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('server did not start:\n' + out)), opts.timeoutMs ?? 15000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"port":(\d+)[^\n]*listening/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({ proc, port: Number(m[1]), output: () => out });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}
