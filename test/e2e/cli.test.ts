/**
 * `tincan serve` as a real process: it listens, reloads its config on SIGHUP (and on
 * REHASH from an operator), and on SIGTERM tells its clients and exits 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServe } from '../helpers/cli-server.js';
import { RawClient } from '../helpers/raw-client.js';
import { closedBy } from '../helpers/codes.js';


test('SIGHUP and REHASH reload the config; SIGTERM tells clients and exits 0', { timeout: 40000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-cli-'));
  const cfg = join(dir, 'tincan.yaml');
  const write = (motd: string) =>
    writeFileSync(cfg, `motd: ["${motd}"]\noperators:\n  - name: boss\n    password: hunter2\n`);
  write('first motd');
  const { proc, port } = await spawnServe(['--host', '127.0.0.1', '--port', '0', '--config', cfg, '--data', join(dir, 'data')]);
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
    await c.waitFor(closedBy('TINCAN_ERR_SHUTDOWN'));
    await c.closed;
    assert.equal(await exit, 0);
  } finally {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
