/**
 * Device tokens: what the browser keeps instead of the password. A token is 32 random
 * bytes (base64url, after the `tct1_` marker), shown once to the session that asked for
 * it; the account record keeps only its SHA-256 (settings.deviceTokens), so a copy of
 * the database logs nobody in. Logging in with a token is SASL PLAIN with the token as
 * the password: recognised by its shape, checked against the account's hashes in
 * constant time, without scrypt (32 random bytes cannot be guessed, so a slow hash
 * buys nothing). At most MAX_DEVICE_TOKENS per account; each revocable by its id.
 *
 * Changes to one account's tokens run one after another (a chain per account), so two
 * devices asking at once cannot overwrite each other's new token, and a revoke cannot
 * be undone by a concurrent create.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AccountRecord } from '../storage/types.js';
import type { Accounts } from './accounts.js';

export const TOKEN_PREFIX = 'tct1_';
/** 32 bytes of base64url */
const TOKEN_RE = /^tct1_[A-Za-z0-9_-]{43}$/;
export const MAX_DEVICE_TOKENS = 20;
/** Longest device label kept, in characters. */
export const MAX_LABEL = 64;
const SETTING = 'deviceTokens';

export interface DeviceToken {
  /** short public id (for LIST and REVOKE): 8 hex characters */
  id: string;
  label: string;
  /** hex SHA-256 of the token */
  hash: string;
  /** ms since the epoch */
  createdAt: number;
}

export function isDeviceToken(s: string): boolean {
  return TOKEN_RE.test(s);
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** The account's tokens (malformed entries dropped). */
export function deviceTokens(rec: AccountRecord): DeviceToken[] {
  const raw = rec.settings[SETTING];
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (t): t is DeviceToken =>
      t !== null && typeof t === 'object' && typeof t.id === 'string' && typeof t.label === 'string' && typeof t.hash === 'string' && /^[0-9a-f]{64}$/.test(t.hash) && typeof t.createdAt === 'number',
  );
}

/** The id of `rec`'s token equal to `token`, or null. Every stored hash is compared (constant time). */
export function matchingTokenId(rec: AccountRecord, token: string): string | null {
  if (!isDeviceToken(token)) return null;
  const h = sha256(token);
  let id: string | null = null;
  for (const t of deviceTokens(rec)) if (timingSafeEqual(h, Buffer.from(t.hash, 'hex'))) id = t.id;
  return id;
}

/** True when `token` is one of `rec`'s. */
export function tokenMatches(rec: AccountRecord, token: string): boolean {
  return matchingTokenId(rec, token) !== null;
}

/**
 * The check SASL PLAIN (and any password login) runs: a device token is checked here,
 * synchronously and without scrypt; anything else is a password for Accounts.verify().
 */
export function verifyPasswordOrToken(accounts: Accounts, name: string, secret: string): Promise<{ record: AccountRecord; tokenId: string | null } | null> {
  if (!isDeviceToken(secret)) return accounts.verify(name, secret).then((record) => (record === null ? null : { record, tokenId: null }));
  const rec = accounts.get(name);
  const tokenId = rec === undefined ? null : matchingTokenId(rec, secret);
  return Promise.resolve(rec !== undefined && tokenId !== null ? { record: rec, tokenId } : null);
}

/** Control characters out, whitespace collapsed, at most MAX_LABEL characters. */
export function cleanLabel(label: string): string {
  // eslint-disable-next-line no-control-regex
  const s = label.replace(/[\x00-\x1f\x7f]/g, ' ').replace(/\s+/g, ' ').trim();
  return [...s].slice(0, MAX_LABEL).join('') || 'device';
}

export type NewTokenOutcome = { ok: true; token: string; entry: DeviceToken } | { ok: false; reason: 'limit' | 'no-account' };

const chains = new WeakMap<Accounts, Map<string, Promise<unknown>>>();

/** Runs `job` after every earlier token change of `account` has settled. */
function serialized<T>(accounts: Accounts, account: string, job: () => Promise<T>): Promise<T> {
  let perAccount = chains.get(accounts);
  if (perAccount === undefined) chains.set(accounts, (perAccount = new Map()));
  const key = accounts.get(account)?.folded ?? account;
  const prev = perAccount.get(key) ?? Promise.resolve();
  const next = prev.then(job, job);
  const tail = next.catch(() => undefined);
  perAccount.set(key, tail);
  void tail.then(() => {
    if (perAccount.get(key) === tail) perAccount.delete(key);
  });
  return next;
}

/** A new token for `account`, labelled; the token itself is returned once and never stored. */
export function createDeviceToken(accounts: Accounts, account: string, label: string, now: number): Promise<NewTokenOutcome> {
  return serialized(accounts, account, async (): Promise<NewTokenOutcome> => {
    const rec = accounts.get(account);
    if (rec === undefined) return { ok: false, reason: 'no-account' };
    const existing = deviceTokens(rec);
    if (existing.length >= MAX_DEVICE_TOKENS) return { ok: false, reason: 'limit' };
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    let id = randomBytes(4).toString('hex');
    while (existing.some((t) => t.id === id)) id = randomBytes(4).toString('hex');
    const entry: DeviceToken = { id, label: cleanLabel(label), hash: sha256(token).toString('hex'), createdAt: now };
    const saved = await accounts.update(account, (r) => ({ ...r, settings: { ...r.settings, [SETTING]: [...deviceTokens(r), entry] } }));
    return saved === null ? { ok: false, reason: 'no-account' } : { ok: true, token, entry };
  });
}

/** Revokes token `id` of `account`; false when there is no such token. */
export function revokeDeviceToken(accounts: Accounts, account: string, id: string): Promise<boolean> {
  return serialized(accounts, account, async () => {
    const rec = accounts.get(account);
    if (rec === undefined || !deviceTokens(rec).some((t) => t.id === id)) return false;
    const saved = await accounts.update(account, (r) => ({ ...r, settings: { ...r.settings, [SETTING]: deviceTokens(r).filter((t) => t.id !== id) } }));
    return saved !== null;
  });
}
