/**
 * `tincan chat --save-login`: account credentials per server, kept for SASL on the next
 * start, in $XDG_CONFIG_HOME/tincan/logins.json (default ~/.config/tincan). Like an ssh
 * key, the file is created with mode 0600 in a 0700 directory, and a file that other
 * users can read (or that is not a regular file, or is oversized) is refused, never
 * used. Written whole through a temporary file and a rename. Node only.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { configDir } from './known-servers.js';
import type { Credentials } from './sasl.js';

/** A logins file bigger than this is not ours: refused. */
export const MAX_LOGINS_BYTES = 64 * 1024;

export function savedLoginsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'logins.json');
}

/** The file exists but may not be used; the message says why and how to fix it. */
export class UnsafeLoginsFile extends Error {
  override name = 'UnsafeLoginsFile';
}

function readAll(path: string): Record<string, Credentials> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UnsafeLoginsFile(`Cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UnsafeLoginsFile(`${path} is not a regular file: saved logins not used`);
    if ((st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new UnsafeLoginsFile(`${path} can be read by other users (mode ${mode}): saved logins not used. Fix it with: chmod 600 ${path}`);
    }
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw new UnsafeLoginsFile(`${path} belongs to another user: saved logins not used`);
    if (st.size > MAX_LOGINS_BYTES) throw new UnsafeLoginsFile(`${path} is larger than ${MAX_LOGINS_BYTES} bytes: saved logins not used`);
    const buf = Buffer.alloc(st.size);
    const n = readSync(fd, buf, 0, buf.length, 0);
    let data: unknown;
    try {
      data = JSON.parse(buf.subarray(0, n).toString('utf8'));
    } catch {
      throw new UnsafeLoginsFile(`${path} is not valid JSON: saved logins not used`);
    }
    const out: Record<string, Credentials> = {};
    if (data === null || typeof data !== 'object') return out;
    for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
      const c = v as { account?: unknown; password?: unknown } | null;
      if (c !== null && typeof c === 'object' && typeof c.account === 'string' && typeof c.password === 'string') out[k] = { account: c.account, password: c.password };
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** The saved login for `server` (`host:port`), or null. Throws UnsafeLoginsFile. */
export function readSavedLogin(path: string, server: string): Credentials | null {
  return readAll(path)[server] ?? null;
}

function writeAll(path: string, all: Record<string, Credentials>): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  rmSync(tmp, { force: true }); // left by a crashed run with the same pid
  // 'wx': never follow or reuse a file someone else put there
  writeFileSync(tmp, JSON.stringify(all, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  renameSync(tmp, path);
}

/** Saves (or replaces) the login for `server`. An unusable old file is replaced. */
export function saveLogin(path: string, server: string, creds: Credentials): void {
  let all: Record<string, Credentials> = {};
  try {
    all = readAll(path);
  } catch {
    // a file we refused to read is not merged: it is replaced by one only we can read
  }
  all[server] = { account: creds.account, password: creds.password };
  writeAll(path, all);
}

/** Forgets the login for `server`; false when there was none. */
export function forgetSavedLogin(path: string, server: string): boolean {
  const all = readAll(path);
  if (all[server] === undefined) return false;
  delete all[server];
  writeAll(path, all);
  return true;
}
