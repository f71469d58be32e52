/**
 * The one-time admin code printed on the join card: whoever types it (`/admin CODE` in
 * the plain dialect and the clients, `CLAIM CODE` or `OPER admin CODE` over IRC) becomes
 * admin. Single use, compared in constant time, expires (moderation.claimCodeMinutes),
 * and wrong guesses are rate limited per address (moderation.claimAttemptsPerMinute).
 */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { TokenBucket } from '../util/token-bucket.js';

/** Crockford's base32: no I, L, O or U, so a code read aloud or off a screen is unambiguous. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 10 characters = 50 bits: at 5 guesses a minute per address, out of reach. */
const LENGTH = 10;
/** Addresses whose guesses are remembered at most (oldest dropped first). */
const MAX_TRACKED = 10_000;

export type ClaimResult = 'ok' | 'wrong' | 'throttled' | 'none';

/** A code as typed: case, spaces and dashes do not matter; O/I/L read as 0/1/1. */
export function normalizeCode(s: string): string {
  return s.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export class ClaimCode {
  readonly #now: () => number;
  #code: string | null = null;
  #expiresAt = 0;
  readonly #tries = new Map<string, TokenBucket>();

  constructor(now: () => number) {
    this.#now = now;
  }

  /** A fresh code (the previous one stops working), valid for `minutes`; null when 0. */
  issue(minutes: number): string | null {
    if (minutes <= 0) {
      this.#code = null;
      return null;
    }
    let c = '';
    for (let i = 0; i < LENGTH; i++) c += ALPHABET[randomInt(ALPHABET.length)];
    this.#code = c;
    this.#expiresAt = this.#now() + minutes * 60_000;
    return ClaimCode.format(c);
  }

  /** "ABCDE-FGHJK" */
  static format(code: string): string {
    return code.slice(0, 5) + '-' + code.slice(5);
  }

  /** The current code (formatted) while it is valid, else null. */
  current(): string | null {
    if (this.#code === null || this.#now() >= this.#expiresAt) return null;
    return ClaimCode.format(this.#code);
  }

  get expiresAt(): number {
    return this.#expiresAt;
  }

  /** Checks a guess from `ip`; a right one uses the code up. */
  attempt(given: string, ip: string, perMinute: number): ClaimResult {
    let b = this.#tries.get(ip);
    if (b === undefined) {
      b = new TokenBucket(perMinute / 60, perMinute, this.#now);
      this.#tries.set(ip, b);
      if (this.#tries.size > MAX_TRACKED) this.#tries.delete(this.#tries.keys().next().value!);
    }
    // every attempt costs a token, right or wrong: no oracle on whether a guess was close
    if (!b.take()) return 'throttled';
    if (this.#code === null || this.#now() >= this.#expiresAt) return 'none';
    // equal-length digests: the comparison takes the same time whatever was typed
    if (!timingSafeEqual(digest(normalizeCode(given)), digest(this.#code))) return 'wrong';
    this.#code = null;
    return 'ok';
  }
}
