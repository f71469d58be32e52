// The SQLite store indexes new rows for full-text search off the append transaction
// (src/storage/sqlite/sqlite-storage.ts): what a process did not index is indexed at the
// next open, a v1 database (trigger-indexed) migrates, and id reuse after prune is safe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '../../src/storage/types.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { MIGRATIONS } from '../../src/storage/sqlite/migrations.js';

const T0 = 1_700_000_000_000;
const ev = (i: number, text = 'word ' + i): NewEvent => ({
  target: '#a', msgid: 'm' + i, time: T0 + i * 1000, command: 'PRIVMSG', source: 'a!b@c', params: ['#a', text], tags: '',
});
const nums = (es: { msgid: string }[]) => es.map((e) => Number(e.msgid.slice(1)));
const ftsCount = (db: Database.Database, word: string) =>
  (db.prepare('SELECT COUNT(*) FROM events_fts WHERE events_fts MATCH ?').pluck().get(word) as number);

function withDir(fn: (file: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tincan-fts-'));
    try {
      await fn(join(dir, 'h.db'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('append does not index; the background batch and search() do', withDir(async (file) => {
  const s = new SqliteStorage(file);
  try {
    await s.history.append([ev(1), ev(2)]);
    assert.equal(ftsCount(s.db, 'word'), 0, 'not indexed in the append transaction');
    assert.deepEqual(nums(await s.history.search({ targets: ['#a'], words: ['word'], limit: 10 })), [2, 1]);
    assert.equal(ftsCount(s.db, 'word'), 2);
    await s.history.append([ev(3)]);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(ftsCount(s.db, 'word'), 3, 'indexed by the background batch');
  } finally {
    await s.close();
  }
}));

test('rows a killed process did not index are indexed at the next open', withDir(async (file) => {
  const s = new SqliteStorage(file);
  await s.history.append([ev(1), ev(2), ev(3)]);
  // simulate kill -9: the database is closed without indexing the pending rows
  (s.history as unknown as { stopIndexing(): void }).stopIndexing();
  s.db.close();
  const again = new SqliteStorage(file);
  try {
    assert.equal(ftsCount(again.db, 'word'), 0);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(ftsCount(again.db, 'word'), 3);
    assert.deepEqual(nums(await again.history.search({ targets: ['#a'], words: ['word'], limit: 10 })), [3, 2, 1]);
  } finally {
    await again.close();
  }
}));

test('a version-1 database (indexed by trigger) migrates with its index intact', withDir(async (file) => {
  const db = new Database(file);
  db.exec(MIGRATIONS[0]!);
  db.pragma('user_version = 1');
  const ins = db.prepare("INSERT INTO events (target, time, msgid, command, source, params, tags, body) VALUES ('#a', ?, ?, 'PRIVMSG', 'a!b@c', '[]', '', ?)");
  ins.run(T0 + 1000, 'm1', 'old one');
  ins.run(T0 + 2000, 'm2', 'old two');
  db.close();
  const s = new SqliteStorage(file);
  try {
    assert.equal(s.db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    await s.history.append([ev(3, 'old three')]);
    assert.deepEqual(nums(await s.history.search({ targets: ['#a'], words: ['old'], limit: 10 })), [3, 2, 1]);
    s.db.exec("INSERT INTO events_fts (events_fts) VALUES ('integrity-check')");
  } finally {
    await s.close();
  }
}));

test('pruning everything then appending (ids reused) keeps search exact', withDir(async (file) => {
  const s = new SqliteStorage(file);
  try {
    await s.history.append([ev(1), ev(2), ev(3)]);
    assert.equal(await s.history.prune({ olderThan: T0 + 10_000, maxPerTarget: null, maxRows: 100 }), 3);
    await s.history.append([ev(4, 'fresh')]);
    assert.deepEqual(nums(await s.history.search({ targets: ['#a'], words: ['fresh'], limit: 10 })), [4]);
    assert.deepEqual(nums(await s.history.search({ targets: ['#a'], words: ['word'], limit: 10 })), []);
    s.db.exec("INSERT INTO events_fts (events_fts) VALUES ('integrity-check')");
  } finally {
    await s.close();
  }
}));
