/**
 * Account passwords: rules, hashing and checking. Everything slow runs in libuv's
 * thread pool (async crypto.scrypt / crypto.pbkdf2), never on the event loop, and at
 * most HASH_CONCURRENCY at once with at most HASH_QUEUE waiting: a crowd of guessers
 * cannot take all four pool threads (which DNS and file I/O share) or unbounded memory.
 * Passwords are never logged and never stored: only scrypt and SCRAM-SHA-256 verifiers.
 */
import { createHash, createHmac, pbkdf2, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { AccountCredentials } from '../storage/types.js';

/** Longest password accepted, in UTF-8 bytes (the account-registration spec's advice). */
export const MAX_PASSWORD_BYTES = 300;
/** scrypt cost: N=2^14, r=8 needs 16 MiB and about 50 ms of one pool thread. */
export const SCRYPT_PARAMS = { N: 16384, r: 8, p: 1 } as const;
const SCRYPT_KEYLEN = 32;
const SALT_BYTES = 16;
/** Hashes running at once (of libuv's 4 pool threads) and waiting at most. */
export const HASH_CONCURRENCY = 2;
export const HASH_QUEUE = 64;

/** The hash queue is full: the caller answers "try again" (never queues without bound). */
export class HashBusyError extends Error {
  constructor() {
    super('password checks are busy; try again in a moment');
    this.name = 'HashBusyError';
  }
}

let active = 0;
const waiting: (() => void)[] = [];

/** Runs `job` when a hashing slot is free; rejects with HashBusyError when the queue is full. */
export function gated<T>(job: () => Promise<T>): Promise<T> {
  if (active < HASH_CONCURRENCY) {
    active++;
    return runSlot(job);
  }
  if (waiting.length >= HASH_QUEUE) return Promise.reject(new HashBusyError());
  // the finishing job hands its slot over: `active` stays counted
  return new Promise<void>((resolve) => waiting.push(resolve)).then(() => runSlot(job));
}

async function runSlot<T>(job: () => Promise<T>): Promise<T> {
  try {
    return await job();
  } finally {
    const next = waiting.shift();
    if (next !== undefined) next();
    else active--;
  }
}

/** Hashes running and waiting now (tests). */
export function hashLoad(): { active: number; waiting: number } {
  return { active, waiting: waiting.length };
}

/** Why `password` cannot be an account password (a sentence for the user), or null. */
export function passwordProblem(password: string, minLength: number): { code: 'WEAK_PASSWORD' | 'UNACCEPTABLE_PASSWORD'; text: string } | null {
  const chars = [...password].length;
  if (chars < minLength) return { code: 'WEAK_PASSWORD', text: `Password too short: use at least ${minLength} characters` };
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return { code: 'UNACCEPTABLE_PASSWORD', text: `Password too long: at most ${MAX_PASSWORD_BYTES} bytes` };
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(password)) return { code: 'UNACCEPTABLE_PASSWORD', text: 'Password must not contain control characters' };
  return null;
}

function scryptAsync(password: string | Buffer, salt: Buffer, keylen: number, p: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, { N: p.N, r: p.r, p: p.p, maxmem: 256 * p.N * p.r }, (err, key) => (err === null ? resolve(key) : reject(err)));
  });
}

function pbkdf2Async(password: string | Buffer, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, 32, 'sha256', (err, key) => (err === null ? resolve(key) : reject(err)));
  });
}

export const hmac = (key: Buffer, data: string | Buffer): Buffer => createHmac('sha256', key).update(data).digest();
export const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/**
 * SCRAM's Normalize(): RFC 5802 asks for SASLprep; NFKC is its core (identical for
 * ASCII, which is what clients send in practice).
 */
export function scramNormalize(password: string): string {
  return password.normalize('NFKC');
}

/** RFC 5802: SaltedPassword, then StoredKey = H(HMAC(SP, "Client Key")), ServerKey = HMAC(SP, "Server Key"). */
export async function scramKeys(password: string, salt: Buffer, iterations: number): Promise<{ storedKey: Buffer; serverKey: Buffer }> {
  const salted = await pbkdf2Async(scramNormalize(password), salt, iterations);
  return { storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

/** Both verifiers for a new password (the caller has checked passwordProblem). */
export function makeCredentials(password: string, scramIterations: number): Promise<AccountCredentials> {
  return gated(async () => {
    const salt = randomBytes(SALT_BYTES);
    const scramSalt = randomBytes(SALT_BYTES);
    const [hash, scram] = await Promise.all([scryptAsync(password, salt, SCRYPT_KEYLEN, SCRYPT_PARAMS), scramKeys(password, scramSalt, scramIterations)]);
    return {
      scrypt: { salt: salt.toString('base64'), hash: hash.toString('base64'), ...SCRYPT_PARAMS },
      scramSha256: { salt: scramSalt.toString('base64'), iterations: scramIterations, storedKey: scram.storedKey.toString('base64'), serverKey: scram.serverKey.toString('base64') },
    };
  });
}

/** True when `password` matches; over-long input is refused before any hashing. */
export function checkPassword(password: string, cred: AccountCredentials): Promise<boolean> {
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return Promise.resolve(false);
  const c = cred.scrypt;
  return gated(async () => {
    const want = Buffer.from(c.hash, 'base64');
    if (want.length === 0) return false;
    const got = await scryptAsync(password, Buffer.from(c.salt, 'base64'), want.length, c);
    return got.length === want.length && timingSafeEqual(got, want);
  });
}

/** Spends about what checkPassword costs, for an unknown account (no timing oracle). */
export function dummyCheck(password: string): Promise<boolean> {
  return gated(async () => {
    await scryptAsync(password.slice(0, MAX_PASSWORD_BYTES), DUMMY_SALT, SCRYPT_KEYLEN, SCRYPT_PARAMS);
    return false;
  });
}
const DUMMY_SALT = randomBytes(SALT_BYTES);
