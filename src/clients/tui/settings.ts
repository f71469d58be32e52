/**
 * What `tincan chat` remembers between runs besides pinned certificates: the /ignore
 * list, one nick per line in $XDG_CONFIG_HOME/tincan/ignore (default ~/.config/tincan/).
 * Read once at start, written (atomically, mode 0600) when the list changes.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { knownServersPath } from '../shared/known-servers.js';
import { MAX_IGNORED } from '../shared/client-types.js';

export function ignoreFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(knownServersPath(env)), 'ignore');
}

export function loadIgnores(path: string = ignoreFilePath()): string[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  // a nick has no spaces; anything else on a line is not ours
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\S{1,64}$/.test(l))
    .slice(0, MAX_IGNORED);
}

export function saveIgnores(nicks: readonly string[], path: string = ignoreFilePath()): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, nicks.map((n) => n + '\n').join(''), { mode: 0o600 });
  renameSync(tmp, path);
}
