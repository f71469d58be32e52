/**
 * draft/channel-rename (https://ircv3.net/specs/extensions/channel-rename):
 * `RENAME <old> <new> [:reason]` by a channel operator (or an admin) keeps everything the
 * room has (members, modes, topic, bans, founder) under the new name; its history and
 * saved state move with it (History.channelRenamed), and so do the admins' mutes in it.
 *
 * Members with the capability get `RENAME old new :reason`; the others a NOTICE saying
 * what happened, then PART of the old name and JOIN of the new one with its topic and
 * names (the spec's fallback; nothing for a case-only rename). A JOIN of the old name
 * (while no room holds it) is redirected for RENAME_REDIRECT_MS: `FAIL JOIN
 * CHANNEL_RENAMED` with the capability, `470` and a join of the new name without.
 * Bounds: one rename per room per RENAME_COOLDOWN_MS (admins exempt), at most
 * RENAME_REDIRECTS remembered old names.
 */
import { isValidChannelName, truncateUtf8 } from '../../protocol/index.js';
import * as N from '../../protocol/numerics.js';
import type { IrcMessage } from '../../protocol/message.js';
import { Cap } from '../caps.js';
import { Member, type Channel } from '../channel.js';
import { Outgoing } from '../outgoing.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import type { CommandTable } from './types.js';
import { sendNames, sendTopic } from './channel.js';

export const RENAME_COOLDOWN_MS = 60_000;
export const RENAME_REDIRECT_MS = 24 * 3_600_000;
export const RENAME_REDIRECTS = 1000;
const MAX_REASON = 300;

const lastRename = new WeakMap<Channel, number>();
/** old folded name -> the room it became, oldest first */
const redirects = new WeakMap<IrcServer, Map<string, { ch: Channel; at: number }>>();

/** The room `name` was renamed to (while no room holds `name`), or undefined. */
export function renamedTo(srv: IrcServer, name: string): Channel | undefined {
  const r = redirects.get(srv)?.get(srv.fold(name));
  if (r === undefined || srv.now() - r.at > RENAME_REDIRECT_MS || srv.channels.get(r.ch.folded) !== r.ch) return undefined;
  return r.ch;
}

/**
 * JOIN of an old name (channel.ts): true when answered here: FAIL for capable clients.
 * Others get 470 and `joinNew` is called with the new name.
 */
export function redirectJoin(s: Session, name: string, srv: IrcServer, joinNew: (name: string) => void): boolean {
  if (srv.channels.has(srv.fold(name))) return false;
  const ch = renamedTo(srv, name);
  if (ch === undefined) return false;
  if (s.has(Cap.channelRename)) {
    s.serverMessage('FAIL', 'JOIN', 'CHANNEL_RENAMED', name, ch.name, 'The channel has been renamed');
    return true;
  }
  s.numeric(N.ERR_LINKCHANNEL, name, ch.name, 'The channel has been renamed');
  joinNew(ch.name);
  return true;
}

