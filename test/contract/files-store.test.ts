// The FileStore contract (src/storage/types.ts), run against every implementation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileStore, StoredFile } from '../../src/storage/types.js';
import { MemoryFileStore } from '../../src/storage/memory/memory-storage.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const IMPLS: { name: string; open(): { store: FileStore; reopen?: () => FileStore; close(): Promise<void> } }[] = [
  { name: 'memory', open: () => ({ store: new MemoryFileStore(), close: async () => {} }) },
  {
    name: 'sqlite',
    open() {
      const dir = mkdtempSync(join(tmpdir(), 'tincan-files-contract-'));
      const file = join(dir, 'h.db');
      const opened: SqliteStorage[] = [new SqliteStorage(file)];
      return {
        store: opened[0]!.files,
        reopen: () => {
          void opened[opened.length - 1]!.close();
          const s = new SqliteStorage(file);
          opened.push(s);
          return s.files;
        },
        close: async () => {
          for (const s of opened) await s.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    // writes committed by the worker thread, reads on this thread's connection
    name: 'sqlite (writer thread)',
    open() {
      const dir = mkdtempSync(join(tmpdir(), 'tincan-files-contract-'));
      const file = join(dir, 'h.db');
      const opened: SqliteStorage[] = [new SqliteStorage(file, { writer: 'thread' })];
      return {
        store: opened[0]!.files,
        reopen: () => {
          void opened[opened.length - 1]!.close();
          const s = new SqliteStorage(file, { writer: 'thread' });
          opened.push(s);
          return s.files;
        },
        close: async () => {
          for (const s of opened) await s.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

const f = (id: string, createdAt: number, over: Partial<StoredFile> = {}): StoredFile => ({
  id,
  name: 'photo of ' + id + '.png',
  type: 'image/png',
  size: 1234,
  owner: '10.0.0.5',
  nick: 'Alice',
  target: '#Room',
  createdAt,
  ...over,
});

for (const impl of IMPLS) {
  test(`${impl.name}: files are added, read back whole, listed oldest first, deleted`, async () => {
    const o = impl.open();
    try {
      const s = o.store;
      await s.addFile(f('BBBBBBBBBBBBBBBB', 2000));
      await s.addFile(f('AAAAAAAAAAAAAAAA', 1000, { name: 'ünïcode "quoted".txt', type: 'application/octet-stream', size: 7, nick: 'bob', target: 'bob' }));
      await s.addFile(f('CCCCCCCCCCCCCCCC', 2000));
      assert.deepEqual(await s.getFile('AAAAAAAAAAAAAAAA'), f('AAAAAAAAAAAAAAAA', 1000, { name: 'ünïcode "quoted".txt', type: 'application/octet-stream', size: 7, nick: 'bob', target: 'bob' }));
      assert.equal(await s.getFile('nope'), null);
      assert.deepEqual((await s.listFiles()).map((x) => x.id), ['AAAAAAAAAAAAAAAA', 'BBBBBBBBBBBBBBBB', 'CCCCCCCCCCCCCCCC'], 'by time, then id');
      await assert.rejects(s.addFile(f('AAAAAAAAAAAAAAAA', 5)), 'an id is never reused');
      await s.deleteFile('BBBBBBBBBBBBBBBB');
      await s.deleteFile('BBBBBBBBBBBBBBBB'); // absent: no-op
      assert.deepEqual((await s.listFiles()).map((x) => x.id), ['AAAAAAAAAAAAAAAA', 'CCCCCCCCCCCCCCCC']);
      if (o.reopen !== undefined) {
        const again = o.reopen();
        assert.deepEqual((await again.listFiles()).map((x) => x.id), ['AAAAAAAAAAAAAAAA', 'CCCCCCCCCCCCCCCC'], 'kept across a restart');
        assert.equal((await again.getFile('CCCCCCCCCCCCCCCC'))?.size, 1234);
      }
    } finally {
      await o.close();
    }
  });
}
