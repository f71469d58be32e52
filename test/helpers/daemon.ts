/**
 * Shared plumbing for the throwaway database daemons the tests start (postgres.ts,
 * redis.ts): a free loopback port, a child process whose output is kept (bounded), and
 * waiting for a line in it. Every child is killed if the test process exits first.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now (the daemon binds it next; callers retry on a race). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const LOG_CAP = 64 * 1024;
const live = new Set<ChildProcess>();
let exitHook = false;

export interface Daemon {
  proc: ChildProcess;
  /** the last 64 KiB it printed (stdout and stderr) */
  output(): string;
  /** resolves when `re` matches its output; rejects when it exits first or after `ms` */
  waitFor(re: RegExp, ms: number): Promise<void>;
  /** resolves once it has exited */
  exited: Promise<void>;
  /** sends `signal` and waits for the exit (SIGKILL after `ms`) */
  stop(signal: NodeJS.Signals, ms?: number): Promise<void>;
}

export function startDaemon(cmd: string, args: string[], opts: SpawnOptions = {}): Daemon {
  const proc = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  if (!exitHook) {
    exitHook = true;
    // a test process that dies must not leave daemons behind
    process.once('exit', () => {
      for (const p of live) p.kill('SIGKILL');
    });
  }
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer): void => {
    out += d.toString();
    if (out.length > LOG_CAP) out = out.slice(-LOG_CAP);
    for (const w of [...waiters]) w();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  let done = false;
  const exited = new Promise<void>((resolve) => {
    proc.once('exit', () => {
      done = true;
      live.delete(proc);
      resolve();
      for (const w of [...waiters]) w();
    });
    proc.once('error', (e) => {
      out += `\n(spawn failed: ${e.message})`;
      done = true;
      live.delete(proc);
      resolve();
      for (const w of [...waiters]) w();
    });
  });
  return {
    proc,
    output: () => out,
    exited,
    waitFor(re, ms) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (re.test(out)) finish(null);
          else if (done) finish(new Error(`${cmd} exited before printing ${re}:\n${out}`));
        };
        const finish = (err: Error | null): void => {
          clearTimeout(t);
          waiters.delete(check);
          if (err === null) resolve();
          else reject(err);
        };
        const t = setTimeout(() => finish(new Error(`${cmd} did not print ${re} within ${ms} ms:\n${out}`)), ms);
        waiters.add(check);
        check();
      });
    },
    async stop(signal, ms = 10_000) {
      if (done) return;
      proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), ms);
      await exited;
      clearTimeout(t);
    },
  };
}
