/**
 * `tincan serve` as a real process: it listens, reloads its config on SIGHUP (and on
 * REHASH from an operator), and on SIGTERM tells its clients and exits 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RawClient } from '../helpers/raw-client.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function startCli(args: string[]): Promise<{ proc: ChildProcess; port: number; output: () => string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, TINCAN_LOG: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('server did not start:\n' + out)), 15000);
    proc.stdout!.on('data', () => {
      const m = /"port":(\d+)[^\n]*listening/.exec(out) ?? /listening on \S+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({ proc, port: Number(m[1]), output: () => out });
      }
    });
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

test('SIGHUP and REHASH reload the config; SIGTERM tells clients and exits 0', { timeout: 40000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-cli-'));
  const cfg = join(dir, 'tincan.yaml');
  const write = (motd: string) =>
    writeFileSync(cfg, `motd: ["${motd}"]\noperators:\n  - name: boss\n    password: hunter2\n`);
  write('first motd');
  const { proc, port } = await startCli(['--config', cfg, '--data', join(dir, 'data')]);
  try {
    const c = await RawClient.connect(port);
    await c.register('carol');
    await c.waitFor(/ 372 carol :- first motd/);

    write('second motd');
    proc.kill('SIGHUP');
    // the reload is asynchronous to us: ask until the new MOTD shows
    for (let i = 0; i < 50; i++) {
      c.send('MOTD');
      const line = await c.next(/ 372 carol /);
      if (line.includes('second motd')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(c.lines.some((l) => l.includes(':- second motd')), 'SIGHUP reloaded the MOTD');

    write('third motd');
    c.send('OPER boss hunter2');
    await c.waitFor(/ 381 carol /);
    c.send('REHASH');
    await c.waitFor(/ 382 carol /);
    c.send('MOTD');
    await c.waitFor(/ 372 carol :- third motd/);

    const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    await c.waitFor(/^ERROR :Closing link: .*Server shutting down/);
    await c.closed;
    assert.equal(await exit, 0);
  } finally {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
