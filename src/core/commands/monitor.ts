/**
 * IRCv3 MONITOR (https://ircv3.net/specs/extensions/monitor) and extended-monitor: a
 * session watches up to limits.monitorTargets nicks and is told (730/731) when each comes
 * online or goes away. With extended-monitor it also gets, for the nicks it watches, the
 * AWAY / ACCOUNT / SETNAME lines it would get sharing a channel (server.sendToPeers asks
 * monitorPeers()). The watch lists live here, keyed by server; the core calls the hooks
 * below where a nick appears (registration, NICK) or disappears (QUIT, NICK).
 */
import { isValidNick } from '../../protocol/index.js';
import * as N from '../../protocol/numerics.js';
import { Cap } from '../caps.js';
import type { Outgoing } from '../outgoing.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import type { CommandTable } from './types.js';

interface Watches {
  /** folded nick -> the sessions watching it */
  readonly watchers: Map<string, Set<Session>>;
  /** session -> folded nick -> the nick as it asked for it */
  readonly lists: Map<Session, Map<string, string>>;
}

const state = new WeakMap<IrcServer, Watches>();

function watchesOf(srv: IrcServer): Watches {
  let w = state.get(srv);
  if (w === undefined) state.set(srv, (w = { watchers: new Map(), lists: new Map() }));
  return w;
}

/** Sends `code` with the comma-joined items, as many lines as 512 bytes need. */
function sendList(s: Session, srv: IrcServer, code: string, items: readonly string[]): void {
  const budget = 400 - s.nick.length - srv.config.serverName.length;
  let cur = '';
  for (const it of items) {
    if (cur !== '' && cur.length + it.length + 1 > budget) {
      s.numeric(code, cur);
      cur = '';
    }
    cur += (cur === '' ? '' : ',') + it;
  }
  if (cur !== '') s.numeric(code, cur);
}

/** 730 (nick!user@host) for the online ones, 731 for the others. */
function status(s: Session, srv: IrcServer, nicks: Iterable<string>): void {
  const on: string[] = [];
  const off: string[] = [];
  for (const n of nicks) {
    const t = srv.findNick(n);
    if (t !== undefined) on.push(t.source);
    else off.push(n);
  }
  sendList(s, srv, N.RPL_MONONLINE, on);
  sendList(s, srv, N.RPL_MONOFFLINE, off);
}

function monitor(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  const w = watchesOf(srv);
  const op = msg.params[0]!;
  const limit = srv.config.limits.monitorTargets;
  const list = w.lists.get(s);
  switch (op) {
    case '+': {
      const targets = (msg.params[1] ?? '').split(',').filter((n) => n !== '' && isValidNick(n, srv.config.limits.nickLength));
      let mine = list;
      if (mine === undefined) w.lists.set(s, (mine = new Map()));
      const added: string[] = [];
      for (let i = 0; i < targets.length; i++) {
        const nick = targets[i]!;
        const folded = srv.fold(nick);
        if (mine.has(folded)) continue;
        if (mine.size >= limit) {
          // the rest are not added; the client hears which
          s.numeric(N.ERR_MONLISTFULL, String(limit), targets.slice(i).join(','), 'Monitor list is full.');
          break;
        }
        mine.set(folded, nick);
        let set = w.watchers.get(folded);
        if (set === undefined) w.watchers.set(folded, (set = new Set()));
        set.add(s);
        added.push(nick);
      }
      if (mine.size === 0) w.lists.delete(s);
      status(s, srv, added);
      return;
    }
    case '-': {
      if (list === undefined) return;
      for (const nick of (msg.params[1] ?? '').split(',')) {
        const folded = srv.fold(nick);
        if (!list.delete(folded)) continue;
        unwatch(w, folded, s);
      }
      if (list.size === 0) w.lists.delete(s);
      return;
    }
    case 'C':
    case 'c':
      monitorForget(srv, s);
      return;
    case 'L':
    case 'l':
      sendList(s, srv, N.RPL_MONLIST, [...(list?.values() ?? [])]);
      s.numeric(N.RPL_ENDOFMONLIST, 'End of MONITOR list');
      return;
    case 'S':
    case 's':
      status(s, srv, list?.values() ?? []);
      return;
    default:
      s.serverMessage('FAIL', 'MONITOR', 'INVALID_PARAMS', op, 'Expected MONITOR + nicks, - nicks, C, L or S');
  }
}

function unwatch(w: Watches, folded: string, s: Session): void {
  const set = w.watchers.get(folded);
  if (set === undefined) return;
  set.delete(s);
  if (set.size === 0) w.watchers.delete(folded);
}

/** The session is gone: its watch list goes (nothing else holds it). */
export function monitorForget(srv: IrcServer, s: Session): void {
  const w = state.get(srv);
  const list = w?.lists.get(s);
  if (w === undefined || list === undefined) return;
  for (const folded of list.keys()) unwatch(w, folded, s);
  w.lists.delete(s);
}

/** `s`'s nick is now in use (registration, NICK): its watchers get 730. */
export function monitorOnline(srv: IrcServer, s: Session): void {
  const set = state.get(srv)?.watchers.get(s.folded);
  if (set === undefined) return;
  for (const m of set) if (m !== s && !m.closing) m.numeric(N.RPL_MONONLINE, s.source);
}

/** `nick` is no longer in use (QUIT, NICK): its watchers get 731. */
export function monitorOffline(srv: IrcServer, nick: string, folded: string): void {
  const set = state.get(srv)?.watchers.get(folded);
  if (set === undefined) return;
  for (const m of set) if (!m.closing) m.numeric(N.RPL_MONOFFLINE, nick);
}

/**
 * extended-monitor: `out` (AWAY, ACCOUNT, SETNAME... about `s`, for clients with
 * `needCap`) also goes to those watching `s`'s nick with extended-monitor and that cap,
 * unless they share a channel with `s` (they got it already) or are `s`.
 */
export function monitorPeers(srv: IrcServer, s: Session, out: Outgoing, needCap: number): void {
  const set = state.get(srv)?.watchers.get(s.folded);
  if (set === undefined) return;
  for (const m of set) {
    if (m === s || !m.has(Cap.extendedMonitor) || (m.caps & needCap) === 0) continue;
    let shared = false;
    for (const ch of s.channels) {
      if (ch.members.has(m)) {
        shared = true;
        break;
      }
    }
    if (!shared) m.send(out.lineFor(m.caps));
  }
}

export const monitorCommands: CommandTable = {
  MONITOR: { minParams: 1, handler: monitor },
};
