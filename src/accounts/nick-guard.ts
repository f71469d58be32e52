/**
 * Nick protection: a session not logged in to the account named like its nick is told
 * how to log in, and after accounts.nickGraceSeconds is renamed to a guest nick. The
 * wait is `Session.nickGuardSince` (server clock); the once-a-second housekeeping
 * (IrcServer.housekeeping) calls checkNickGuard, so no timer per session.
 */
import { randomInt } from 'node:crypto';
import type { IrcServer } from '../core/server.js';
import type { Session } from '../core/session.js';
import { isValidNick } from '../protocol/index.js';
import { nickServSource } from './services.js';
import { changeNick } from '../core/commands/registration.js';

/** True when `s` holds a registered nick whose account it is not logged in to. */
function squatting(s: Session, srv: IrcServer): boolean {
  if (!srv.config.accounts.enabled) return false;
  const rec = srv.accounts.get(s.nick);
  return rec !== undefined && (s.account === null || srv.fold(s.account) !== rec.folded);
}

/** After a nick change, registration or login/logout: start, keep or end the wait. */
export function nickTaken(s: Session, srv: IrcServer): void {
  if (!s.registered || !squatting(s, srv)) {
    s.nickGuardSince = 0;
    return;
  }
  if (s.nickGuardSince !== 0) return;
  s.nickGuardSince = srv.now();
  const secs = srv.config.accounts.nickGraceSeconds;
  const from = nickServSource(srv.config.serverName);
  const say = (text: string): void => s.send(`:${from} NOTICE ${s.nick} :${text}`);
  say(`The nick ${s.nick} is registered. If it is yours, log in within ${secs} seconds: /msg NickServ IDENTIFY <password> (or /login <password>)`);
  say(`(IRC clients can also log in with SASL, or send PASS ${s.nick}:<password> when connecting.) Otherwise pick another nick with /nick, or you will be renamed to a guest nick.`);
}

/** Housekeeping: rename `s` once its grace period is over (and it still squats). */
export function checkNickGuard(s: Session, now: number, srv: IrcServer): void {
  if (now - s.nickGuardSince < srv.config.accounts.nickGraceSeconds * 1000) return;
  s.nickGuardSince = 0;
  if (!squatting(s, srv)) return;
  const guest = guestNick(srv);
  const was = s.nick;
  changeNick(s, guest, srv.fold(guest), srv);
  s.send(`:${nickServSource(srv.config.serverName)} NOTICE ${s.nick} :You did not log in to ${was} in time, so you are now ${s.nick}.`);
}

/** "Guest" and digits, free and unregistered. */
export function guestNick(srv: IrcServer): string {
  const max = srv.config.limits.nickLength;
  for (let i = 0; ; i++) {
    const n = 'Guest' + randomInt(10_000, i < 20 ? 100_000 : 1_000_000_000);
    const nick = n.length > max ? n.slice(0, max) : n;
    const f = srv.fold(nick);
    if (isValidNick(nick, max) && !srv.nicks.has(f) && !srv.accounts.taken(nick)) return nick;
    if (i > 100) throw new Error('no free guest nick');
  }
}
