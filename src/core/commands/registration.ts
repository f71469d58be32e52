/**
 * Connection registration and keep-alive: CAP, PASS, NICK, USER, PING, PONG, QUIT.
 * Registration completes in server.tryRegister once NICK, USER and CAP END are in.
 */
import { timingSafeEqual } from 'node:crypto';
import { isValidNick, truncateUtf8 } from '../../protocol/index.js';
import * as N from '../../protocol/numerics.js';
import { CAPS, Cap, findCap, capNames, capOffered } from '../caps.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import type { CommandTable } from './types.js';
import { abortSasl, passLogin } from './account.js';
import { isServiceNick } from '../../accounts/services.js';
import { nickTaken } from '../../accounts/nick-guard.js';
import { monitorOffline, monitorOnline } from './monitor.js';

function capLs(s: Session, srv: IrcServer, version: number): void {
  const items = CAPS.filter((c) => capOffered(c, srv)).map((c) => (version >= 302 && c.value !== undefined ? `${c.name}=${c.value}` : c.name));
  // STS (a value-only cap, never REQ'd): over TLS the policy's duration, in plaintext where to upgrade
  if (srv.sts !== null && version >= 302) items.push(s.conn.secure ? `sts=duration=${srv.sts.duration}` : `sts=port=${srv.sts.port}`);
  const target = s.registered ? s.nick : '*';
  // keep each line well inside 512 bytes; 302 clients understand the '*' continuation
  const chunks: string[] = [];
  let cur = '';
  for (const it of items) {
    if (cur.length + it.length + 1 > 380) {
      chunks.push(cur);
      cur = '';
    }
    cur += (cur ? ' ' : '') + it;
  }
  chunks.push(cur);
  chunks.forEach((chunk, i) => {
    const more = i < chunks.length - 1 && version >= 302;
    if (more) s.send(`:${srv.config.serverName} CAP ${target} LS * :${chunk}`);
    else s.send(`:${srv.config.serverName} CAP ${target} LS :${chunk}`);
  });
}

/**
 * accounts.enabled changed on a reload: cap-notify clients hear CAP NEW (sasl with its
 * mechanisms, account-notify, draft/account-registration) or CAP DEL (and lose them).
 */
export function announceAccountCaps(srv: IrcServer, enabled: boolean): void {
  const infos = CAPS.filter((c) => c.needsAccounts === true);
  const bits = infos.reduce((b, c) => b | c.bit, 0);
  for (const s of srv.sessions) {
    if (!s.has(Cap.capNotify) || s.closing) continue;
    const items = infos.map((c) => (enabled && s.capVersion >= 302 && c.value !== undefined ? `${c.name}=${c.value}` : c.name));
    s.send(`:${srv.config.serverName} CAP ${s.registered ? s.nick : '*'} ${enabled ? 'NEW' : 'DEL'} :${items.join(' ')}`);
    if (!enabled) {
      s.caps &= ~bits;
      s.sasl = null;
    }
  }
}

function cap(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  const sub = msg.params[0]!.toUpperCase();
  const target = s.registered ? s.nick : '*';
  switch (sub) {
    case 'LS': {
      const v = Number.parseInt(msg.params[1] ?? '0', 10) || 0;
      if (v > s.capVersion) s.capVersion = v;
      if (v >= 302) s.caps |= Cap.capNotify; // implied by 302
      if (!s.registered) s.capNegotiating = true;
      capLs(s, srv, v);
      return;
    }
    case 'LIST':
      s.send(`:${srv.config.serverName} CAP ${target} LIST :${capNames(s.caps).join(' ')}`);
      return;
    case 'REQ': {
      if (!s.registered) s.capNegotiating = true;
      const raw = (msg.params[1] ?? '').trim();
      let add = 0;
      let remove = 0;
      let ok = raw.length > 0;
      for (const tok of raw.split(' ')) {
        if (tok === '') continue;
        const neg = tok.startsWith('-');
        const info = findCap(neg ? tok.slice(1) : tok);
        if (info === undefined || !capOffered(info, srv)) {
          ok = false;
          break;
        }
        if (neg) remove |= info.bit;
        else add |= info.bit;
      }
      if (!ok) {
        s.send(`:${srv.config.serverName} CAP ${target} NAK :${raw}`);
        return;
      }
      s.caps = (s.caps | add) & ~remove;
      s.send(`:${srv.config.serverName} CAP ${target} ACK :${raw}`);
      return;
    }
    case 'END':
      if (s.registered) return;
      abortSasl(s); // registration ends an unfinished SASL exchange (sasl-3.1)
      s.capNegotiating = false;
      srv.tryRegister(s);
      return;
    default:
      s.numeric(N.ERR_INVALIDCAPCMD, msg.params[0]!, 'Invalid CAP command');
  }
}

