// The data directory checks and lock, in-process (the CLI-level cases are in
// test/e2e/data-dir.test.ts, including /proc and kill -9).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirError, PID_FILE, ensureDataDir, lockDataDir } from '../../../src/storage/data-dir.js';
import { openStorage } from '../../../src/storage/open.js';

function tmp(): { dir: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-dd-'));
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

test('missing components are created; a file in the way is named', () => {
  using t = tmp();
  const deep = join(t.dir, 'a', 'b', 'c');
  assert.equal(ensureDataDir(deep), deep);
  assert.ok(existsSync(join(deep, 'tincan.lock')));
  writeFileSync(join(t.dir, 'f'), '');
  assert.throws(() => ensureDataDir(join(t.dir, 'f', 'x')), (e: unknown) => e instanceof DataDirError && e.code === 'TINCAN_ERR_DATA_DIR_NOT_DIR' && e.message.includes(`${join(t.dir, 'f')} is a file`));
});

test('a directory the user may not write is reported as such', { skip: process.getuid?.() === 0 && 'root writes through permission bits (the e2e test uses a read-only mount)' }, () => {
  using t = tmp();
  const ro = join(t.dir, 'ro');
  mkdirSync(ro);
  chmodSync(ro, 0o555);
  assert.throws(() => ensureDataDir(ro), /is not writable: permission denied \(EACCES\).*--data DIR/);
  assert.throws(() => ensureDataDir(join(ro, 'sub')), /cannot create the data directory .*permission denied/);
});

test('one lock per directory: the second is refused with the holder pid; release frees it', async () => {
  using t = tmp();
  const s = await openStorage('sqlite', t.dir);
  assert.equal(readFileSync(join(t.dir, PID_FILE), 'utf8').trim(), String(process.pid));
  await assert.rejects(openStorage('sqlite', t.dir), new RegExp(`${t.dir} is in use by another tincan server \\(pid ${process.pid}\\)`));
  assert.throws(() => lockDataDir(t.dir), (e: unknown) => e instanceof DataDirError && e.code === 'TINCAN_ERR_DATA_DIR_IN_USE');
  await s.close();
  assert.equal(existsSync(join(t.dir, PID_FILE)), false, 'a clean stop removes the pid file');
  const again = lockDataDir(t.dir);
  again.release();
  again.release();
  const reopened = await openStorage('sqlite', t.dir);
  await reopened.close();
});
