// The SQLite append path when the COMMIT itself fails (on a full disk the WAL frames are
// written at commit): nothing of the batch stays, and rows appended afterwards, which
// reuse the rolled-back ids, are still indexed for search.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';
import { parseSearchWords } from '../../../src/storage/search-text.js';
import type { NewEvent } from '../../../src/storage/types.js';

const ev = (msgid: string, text: string): NewEvent => ({ target: '#a', msgid, time: 1_700_000_000_000, command: 'PRIVMSG', source: 'a!a@h', params: ['#a', text], tags: '' });

test('a failed COMMIT leaves nothing behind and later rows are still searchable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-commit-'));
  const s = new SqliteStorage(join(dir, 'tincan.db'));
  try {
    await s.history.append([ev('m1', 'first words')]);
    // a deferred foreign key makes COMMIT fail after every insert succeeded
    s.db.pragma('foreign_keys = ON');
    s.db.exec(`CREATE TEMP TABLE p (id INTEGER PRIMARY KEY);
      CREATE TEMP TABLE c (pid INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED);
      CREATE TEMP TRIGGER boom AFTER INSERT ON main.events WHEN NEW.msgid = 'boom' BEGIN INSERT INTO c VALUES (42); END;`);
    await assert.rejects(s.history.append([ev('x1', 'lost one'), ev('boom', 'lost two')]), /FOREIGN KEY/);
    assert.equal(s.db.prepare('SELECT COUNT(*) FROM events').pluck().get(), 1);
    s.indexSearchNow(); // as the background indexer would, before the next append
    await s.history.append([ev('m2', 'zebra crossing')]);
    const found = await s.history.search({ targets: ['#a'], words: parseSearchWords('zebra'), limit: 10 });
    assert.deepEqual(found.map((e) => e.msgid), ['m2']);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