function pass(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  if (s.registered) {
    s.numeric(N.ERR_ALREADYREGISTERED, 'You may not reregister');
    return;
  }
  const want = srv.config.password;
  // no server password: PASS account:password logs in to an account instead (commands/account.ts)
  if (want === null) {
    passLogin(s, msg.params[0]!, srv);
    return;
  }
  const a = Buffer.from(msg.params[0]!);
  const b = Buffer.from(want);
  s.passOk = a.length === b.length && timingSafeEqual(a, b);
  // a NICK sent before the password was only remembered: claim it now
  if (s.passOk && s.folded !== '' && srv.nicks.get(s.folded) !== s) {
    if (srv.nicks.has(s.folded)) {
      s.numeric(N.ERR_NICKNAMEINUSE, s.nick, 'Nickname is already in use');
      s.setNick('*', '');
    } else srv.nicks.set(s.folded, s);
  }
}

function nick(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  const wanted = msg.params[0];
  if (wanted === undefined || wanted === '') {
    s.numeric(N.ERR_NONICKNAMEGIVEN, 'No nickname given');
    return;
  }
  if (!isValidNick(wanted, srv.config.limits.nickLength)) {
    s.numeric(N.ERR_ERRONEUSNICKNAME, wanted, 'Erroneous nickname');
    return;
  }
  const folded = srv.fold(wanted);
  const holder = srv.nicks.get(folded);
  if ((holder !== undefined && !srv.presence.together(holder, s)) || isServiceNick(folded, srv.fold)) {
    s.numeric(N.ERR_NICKNAMEINUSE, wanted, 'Nickname is already in use');
    return;
  }
  if (wanted === s.nick) return;
  if (!s.registered && srv.presence.siblings(s).length > 0) {
    // logged in before 001 to an account online elsewhere: the nick is the account's
    s.serverMessage('NOTICE', s.nick, `*** You share the nick ${s.nick} with your account's other sessions; change it once connected`);
    return;
  }
  if (!s.registered) {
    if (s.folded !== '' && s.folded !== folded && srv.nicks.get(s.folded) === s) srv.nicks.delete(s.folded);
    // before the server password is accepted nothing is reserved: a wrong or missing
    // PASS could otherwise hold any nick until the registration timeout
    if (s.passOk) srv.nicks.set(folded, s);
    s.setNick(wanted, folded);
    srv.tryRegister(s);
    return;
  }
  // several nodes: the nick is claimed cluster-wide first (src/cluster/core-link.ts)
  if (srv.cluster !== null && folded !== s.folded) srv.cluster.rename(s, wanted, folded);
  else changeNick(s, wanted, folded, srv);
}

/** A registered session's nick becomes `wanted` (free, valid): told to peers, recorded. */
export function changeNick(s: Session, wanted: string, folded: string, srv: IrcServer): void {
  const out = srv.outgoing(s.source, 'NICK', [wanted]);
  srv.sendToPeers(s, out, true);
  for (const ch of s.channels) srv.history?.record(ch, s.source, 'NICK', [wanted], out);
  srv.whowas.add(s.folded, s, srv.now());
  if (s.folded !== folded) srv.nicks.delete(s.folded);
  srv.nicks.set(folded, s);
  const was = s.nick;
  const wasFolded = s.folded;
  s.setNick(wanted, folded);
  srv.presence.renamed(s, out);
  if (wasFolded !== folded) {
    monitorOffline(srv, was, wasFolded);
    monitorOnline(srv, s);
  }
  nickTaken(s, srv);
}

/** Ident is never queried, so usernames carry the conventional '~'. */
function cleanUsername(raw: string, max: number): string {
  let u = '';
  for (const ch of raw) if (/[A-Za-z0-9._-]/.test(ch)) u += ch;
  if (u === '') u = 'user';
  return '~' + u.slice(0, Math.max(1, max - 1));
}

function user(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  if (s.registered) {
    s.numeric(N.ERR_ALREADYREGISTERED, 'You may not reregister');
    return;
  }
  const l = srv.config.limits;
  s.user = cleanUsername(msg.params[0]!, l.userLength);
  s.realname = truncateUtf8(msg.params[3]!, l.realnameLength);
  s.updateSource();
  srv.tryRegister(s);
}

export const registrationCommands: CommandTable = {
  CAP: { minParams: 1, preRegistration: true, handler: cap },
  PASS: { minParams: 1, preRegistration: true, handler: pass },
  NICK: { minParams: 0, preRegistration: true, handler: nick },
  USER: { minParams: 4, preRegistration: true, handler: user },
  PING: {
    minParams: 0,
    preRegistration: true,
    handler: (s, msg, srv) => {
      const token = msg.params[0];
      if (token === undefined || token === '') {
        s.numeric(N.ERR_NOORIGIN, 'No origin specified');
        return;
      }
      s.serverMessage('PONG', srv.config.serverName, token);
    },
  },
  PONG: { minParams: 0, preRegistration: true, silentOnMissing: true, handler: () => {} },
  QUIT: {
    minParams: 0,
    preRegistration: true,
    handler: (s, msg, srv) => {
      const why = msg.params[0];
      const reason = why ? 'Quit: ' + truncateUtf8(why, srv.config.limits.kickLength) : 'Client Quit';
      srv.quit(s, reason);
    },
  },
};
