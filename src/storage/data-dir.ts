/**
 * The data directory: created if missing, checked for writing, and locked so that two
 * servers never share one database.
 *
 * Creation walks the missing components with plain mkdir, not `mkdirSync(dir,
 * {recursive: true})`: on Linux /proc (and other pseudo file systems) mkdir of a new entry
 * fails with ENOENT although the parent exists, and Node's recursive mkdir answers ENOENT
 * by creating the parent (EEXIST) and retrying the child, forever, at 100 % CPU.
 *
 * The lock is SQLite's own (POSIX fcntl) lock on `tincan.lock`, held by an open EXCLUSIVE
 * transaction: the kernel drops it when the process ends in any way, kill -9 included, so
 * there is no stale lock to clean up. The holder's pid is written to `tincan.pid`, only to
 * name it in the refusal.
 */
import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { StartupCode } from '../errors.js';

export const LOCK_FILE = 'tincan.lock';
export const PID_FILE = 'tincan.pid';

/** A data directory problem, with a message meant for the person starting the server. */
export class DataDirError extends Error {
  constructor(
    message: string,
    /** stable code (docs/errors.md) */
    readonly code: Extract<StartupCode, `TINCAN_ERR_DATA_DIR_${string}`>,
    /** the system's error code behind it (EACCES, SQLITE_BUSY, ...), when there is one */
    readonly errno?: string,
  ) {
    super(message);
    this.name = 'DataDirError';
  }
}

const HINT = 'choose another directory with --data DIR (or dataDir in the config file)';

function why(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'ENOENT':
      return 'this file system does not allow creating entries there';
    default:
      return err.message;
  }
}

function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // ENOTDIR: an ancestor is a file; the walk up finds it and says so
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
    throw new DataDirError(`cannot use the data directory ${p}: ${why(err)} (${err.code}); ${HINT}`, 'TINCAN_ERR_DATA_DIR_UNUSABLE', err.code ?? 'EIO');
  }
}

/**
 * Makes sure `dir` exists as a writable directory (creating missing components) and
 * returns its absolute path. Throws DataDirError with a clear message otherwise.
 */
export function ensureDataDir(dir: string): string {
  const abs = makeDir(dir);
  // the real test of "writable" (access(2) says yes to root on a read-only mount)
  try {
    closeSync(openSync(join(abs, LOCK_FILE), 'a'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new DataDirError(`the data directory ${abs} is not writable: ${why(err)} (${err.code}); ${HINT}`, 'TINCAN_ERR_DATA_DIR_NOT_WRITABLE', err.code ?? 'EIO');
  }
  return abs;
}

/** Creates `dir` and its missing parents (see the top for why not recursive mkdir). */
export function makeDir(dir: string): string {
  const abs = resolve(dir);
  // the deepest existing ancestor; bounded by the number of path components
  const missing: string[] = [];
  let p = abs;
  let st = statOrNull(p);
  while (st === null) {
    missing.unshift(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
    st = statOrNull(p);
  }
  if (st !== null && !st.isDirectory()) {
    const what = p === abs ? `the data directory ${abs} is a file, not a directory` : `cannot create the data directory ${abs}: ${p} is a file, not a directory`;
    throw new DataDirError(`${what}; ${HINT}`, 'TINCAN_ERR_DATA_DIR_NOT_DIR', 'ENOTDIR');
  }
  for (const m of missing) {
    try {
      mkdirSync(m);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EEXIST' && statOrNull(m)?.isDirectory() === true) continue;
      throw new DataDirError(`cannot create the data directory ${abs}: ${m}: ${why(err)} (${err.code}); ${HINT}`, 'TINCAN_ERR_DATA_DIR_CREATE', err.code ?? 'EIO');
    }
  }
  return abs;
}

/** Held while the server runs; release() is idempotent. */
export interface DataDirLock {
  readonly dir: string;
  release(): void;
}

/** Locks `dir` (already made by ensureDataDir) or throws DataDirError naming the holder. */
export function lockDataDir(dir: string): DataDirLock {
  let db: Database.Database | null = null;
  try {
    db = new Database(join(dir, LOCK_FILE), { timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    db?.close();
    const code = (e as { code?: string }).code;
    if (code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') {
      throw new DataDirError(
        `cannot lock the data directory ${dir} (${code ?? ''}: ${(e as Error).message}); if no tincan server is running, remove ${join(dir, LOCK_FILE)}`,
        'TINCAN_ERR_DATA_DIR_LOCK',
        code ?? 'EIO',
      );
    }
    let pid = 'unknown';
    try {
      pid = readFileSync(join(dir, PID_FILE), 'utf8').trim() || pid;
    } catch {
      // written just after the lock is taken: the other server may be starting
    }
    throw new DataDirError(
      `the data directory ${dir} is in use by another tincan server (pid ${pid}); stop that one, or give this one its own directory with --data DIR`,
      'TINCAN_ERR_DATA_DIR_IN_USE',
      code,
    );
  }
  const pidFile = join(dir, PID_FILE);
  try {
    writeFileSync(pidFile, `${process.pid}\n`);
  } catch {
    // only informative
  }
  let held = true;
  return {
    dir,
    release() {
      if (!held) return;
      held = false;
      try {
        if (readFileSync(pidFile, 'utf8').trim() === String(process.pid)) unlinkSync(pidFile);
      } catch {
        // already gone
      }
      db.close();
    },
  };
}
