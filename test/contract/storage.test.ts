// The storage contract suite (storage-suite.ts) against every backend: memory, SQLite,
// and PostgreSQL (a throwaway server, test/helpers/postgres.ts; skipped, saying why,
// when PostgreSQL is not installed).
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { PostgresStorage } from '../../src/storage/postgres/postgres-storage.js';
import { postgresUnavailable, startPostgres, type PgServer } from '../helpers/postgres.js';
import { storageContract } from './storage-suite.js';

storageContract({ name: 'memory', open: async () => ({ storage: new MemoryStorage(), cleanup() {} }) });

storageContract({
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'tincan-contract-'));
    const file = join(dir, 'h.db');
    return { storage: new SqliteStorage(file), reopen: async () => new SqliteStorage(file), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  },
});

storageContract({
  // what `tincan serve` uses (open.ts): writes in a worker thread, reads here
  name: 'sqlite (writer thread)',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'tincan-contract-'));
    const file = join(dir, 'h.db');
    const mk = async () => new SqliteStorage(file, { writer: 'thread' });
    return { storage: await mk(), reopen: mk, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  },
});

const pgSkip = postgresUnavailable();
let pg: PgServer | null = null;
before(async () => {
  if (pgSkip === null) pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

storageContract({
  name: 'postgres',
  skip: pgSkip,
  searchIndexesTargets: true,
  async open() {
    const url = await pg!.createDatabase();
    return { storage: await PostgresStorage.open({ url, poolMax: 4 }), reopen: () => PostgresStorage.open({ url, poolMax: 4 }), cleanup() {} };
  },
});
