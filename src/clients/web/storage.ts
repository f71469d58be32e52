/**
 * What the browser page remembers: the nick and the rooms (localStorage, across
 * reloads) and the server password (sessionStorage: this tab only, never localStorage).
 * Storage that is off (private mode) just remembers nothing.
 */
export const NICK_KEY = 'tincan.nick';
export const ROOMS_KEY = 'tincan.rooms';
/** the /ignore list (a JSON array of nicks) */
export const IGNORE_KEY = 'tincan.ignore';
/** the server password: this tab only (sessionStorage), never localStorage */
export const PASSWORD_KEY = 'tincan.password';
const DEFAULT_ROOMS = ['#lobby'];

export function load(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
export function save(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    /* private mode: nothing remembered */
  }
}

export function loadSession(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}
export function saveSession(key: string, value: string | null): void {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    /* storage off: asked again after a reload */
  }
}

export function savedRooms(): string[] {
  try {
    const v: unknown = JSON.parse(load(ROOMS_KEY) ?? 'null');
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    /* ignore */
  }
  return DEFAULT_ROOMS;
}

export function savedIgnores(): string[] {
  try {
    const v: unknown = JSON.parse(load(IGNORE_KEY) ?? 'null');
    if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string').slice(0, 100);
  } catch {
    /* ignore */
  }
  return [];
}
