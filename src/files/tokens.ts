/**
 * Upload tokens: `UPLOAD #room` gives a session a link with one of these in it. A token
 * is 24 random bytes (32 base64url characters, short enough for a curl line in 80 columns), bound to the session and the target it was asked for,
 * valid for files.tokenSeconds, spent by the first upload that completes, and at most one
 * upload uses it at a time. Whoever holds it can post one file as that session into that
 * room, so it is only ever sent to that session (a server NOTICE) and answers nothing else.
 * The clock is injected.
 */
import { randomBytes } from 'node:crypto';

export interface UploadGrant<S> {
  token: string;
  session: S;
  target: string;
  expires: number;
  /** an upload with this token is in progress */
  busy: boolean;
}

/** Tokens held at once, server-wide: the oldest go first past it. */
export const MAX_TOKENS = 10000;
/** Tokens one session holds at once (asking again past it retires its oldest). */
export const TOKENS_PER_SESSION = 8;

export class UploadTokens<S> {
  readonly #grants = new Map<string, UploadGrant<S>>();
  constructor(readonly now: () => number) {}

  issue(session: S, target: string, seconds: number): UploadGrant<S> {
    this.#sweep();
    let mine = 0;
    let oldest: string | null = null;
    for (const g of this.#grants.values()) {
      if (g.session !== session || g.busy) continue;
      mine++;
      oldest ??= g.token;
    }
    if (mine >= TOKENS_PER_SESSION && oldest !== null) this.#grants.delete(oldest);
    if (this.#grants.size >= MAX_TOKENS) {
      const first = this.#grants.keys().next();
      if (first.done !== true) this.#grants.delete(first.value);
    }
    const g: UploadGrant<S> = { token: randomBytes(24).toString('base64url'), session, target, expires: this.now() + seconds * 1000, busy: false };
    this.#grants.set(g.token, g);
    return g;
  }

  /** The live grant for `token`, or null (unknown, expired). */
  get(token: string): UploadGrant<S> | null {
    const g = this.#grants.get(token);
    if (g === undefined) return null;
    if (g.expires <= this.now() && !g.busy) {
      this.#grants.delete(token);
      return null;
    }
    return g;
  }

  /** The upload with it succeeded: the token is spent. */
  spend(token: string): void {
    this.#grants.delete(token);
  }

  /** Every token of a session that went away. */
  forget(session: S): void {
    for (const [t, g] of this.#grants) if (g.session === session) this.#grants.delete(t);
  }

  get size(): number {
    return this.#grants.size;
  }

  #sweep(): void {
    const now = this.now();
    for (const [t, g] of this.#grants) if (g.expires <= now && !g.busy) this.#grants.delete(t);
  }
}