function rename(s: Session, msg: IrcMessage, srv: IrcServer): void {
  const [oldName, newName] = msg.params as [string, string];
  const reason = truncateUtf8(msg.params[2] ?? '', MAX_REASON);
  const fail = (code: string, text: string): void => s.serverMessage('FAIL', 'RENAME', code, oldName, newName, text);
  const ch = srv.findChannel(oldName);
  if (ch === undefined || (ch.hiddenFrom(s) && !s.admin)) {
    s.numeric(N.ERR_NOSUCHCHANNEL, oldName, 'No such channel');
    return;
  }
  const status = ch.members.get(s);
  if (status === undefined && !s.admin) {
    s.numeric(N.ERR_NOTONCHANNEL, ch.name, "You're not on that channel");
    return;
  }
  if (((status ?? 0) & Member.op) === 0 && !s.admin) {
    s.numeric(N.ERR_CHANOPRIVSNEEDED, ch.name, "You're not channel operator");
    return;
  }
  if (!isValidChannelName(newName, srv.config.limits.channelLength)) {
    fail('CANNOT_RENAME', 'That is not a valid channel name');
    return;
  }
  if (newName[0] !== ch.name[0]) {
    fail('CANNOT_RENAME', 'You cannot change a channel prefix type');
    return;
  }
  if (srv.isDefaultRoom(ch)) {
    fail('CANNOT_RENAME', 'The default room cannot be renamed');
    return;
  }
  const folded = srv.fold(newName);
  const caseOnly = folded === ch.folded;
  if (newName === ch.name) {
    fail('CANNOT_RENAME', 'That is the channel\'s name already');
    return;
  }
  if (!caseOnly && (srv.channels.has(folded) || folded === srv.fold(srv.config.defaultChannel))) {
    fail('CHANNEL_NAME_IN_USE', 'The channel name is already taken');
    return;
  }
  const now = srv.now();
  const last = lastRename.get(ch);
  if (last !== undefined && now - last < RENAME_COOLDOWN_MS && !s.admin) {
    fail('CANNOT_RENAME', 'This channel has been renamed recently');
    return;
  }
  lastRename.set(ch, now);
  const from = ch.name;
  const oldFolded = ch.folded;
  srv.channels.delete(oldFolded);
  ch.name = newName;
  ch.folded = folded;
  srv.channels.set(folded, ch);
  if (!caseOnly) remember(srv, oldFolded, ch, now);
  if (status === undefined) srv.admin.audit(s.nick, 'rename', `renamed ${from} to ${newName}`, { channel: newName, from }, s);

  const out = srv.outgoing(s.source, 'RENAME', [from, newName, reason]);
  const note = `*** ${s.nick} renamed ${from} to ${newName}${reason === '' ? '' : ` (${reason})`}`;
  for (const m of ch.members.keys()) {
    if (m.has(Cap.channelRename)) m.send(out.lineFor(m.caps));
    else if (caseOnly) m.serverMessage('NOTICE', newName, note);
    else fallback(m, ch, from, reason, note, srv);
  }
  if (status === undefined && s.has(Cap.channelRename)) s.send(out.lineFor(s.caps));
  srv.admin.sanctions.rescope(oldFolded, folded);
  void srv.history?.channelRenamed(oldFolded, ch).catch((err: unknown) => s.log.error({ err }, 'rename: moving history failed'));
}

/** What a member without the capability sees: a note, PART of the old name, JOIN of the new. */
function fallback(m: Session, ch: Channel, from: string, reason: string, note: string, srv: IrcServer): void {
  m.serverMessage('NOTICE', from, note);
  const now = srv.now();
  m.send(new Outgoing(m.source, 'PART', reason === '' ? [from] : [from, reason], srv.nextMsgid(), now).lineFor(m.caps));
  const join = m.has(Cap.extendedJoin) ? [ch.name, m.account ?? '*', m.realname || m.nick] : [ch.name];
  const j = new Outgoing(m.source, 'JOIN', join, srv.nextMsgid(), now);
  j.account = m.account;
  m.send(j.lineFor(m.caps));
  sendTopic(m, ch, false);
  if (!m.has(Cap.noImplicitNames)) sendNames(m, ch, srv);
}

function remember(srv: IrcServer, oldFolded: string, ch: Channel, now: number): void {
  let m = redirects.get(srv);
  if (m === undefined) redirects.set(srv, (m = new Map()));
  m.delete(oldFolded);
  m.set(oldFolded, { ch, at: now });
  for (const [k, v] of m) {
    if (m.size <= RENAME_REDIRECTS && now - v.at <= RENAME_REDIRECT_MS) break;
    m.delete(k);
  }
}

/** @internal tests: how many old names are remembered. */
export function redirectCount(srv: IrcServer): number {
  return redirects.get(srv)?.size ?? 0;
}

export const renameCommands: CommandTable = {
  RENAME: { minParams: 2, handler: rename },
};
