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
  /** in issue order, which is expiry order while files.tokenSeconds stays the same */
  readonly #grants = new Map<string, UploadGrant<S>>();
  readonly #bySession = new Map<S, string[]>();
  constructor(
    readonly now: () => number,
    /** the token maker (tests make cheap ones, to measure the bookkeeping alone) */
    readonly random: () => string = () => randomBytes(24).toString('base64url'),
  ) {}

  issue(session: S, target: string, seconds: number): UploadGrant<S> {
    this.#sweep();
    const mine = this.#bySession.get(session) ?? [];
    // past the per-session cap its oldest idle token goes
    if (mine.length >= TOKENS_PER_SESSION) {
      const idle = mine.find((t) => this.#grants.get(t)?.busy !== true);
      if (idle !== undefined) this.#delete(idle);
    }
    if (this.#grants.size >= MAX_TOKENS) {
      const first = this.#grants.keys().next();
      if (first.done !== true) this.#delete(first.value);
    }
    const g: UploadGrant<S> = { token: this.random(), session, target, expires: this.now() + seconds * 1000, busy: false };
    this.#grants.set(g.token, g);
    const list = this.#bySession.get(session);
    if (list === undefined) this.#bySession.set(session, [g.token]);
    else list.push(g.token);
    return g;
  }

  /** The live grant for `token`, or null (unknown, expired). */
  get(token: string): UploadGrant<S> | null {
    const g = this.#grants.get(token);
    if (g === undefined) return null;
    if (g.expires <= this.now() && !g.busy) {
      this.#delete(token);
      return null;
    }
    return g;
  }

  /** The upload with it succeeded: the token is spent. */
  spend(token: string): void {
    this.#delete(token);
  }

  /** Every token of a session that went away. */
  forget(session: S): void {
    for (const t of [...(this.#bySession.get(session) ?? [])]) this.#delete(t);
  }

  get size(): number {
    return this.#grants.size;
  }

  #delete(token: string): void {
    const g = this.#grants.get(token);
    if (g === undefined) return;
    this.#grants.delete(token);
    const list = this.#bySession.get(g.session);
    if (list === undefined) return;
    const i = list.indexOf(token);
    if (i !== -1) list.splice(i, 1);
    if (list.length === 0) this.#bySession.delete(g.session);
  }

  /** Expired tokens from the front (the oldest): stops at the first live one, so it costs what it removes. */
  #sweep(): void {
    const now = this.now();
    for (const [t, g] of this.#grants) {
      if (g.expires > now) break;
      if (!g.busy) this.#delete(t);
    }
  }
}
