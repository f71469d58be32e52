/**
 * IRC operator commands: OPER (credentials from the config), KILL, REHASH; and the admin
 * ones: CLAIM (the join card's one-time code: `/quote CLAIM CODE`, or `OPER admin CODE`
 * when no operator is called "admin"), SA (any admin console command: `SA kick #a bob`).
 * Claimed admins are operators named "admin" (Session.admin).
 */
import { scrypt, timingSafeEqual } from 'node:crypto';
import { compileMask } from '../../protocol/index.js';
import * as N from '../../protocol/numerics.js';
import type { OperatorConfig } from '../../config/types.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import { passwordProblem, SCRYPT } from '../../config/oper-password.js';
import type { CommandTable } from './types.js';
import { closeText } from '../../errors.js';
import { FailureThrottle } from '../../util/failure-throttle.js';
import { ADMIN_OPER_NAME } from '../session.js';
import { addressGroup } from '../../util/netmask.js';
import { runAdminLine } from '../../admin/commands.js';

/** Equal-length, non-empty buffers only: an empty secret never matches. */
function sameSecret(a: Buffer, b: Buffer): boolean {
  return a.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Plain text, or "scrypt$<salt-hex>$<hash-hex>". A scrypt hash is computed off the event
 * loop (libuv's thread pool), so a guess costs the server ~75 ms of a worker thread,
 * not of everyone's chat; plain text is compared at once.
 */
export function checkPassword(given: string, stored: string): boolean | Promise<boolean> {
  if (passwordProblem(stored) !== null) return false;
  const m = SCRYPT.exec(stored);
  if (m === null) return sameSecret(Buffer.from(given), Buffer.from(stored));
  const salt = Buffer.from(m[1]!, 'hex');
  const want = Buffer.from(m[2]!, 'hex');
  return new Promise((resolve) => {
    scrypt(given, salt, want.length, (err, got) => resolve(err === null && sameSecret(got, want)));
  });
}

// ---- failed-OPER throttle -------------------------------------------------------------

/** Failures allowed per IP and per operator name before waits begin. */
export const OPER_FREE_FAILURES = 3;
/** The first wait; each further failure doubles it, up to OPER_MAX_WAIT_MS. */
export const OPER_BASE_WAIT_MS = 2000;
export const OPER_MAX_WAIT_MS = 5 * 60_000;
/** An entry is forgotten this long after its last failure. */
const FORGET_MS = 15 * 60_000;
/** Entries kept at most (oldest dropped first): guessed names cannot grow memory. */
const MAX_ENTRIES = 10_000;

/** Failed OPER attempts per IP and per operator name, on the server's clock. */
export class OperThrottle extends FailureThrottle {
  constructor() {
    super({ freeFailures: OPER_FREE_FAILURES, baseWaitMs: OPER_BASE_WAIT_MS, maxWaitMs: OPER_MAX_WAIT_MS, forgetMs: FORGET_MS, maxEntries: MAX_ENTRIES });
  }
}

const throttles = new WeakMap<IrcServer, OperThrottle>();
/** Sessions with an OPER being checked: one at a time each. */
const pending = new WeakSet<Session>();

export function operThrottle(srv: IrcServer): OperThrottle {
  let t = throttles.get(srv);
  if (t === undefined) throttles.set(srv, (t = new OperThrottle()));
  return t;
}

function oper(s: Session, name: string, given: string, srv: IrcServer): void {
  // "OPER admin CODE": the one-time code, for clients with an /oper command and no /quote
  if (name === ADMIN_OPER_NAME && !srv.config.operators.some((o) => o.name === name)) {
    claim(s, given, srv);
    return;
  }
  const reply = s.defer();
  const now = srv.now();
  const throttle = operThrottle(srv);
  const keys = ['ip ' + s.ip, 'name ' + name];
  if (pending.has(s)) {
    reply(() => s.numeric(N.ERR_NOOPERHOST, 'Your previous OPER attempt is still being checked'));
    return;
  }
  const wait = throttle.wait(keys, now);
  if (wait > 0) {
    const secs = Math.ceil(wait / 1000);
    reply(() => {
      s.numeric(N.ERR_NOOPERHOST, 'Too many failed OPER attempts');
      s.serverMessage('NOTICE', s.nick, `*** Too many failed OPER attempts: wait ${secs} second${secs === 1 ? '' : 's'} before trying again`);
    });
    return;
  }
  const op = srv.config.operators.find((o) => o.name === name);
  throttle.charge(keys, now);
  const finish = (ok: boolean): void =>
    reply(() => {
      // re-checked after the hash: the operator may have been changed by a REHASH
      const cur = srv.config.operators.find((o) => o.name === name);
      if (!ok || op === undefined || cur?.password !== op.password) {
        s.numeric(N.ERR_PASSWDMISMATCH, 'Password incorrect');
        s.log.warn({ name }, 'failed OPER attempt');
        return;
      }
      throttle.success(keys);
      grant(s, cur, srv);
    });
  const ok = op === undefined ? false : checkPassword(given, op.password);
  if (typeof ok === 'boolean') {
    finish(ok);
    return;
  }
  pending.add(s);
  ok.then(
    (v) => {
      pending.delete(s);
      finish(v); // a session that quit meanwhile gets nothing (the reply checks)
    },
    (err: unknown) => {
      pending.delete(s);
      s.crashed(err, 'OPER');
    },
  );
}

function grant(s: Session, op: OperatorConfig, srv: IrcServer): void {
  const subject = srv.fold(s.source);
  if (op.hosts.length > 0 && !op.hosts.some((h) => compileMask(h, srv.fold)(subject))) {
    s.numeric(N.ERR_NOOPERHOST, 'No O-lines for your host');
    return;
  }
  const was = s.oper;
  s.oper = op.name;
  s.numeric(N.RPL_YOUREOPER, 'You are now an IRC operator');
  if (was === null) s.send(`:${s.source} MODE ${s.nick} :+o`);
  s.log.info({ oper: op.name }, 'became IRC operator');
}

/** CLAIM CODE: the join card's one-time admin code makes `s` an admin. */
function claim(s: Session, code: string, srv: IrcServer): void {
  const m = srv.config.moderation;
  // per address group: an IPv6 host has a whole prefix of addresses to guess from
  const r = srv.admin.claim.attempt(code, addressGroup(s.ip, srv.config.connections.ipv6Prefix), m.claimAttemptsPerMinute);
  if (r === 'throttled') {
    s.numeric(N.ERR_PASSWDMISMATCH, 'Too many wrong admin codes from your address: wait a minute before trying again');
    return;
  }
  if (r !== 'ok') {
    s.log.warn({ result: r }, 'wrong admin code');
    s.numeric(N.ERR_PASSWDMISMATCH, r === 'none' ? 'There is no admin code now (used or expired): the host makes a new one with /code on the server console or tincan admin code' : 'That is not the admin code');
    return;
  }
  if (s.admin) {
    s.serverMessage('NOTICE', s.nick, '*** You are an admin already; the code is used up now.');
    return;
  }
  s.admin = true;
  s.numeric(N.RPL_YOUREOPER, 'You are now an IRC operator');
  s.send(`:${s.source} MODE ${s.nick} :+o`);
  s.serverMessage('NOTICE', s.nick, '*** You are now an admin of this server. SA HELP (/admin help in plain text) lists what you can do.');
  srv.admin.audit(s.nick, 'claim', `became admin with the one-time code (from ${s.ip})`, { ip: s.ip }, s);
  if (s.account !== null) keepAdmin(s, s.account, srv);
}

/** Logged in when claiming: admin becomes the account's flag, so it lasts (every login, every device). */
function keepAdmin(s: Session, account: string, srv: IrcServer): void {
  srv.accounts.update(account, (r) => (r.flags.includes('admin') ? r : { ...r, flags: [...r.flags, 'admin'] })).then(
    (rec) => {
      if (rec !== null && !s.closing) s.serverMessage('NOTICE', s.nick, `*** Your account ${rec.name} keeps admin: logging in to it makes you admin again.`);
    },
    (err: unknown) => s.log.error({ err }, 'could not save the admin flag'),
  );
}

/** A login to an account flagged admin (see keepAdmin) makes the session an admin. */
export function adminOnLogin(s: Session, srv: IrcServer): void {
  if (s.admin || s.account === null || !srv.accounts.hasFlag(s.account, 'admin')) return;
  s.admin = true;
  if (!s.registered) return; // before the welcome: 221/WHOIS show it; no 381 before 001
  s.numeric(N.RPL_YOUREOPER, 'You are now an IRC operator');
  s.send(`:${s.source} MODE ${s.nick} :+o`);
}

export const operCommands: CommandTable = {
  CLAIM: {
    minParams: 1,
    handler: (s, msg, srv) => claim(s, msg.params[0]!, srv),
  },
  SA: {
    minParams: 1,
    operOnly: true,
    handler: (s, msg, srv) => {
      runAdminLine({ srv, by: s.nick, session: s, reply: (lines) => lines.forEach((l) => s.serverMessage('NOTICE', s.nick, l === '' ? ' ' : l)) }, msg.params.join(' '));
    },
  },
  OPER: {
    minParams: 2,
    handler: (s, msg, srv) => oper(s, msg.params[0]!, msg.params[1]!, srv),
  },
  KILL: {
    minParams: 2,
    operOnly: true,
    handler: (s, msg, srv) => {
      const t = srv.findNick(msg.params[0]!);
      if (t === undefined) {
        s.numeric(N.ERR_NOSUCHNICK, msg.params[0]!, 'No such nick/channel');
        return;
      }
      const detail = `${s.nick} (${msg.params[1]})`;
      t.send(`:${s.source} KILL ${t.nick} :${closeText('TINCAN_ERR_KILLED', detail)}`);
      s.log.info({ target: t.nick, reason: msg.params[1] }, 'KILL');
      srv.disconnect(t, 'TINCAN_ERR_KILLED', detail);
    },
  },
  REHASH: {
    minParams: 0,
    operOnly: true,
    handler: (s, _msg, srv) => {
      s.numeric(N.RPL_REHASHING, 'config', 'Rehashing');
      const err = srv.rehash();
      if (err !== null) s.serverMessage('NOTICE', s.nick, `REHASH failed, old config kept: ${err}`);
    },
  },
};
