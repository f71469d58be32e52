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

/**
 * The messages this process relayed, for REDACT's checks: a ring keyed by the msgid's
 * sequence number (IrcServer.msgidSeq), slot = seq % REDACT_REMEMBERED, in parallel
 * arrays. Remembering is a few array stores per message: a Map of records (as before)
 * was ~3 % of fanout500's busy time (hashing each new msgid, an object per message,
 * eviction). So what is remembered is every message among the last REDACT_REMEMBERED
 * msgids issued (other events take msgids too); a slot is checked against its msgid.
 */
class SentRing {
  /**
   * the slot's msgid as its sequence number, 0 = empty. A number, not the msgid string:
   * at 20,000 msgs/s a string per message lived ~1 s (long enough to be promoted) and
   * then died in the old generation, which brought a mark-compact every ~13 s and with
   * it the loop's 15-30 ms stalls (docs/performance.md, ninth pass)
   */
  readonly seqs = new Float64Array(REDACT_REMEMBERED);
  /** casefolded channel, or '' for a private message */
  readonly channel: string[] = new Array<string>(REDACT_REMEMBERED).fill('');
  /** private: the recipient's casefolded nick when it was sent */
  readonly to: string[] = new Array<string>(REDACT_REMEMBERED).fill('');
  /** the author's session id */
  readonly from = new Float64Array(REDACT_REMEMBERED);
  /** the author's account (casefolded), null = none */
  readonly account: (string | null)[] = new Array<string | null>(REDACT_REMEMBERED).fill(null);
  /** the author's nick when it was sent (for the fallback text) */
  readonly nick: string[] = new Array<string>(REDACT_REMEMBERED).fill('');
  readonly time = new Float64Array(REDACT_REMEMBERED);
  /** private history key (both parties logged in), null = not stored */
  readonly stored: (string | null)[] = new Array<string | null>(REDACT_REMEMBERED).fill(null);
  count = 0;

  /** The slot holding `msgid`, or -1. */
  find(srv: IrcServer, msgid: string): number {
    const seq = srv.msgidSeq(msgid);
    if (seq < 0) return -1;
    const i = seq % REDACT_REMEMBERED;
    // a made-up suffix can parse to a remembered number ("0a" and "a"): only ours, exactly
    return this.seqs[i] === seq && srv.msgidOf(seq) === msgid ? i : -1;
  }

  forget(i: number): void {
    this.seqs[i] = 0;
    this.account[i] = this.stored[i] = null;
    this.channel[i] = this.to[i] = this.nick[i] = '';
    this.count--;
  }
}

const rings = new WeakMap<IrcServer, SentRing>();
/** the last server's ring (one server per process, except in tests) */
let lastSrv: IrcServer | null = null;
let lastRing: SentRing | null = null;

function ring(srv: IrcServer): SentRing {
  if (srv === lastSrv) return lastRing!;
  let r = rings.get(srv);
  if (r === undefined) rings.set(srv, (r = new SentRing()));
  lastSrv = srv;
  lastRing = r;
  return r;
}

/** messaging.ts: `s` sent `msgid` to channel `ch` (folded) or to nick `to`. */
export function rememberSent(srv: IrcServer, s: Session, msgid: string, channel: string, to: string, stored: string | null): void {
  const seq = srv.msgidSeq(msgid);
  if (seq < 0) return;
  const r = ring(srv);
  const i = seq % REDACT_REMEMBERED;
  if (r.seqs[i] === 0) r.count++;
  r.seqs[i] = seq;
  r.channel[i] = channel;
  r.to[i] = to;
  r.from[i] = s.id;
  r.account[i] = s.account === null ? null : srv.fold(s.account);
  r.nick[i] = s.nick;
  r.time[i] = srv.now();
  r.stored[i] = stored;
}

/** @internal tests: how many messages are remembered. */
export function rememberedCount(srv: IrcServer): number {
  return rings.get(srv)?.count ?? 0;
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
  const r = ring(srv);
  const e = r.find(srv, msgid);
  const now = srv.now();
  const account = e < 0 ? null : r.account[e]!;
  const mine = e >= 0 && (r.from[e] === s.id || (account !== null && s.account !== null && account === srv.fold(s.account)));
  // private: only the author, and only in the conversation it was sent in
  const here = e >= 0 && now - r.time[e]! <= REDACT_WINDOW_MS && (ch !== undefined ? r.channel[e] === ch.folded : r.channel[e] === '' && mine && r.to[e] === srv.fold(target));
  if (!here) {
    fail('UNKNOWN_MSGID', target, msgid, 'This message does not exist or is too old');
    return;
  }
  const op = ch !== undefined && ((ch.members.get(s) ?? 0) & Member.op) !== 0;
  if (!mine && !op && !s.admin) {
    fail('REDACT_FORBIDDEN', target, msgid, 'You are not authorised to delete this message');
    return;
  }
  const author = r.nick[e]!;
  const stored = r.stored[e]!;
  r.forget(e);
  const params = reason === '' ? [ch?.name ?? target, msgid] : [ch?.name ?? target, msgid, reason];
  const out = srv.outgoing(s.source, 'REDACT', params);
  const whose = mine ? 'a message' : `a message from ${author}`;
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
  // every session of both users: the message reached them all (presence.deliver / echo)
  const t = srv.findNick(target);
  if (t === undefined) {
    s.numeric(N.ERR_NOSUCHNICK, target, 'No such nick/channel');
  } else if (!srv.presence.together(t, s)) {
    tell(t, t.nick);
    for (const o of srv.presence.siblings(t)) if (o.registered) tell(o, o.nick);
  }
  tell(s, s.nick);
  for (const o of srv.presence.siblings(s)) if (o.registered) tell(o, o.nick);
  if (stored !== null) void srv.history?.deleteMessage(stored, msgid).catch((err: unknown) => s.log.error({ err }, 'redaction: history delete failed'));
}

/** The private-history key of a message between two logged-in sessions, else null. */
export function privateKey(srv: IrcServer, a: Session, b: Session): string | null {
  return a.account !== null && b.account !== null ? privateTarget(srv.fold(a.account), srv.fold(b.account)) : null;
}

export const redactCommands: CommandTable = {
  REDACT: { minParams: 2, handler: redact },
};
