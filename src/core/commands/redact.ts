/**
 * draft/message-redaction (https://ircv3.net/specs/extensions/message-redaction):
 * `REDACT <target> <msgid> [:reason]` deletes a PRIVMSG / NOTICE / TAGMSG (a multiline
 * message as a whole: it has one msgid).
 *
 * Who may: the author (the same session, or the same account), a channel operator or a
 * server admin in a channel; in private, the author only. Which messages: those this
 * server process relayed within REDACT_WINDOW_MS, at most REDACT_REMEMBERED of them
 * (the newest): older ones (and any from before a restart) are UNKNOWN_MSGID. That
 * bound keeps the check synchronous (no store read between check and change) and the
 * index small. Members with the capability get the REDACT; everyone else a server
 * NOTICE ("*** alice deleted a message"), which the plain dialect shows as a line.
 * History deletes the event (CHATHISTORY, replays and search no longer return it: the
 * spec's first option).
 */
import * as N from '../../protocol/numerics.js';
import type { IrcMessage } from '../../protocol/message.js';
import { privateTarget } from '../../storage/types.js';
import { Cap } from '../caps.js';
import { Member } from '../channel.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import type { CommandTable } from './types.js';

/** How long after sending a message can still be deleted. */
export const REDACT_WINDOW_MS = 24 * 3_600_000;
/** Most messages remembered for redaction (server-wide, the newest). */
export const REDACT_REMEMBERED = 20_000;
/** Longest reason relayed (bytes are bounded by the line anyway; this keeps NOTICEs short). */
const MAX_REASON = 300;

interface Sent {
  /** casefolded channel, or '' for a private message */
  channel: string;
  /** private: the recipient's casefolded nick when it was sent */
  to: string;
  from: number;
  /** the author's account (casefolded), null = none */
  account: string | null;
  /** the author's nick when it was sent (for the fallback text) */
  nick: string;
  time: number;
  /** private history key (both parties logged in), null = not stored */
  stored: string | null;
}

/** msgid -> what was sent, oldest first (Map insertion order). */
const recent = new WeakMap<IrcServer, Map<string, Sent>>();

function index(srv: IrcServer): Map<string, Sent> {
  let m = recent.get(srv);
  if (m === undefined) recent.set(srv, (m = new Map()));
  return m;
}

function evict(m: Map<string, Sent>, now: number): void {
  for (const [id, e] of m) {
    if (m.size <= REDACT_REMEMBERED && now - e.time <= REDACT_WINDOW_MS) break;
    m.delete(id);
  }
}

/** messaging.ts: `s` sent `msgid` to channel `ch` (folded) or to nick `to`. */
export function rememberSent(srv: IrcServer, s: Session, msgid: string, channel: string, to: string, stored: string | null): void {
  const m = index(srv);
  const now = srv.now();
  m.set(msgid, { channel, to, from: s.id, account: s.account === null ? null : srv.fold(s.account), nick: s.nick, time: now, stored });
  if (m.size > REDACT_REMEMBERED || now - m.values().next().value!.time > REDACT_WINDOW_MS) evict(m, now);
}

/** @internal tests: how many messages are remembered. */
export function rememberedCount(srv: IrcServer): number {
  return recent.get(srv)?.size ?? 0;
}

function redact(s: Session, msg: IrcMessage, srv: IrcServer): void {
  const target = msg.params[0]!;
  const msgid = msg.params[1]!;
  const reason = (msg.params[2] ?? '').slice(0, MAX_REASON);
  const fail = (code: string, ...rest: string[]): void => s.serverMessage('FAIL', 'REDACT', code, ...rest);
  const isChannel = target.startsWith('#') || target.startsWith('&');
  const ch = isChannel ? srv.findChannel(target) : undefined;
  if (isChannel && (ch === undefined || (!ch.members.has(s) && !s.admin))) {
    fail('INVALID_TARGET', target, `You cannot delete messages from ${target}`);
    return;
  }
  const m = index(srv);
  const e = m.get(msgid);
  const now = srv.now();
  const mine = e !== undefined && (e.from === s.id || (e.account !== null && s.account !== null && e.account === srv.fold(s.account)));
  // private: only the author, and only in the conversation it was sent in
  const here = e !== undefined && now - e.time <= REDACT_WINDOW_MS && (ch !== undefined ? e.channel === ch.folded : e.channel === '' && mine && e.to === srv.fold(target));
  if (!here) {
    fail('UNKNOWN_MSGID', target, msgid, 'This message does not exist or is too old');
    return;
  }
  const op = ch !== undefined && ((ch.members.get(s) ?? 0) & Member.op) !== 0;
  if (!mine && !op && !s.admin) {
    fail('REDACT_FORBIDDEN', target, msgid, 'You are not authorised to delete this message');
    return;
  }
  m.delete(msgid);
  const params = reason === '' ? [ch?.name ?? target, msgid] : [ch?.name ?? target, msgid, reason];
  const out = srv.outgoing(s.source, 'REDACT', params);
  const whose = mine ? 'a message' : `a message from ${e.nick}`;
  const note = `*** ${s.nick} deleted ${whose}${reason === '' ? '' : ` (${reason})`}`;
  const tell = (m2: Session, where: string): void => {
    if (m2.has(Cap.messageRedaction)) m2.send(out.lineFor(m2.caps));
    else m2.serverMessage('NOTICE', where, note);
  };
  if (ch !== undefined) {
    for (const member of ch.members.keys()) tell(member, ch.name);
    if (!ch.members.has(s)) tell(s, ch.name); // an admin from outside the room
    void srv.history?.deleteMessage(ch.folded, msgid).catch((err: unknown) => s.log.error({ err }, 'redaction: history delete failed'));
    return;
  }
  const t = srv.findNick(target);
  if (t === undefined) {
    s.numeric(N.ERR_NOSUCHNICK, target, 'No such nick/channel');
  } else if (t !== s) {
    tell(t, t.nick);
  }
  tell(s, s.nick);
  if (e.stored !== null) void srv.history?.deleteMessage(e.stored, msgid).catch((err: unknown) => s.log.error({ err }, 'redaction: history delete failed'));
}

/** The private-history key of a message between two logged-in sessions, else null. */
export function privateKey(srv: IrcServer, a: Session, b: Session): string | null {
  return a.account !== null && b.account !== null ? privateTarget(srv.fold(a.account), srv.fold(b.account)) : null;
}

export const redactCommands: CommandTable = {
  REDACT: { minParams: 2, handler: redact },
};
