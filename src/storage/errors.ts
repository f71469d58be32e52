/** Store errors the core treats specially. */

/** True when a store failed because its disk (or its size limit) is full. */
export function isStorageFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  // 53100: PostgreSQL's disk_full
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === '53100';
}
