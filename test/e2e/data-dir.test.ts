/**
 * The data directory, with the real CLI as a child process: a read-only or unusable
 * directory fails fast with a clear message (no stack trace, no spinning), and a second
 * server on the same directory is refused while the first runs, but not after the first
 * was killed with SIGKILL (the lock is the kernel's, released with the process).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, spawnServe, type CliServer } from '../helpers/cli-server.js';

const root = mkdtempSync(join(tmpdir(), 'tincan-datadir-'));
const running: CliServer[] = [];
after(() => {
  for (const s of running) if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const BASE = ['--host', '127.0.0.1', '--port', '0', '--no-mdns', '--quiet'];

/** Runs `tincan serve` expecting it to exit by itself; kills it (and fails) after `limitMs`. */
function serveToExit(args: string[], prefix: string[] = [], limitMs = 8000): Promise<{ code: number | null; stderr: string; ms: number }> {
  const argv = [...prefix, process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'serve', ...BASE, ...args];
  const started = Date.now();
  const proc = spawn(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, env: { ...process.env, TINCAN_LOG: 'json' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`tincan serve ${args.join(' ')} still running after ${limitMs} ms:\n${stdout}${stderr}`));
    }, limitMs);
    proc.once('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

/** One clear line: names the path and the way out, and is not a stack trace. */
function assertClear(r: { code: number | null; stderr: string }, dir: string, what: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.ok(r.stderr.includes(dir), `names ${dir}: ${r.stderr}`);
  assert.match(r.stderr, what);
  assert.match(r.stderr, /--data DIR/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

// root may write almost anywhere, so "read-only" has to be a read-only file system: a
// tmpfs mounted ro in a private mount namespace (`unshare -m` as root, `unshare -rm` in a
// user namespace otherwise), which leaves the host's mounts alone. Where neither works
// the test says so and skips.
const UNSHARE: string[] | string = (() => {
  let why = '';
  for (const flags of process.getuid?.() === 0 ? ['-m', '-rm'] : ['-rm']) {
    const r = spawnSync('unshare', [flags, 'sh', '-c', 'mount -t tmpfs -o ro tmpfs "$0"', root], { encoding: 'utf8' });
    if (r.error !== undefined) return `unshare is not available: ${r.error.message}`;
    if (r.status === 0) return ['unshare', flags];
    why = r.stderr.trim();
  }
  return `cannot mount a read-only tmpfs in a mount namespace: ${why}`;
})();

test('a read-only data directory: a clear "not writable" message naming it, exit 1', { skip: typeof UNSHARE === 'string' && UNSHARE, timeout: 20000 }, async () => {
  const mnt = join(root, 'ro-mount');
  mkdirSync(mnt);
  const prefix = [...(UNSHARE as string[]), 'sh', '-c', 'mount -t tmpfs -o ro tmpfs "$0" && exec "$@"', mnt];
  // the directory itself is read-only
  const r1 = await serveToExit(['--data', mnt], prefix);
  assertClear(r1, mnt, /is not writable: read-only file system \(EROFS\)/);
  // a directory to be created inside a read-only one (was: a misleading ENOENT ... mkdir)
  const sub = join(mnt, 'data');
  const r2 = await serveToExit(['--data', sub], prefix);
  assertClear(r2, sub, /cannot create the data directory .*read-only file system \(EROFS\)/);
});

test('a file where the data directory should be: a clear message, exit 1 (fails for root too)', { timeout: 20000 }, async () => {
  const file = join(root, 'not-a-dir');
  writeFileSync(file, 'x');
  assertClear(await serveToExit(['--data', file]), file, /is a file, not a directory/);
  assertClear(await serveToExit(['--data', join(file, 'data')]), file, /is a file, not a directory/);
});

test('--data /proc/x fails within seconds instead of spinning (recursive mkdir loop)', { skip: process.platform !== 'linux' && 'needs Linux /proc', timeout: 20000 }, async () => {
  const r = await serveToExit(['--data', '/proc/x'], [], 8000);
  assertClear(r, '/proc/x', /cannot create the data directory/);
  assert.ok(r.ms < 8000);
});

test('a second server on the same --data is refused, naming the directory and pid; the lock goes with kill -9', { timeout: 40000 }, async () => {
  const dir = join(root, 'shared');
  const first = await spawnServe([...BASE, '--data', dir]);
  running.push(first);
  const r = await serveToExit(['--data', dir]);
  assertClear(r, dir, new RegExp(`in use by another tincan server \\(pid ${first.proc.pid}\\)`));
  assert.equal(first.proc.exitCode, null, 'the first server keeps running');

  first.proc.kill('SIGKILL');
  await new Promise((res) => first.proc.once('exit', res));
  // no clean-up ran: the kernel released the lock with the process
  const second = await spawnServe([...BASE, '--data', dir]);
  running.push(second);
  const r2 = await serveToExit(['--data', dir]);
  assertClear(r2, dir, new RegExp(`\\(pid ${second.proc.pid}\\)`));
  const exited = new Promise((res) => second.proc.once('exit', res));
  second.proc.kill('SIGTERM');
  await exited;
  assert.equal(second.proc.exitCode, 0);
});
