/**
 * Opens the configured storage backend: SQLite in `<dataDir>/tincan.db` (creating the
 * directory), or memory. The caller closes it after the last history flush.
 */
import { join } from 'node:path';
import type { Storage } from './types.js';
import { MemoryStorage } from './memory/memory-storage.js';

export type StorageKind = 'sqlite' | 'memory';

export const DB_FILE = 'tincan.db';

export async function openStorage(kind: StorageKind, dataDir: string): Promise<Storage> {
  if (kind === 'memory') return new MemoryStorage();
  const { SqliteStorage } = await import('./sqlite/sqlite-storage.js');
  return new SqliteStorage(join(dataDir, DB_FILE));
}
