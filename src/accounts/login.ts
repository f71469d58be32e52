/**
 * Password logins, whichever way they come (SASL PLAIN, PASS account:password,
 * NickServ IDENTIFY), and the brute-force brake they share with SCRAM: a failure makes
 * the next attempt for that account and from that address wait, doubling per failure
 * (LOGIN_BASE_WAIT_MS up to LOGIN_MAX_WAIT_MS), in bounded maps on the server's clock.
 * Other accounts and other addresses are unaffected. Registration is rate limited per
 * address (accounts.registrationsPerIpPerHour) by a token bucket per address group.
 */
import type { IrcServer } from '../core/server.js';
import type { Session } from '../core/session.js';
import type { AccountRecord } from '../storage/types.js';
import { FailureThrottle } from '../util/failure-throttle.js';
import { TokenBucket } from '../util/token-bucket.js';
import { addressGroup } from '../util/netmask.js';
import { HashBusyError } from './password.js';
import { verifyPasswordOrToken } from './tokens.js';

export const LOGIN_FREE_FAILURES = 1;
export const LOGIN_BASE_WAIT_MS = 1000;
export const LOGIN_MAX_WAIT_MS = 60_000;
/** Addresses (and accounts) tracked at most; the oldest are forgotten first. */
export const LOGIN_MAX_ENTRIES = 10_000;

interface Guards {
  failures: FailureThrottle;
  registrations: Map<string, TokenBucket>;
}

const guards = new WeakMap<IrcServer, Guards>();

function guardsOf(srv: IrcServer): Guards {
  let g = guards.get(srv);
  if (g === undefined) {
    g = {
      failures: new FailureThrottle({ freeFailures: LOGIN_FREE_FAILURES, baseWaitMs: LOGIN_BASE_WAIT_MS, maxWaitMs: LOGIN_MAX_WAIT_MS, forgetMs: 15 * 60_000, maxEntries: LOGIN_MAX_ENTRIES }),
      registrations: new Map(),
    };
    guards.set(srv, g);
  }
  return g;
}

/** The failure throttle of `srv` (tests look at its size). */
export function loginThrottle(srv: IrcServer): FailureThrottle {
  return guardsOf(srv).failures;
}

function keys(s: Session, srv: IrcServer, account: string): string[] {
  // a made-up name can be long (SASL allows ~1 KiB): the key is bounded like the map
  return ['ip ' + addressGroup(s.ip, srv.config.connections.ipv6Prefix), 'account ' + srv.fold(account).slice(0, 64)];
}

/** tokenId: the device token that logged in (null for a password) */
export type LoginResult = { ok: true; record: AccountRecord; tokenId: string | null } | { ok: false; reason: 'wrong' | 'busy' } | { ok: false; reason: 'wait'; seconds: number };

/**
 * Milliseconds before `s` may try `account` again; when 0, the attempt is charged now
 * (before any hashing, so parallel guesses cannot all slip in) and must end with
 * loginSucceeded() or nothing (a failure stays counted).
 */
export function loginGate(s: Session, srv: IrcServer, account: string): number {
  const t = guardsOf(srv).failures;
  const k = keys(s, srv, account);
  const now = srv.now();
  const wait = t.wait(k, now);
  if (wait > 0) return wait;
  t.charge(k, now);
  return 0;
}

export function loginSucceeded(s: Session, srv: IrcServer, account: string): void {
  guardsOf(srv).failures.success(keys(s, srv, account));
}

/**
 * Checks `password` for `account` through the throttle; `done` gets the result (called
 * asynchronously, from a promise: wrap what it sends in the session's defer()).
 */
export function passwordLogin(s: Session, srv: IrcServer, account: string, password: string, done: (r: LoginResult) => void): void {
  const wait = loginGate(s, srv, account);
  if (wait > 0) {
    done({ ok: false, reason: 'wait', seconds: Math.ceil(wait / 1000) });
    return;
  }
  // a device token (the browser's) is checked without scrypt: tokens.ts
  verifyPasswordOrToken(srv.accounts, account, password).then(
    (hit) => {
      if (hit === null) {
        s.log.info({ account }, 'failed login');
        done({ ok: false, reason: 'wrong' });
        return;
      }
      loginSucceeded(s, srv, account);
      done({ ok: true, record: hit.record, tokenId: hit.tokenId });
    },
    (err: unknown) => {
      if (err instanceof HashBusyError) done({ ok: false, reason: 'busy' });
      else s.crashed(err, 'login');
    },
  );
}

/** Takes one registration token for `s`'s address group; false = over the hourly rate. */
export function registrationAllowed(s: Session, srv: IrcServer): boolean {
  const g = guardsOf(srv).registrations;
  const key = addressGroup(s.ip, srv.config.connections.ipv6Prefix);
  const perHour = srv.config.accounts.registrationsPerIpPerHour;
  let b = g.get(key);
  if (b === undefined || b.burst !== perHour) {
    b = new TokenBucket(perHour / 3600, perHour, srv.now);
    if (g.size >= LOGIN_MAX_ENTRIES) g.delete(g.keys().next().value!);
  }
  // most recently used last, so the oldest is dropped first
  g.delete(key);
  g.set(key, b);
  return b.take();
}

/** The sentence a user sees for a failed login (NOTICE text; 904 carries its own). */
export function loginFailureText(r: Exclude<LoginResult, { ok: true }>): string {
  if (r.reason === 'wait') return `Too many failed logins: wait ${r.seconds} second${r.seconds === 1 ? '' : 's'} before trying again`;
  if (r.reason === 'busy') return 'The server is busy checking passwords; try again in a moment';
  return 'Invalid account name or password';
}
