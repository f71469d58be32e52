/**
 * What a new user types: `npm run dev --port N` (npm keeps --port for itself and passes
 * only N; tincan puts it back), and a port that is in use (one friendly line, no stack).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../helpers/tmux.js';
import { freePort, REPO, tincanArgv } from './chat-helpers.js';

const dirs: string[] = [];
const procs: ChildProcess[] = [];
after(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(cmd: string, args: string[], env: Record<string, string> = {}): { proc: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const proc = spawn(cmd, args, { cwd: REPO, env: { ...process.env, TINCAN_LOG: 'json', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  procs.push(proc);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  return { proc, out: () => out, exited };
}

test('npm run dev --port N (without --) listens on N', { timeout: 30000 }, async () => {
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'tincan-npm-'));
  dirs.push(data);
  const r = run('npm', ['run', 'dev', '--port', String(port), '--', '--host', '127.0.0.1', '--no-mdns', '--quiet', '--data', data]);
  try {
    await eventually(() => new RegExp(`"port":${port}[^\\n]*listening`).test(r.out()), `listening on ${port}`, 25000).catch((e: Error) => assert.fail(`${e.message}\n${r.out()}`));
    assert.match(r.out(), new RegExp(`next time type: npm start -- --port ${port}`));
  } finally {
    // npm runs tsx runs node: end the whole process group we started
    if (r.proc.pid !== undefined) process.kill(-r.proc.pid, 'SIGTERM');
    await r.exited;
  }
});

test('a port in use prints one friendly line, no stack trace, and exits 1', { timeout: 20000 }, async () => {
  const blocker: Server = createServer();
  await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
  const port = (blocker.address() as { port: number }).port;
  const data = mkdtempSync(join(tmpdir(), 'tincan-npm-'));
  dirs.push(data);
  try {
    const r = run(process.execPath, tincanArgv('serve', '--host', '127.0.0.1', '--port', String(port), '--no-mdns', '--data', data));
    assert.equal(await r.exited, 1, r.out());
    assert.match(r.out(), new RegExp(`port ${port} is in use: is another tincan running\\? use --port to pick another port`));
    assert.doesNotMatch(r.out(), /EADDRINUSE|stack|\n\s+at /, r.out());
  } finally {
    blocker.close();
  }
});
