/**
 * Opens the configured storage backend: SQLite in `<dataDir>/tincan.db` (creating the
 * directory and locking it for this process, see data-dir.ts), memory, or PostgreSQL
 * (`opts.postgres`: connected and migrated before this resolves; no data directory lock,
 * several nodes share it). The caller closes it after the last history flush; closing
 * releases the lock.
 */
import { join } from 'node:path';
import type { Storage } from './types.js';
import { MemoryStorage } from './memory/memory-storage.js';
import { DataDirError, ensureDataDir, lockDataDir } from './data-dir.js';
import type { PostgresOptions } from './postgres/postgres-storage.js';

export type StorageKind = 'sqlite' | 'memory' | 'postgres';

export const DB_FILE = 'tincan.db';

export async function openStorage(kind: StorageKind, dataDir: string, opts: { postgres?: PostgresOptions } = {}): Promise<Storage> {
  if (kind === 'memory') return new MemoryStorage();
  if (kind === 'postgres') {
    if (opts.postgres === undefined) throw new Error('storage postgres needs postgres.url');
    const { PostgresStorage } = await import('./postgres/postgres-storage.js');
    return PostgresStorage.open(opts.postgres);
  }
  const { SqliteStorage } = await import('./sqlite/sqlite-storage.js');
  type SqliteStorage = InstanceType<typeof SqliteStorage>;
  const dir = ensureDataDir(dataDir);
  const lock = lockDataDir(dir);
  const file = join(dir, DB_FILE);
  let storage: SqliteStorage;
  try {
    // writes in a worker thread: a slow disk must not stall delivery (sqlite-storage.ts)
    storage = new SqliteStorage(file, { onClose: () => lock.release(), writer: 'thread' });
  } catch (e) {
    lock.release();
    throw openError(e, file);
  }
  try {
    await storage.ready();
  } catch (e) {
    await storage.close().catch(() => {});
    throw openError(e, file);
  }
  return storage;
}

function openError(e: unknown, file: string): unknown {
  const code = (e as { code?: string }).code;
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') {
    return new DataDirError(`the history database ${file} cannot be written (${code}): check its permissions, or choose another directory with --data DIR`, 'TINCAN_ERR_DATA_DIR_DB_READONLY', code);
  }
  return e;
}
