/**
 * Turning stored events back into IRC lines: for CHATHISTORY batches, for the replay a
 * client without draft/chathistory gets on JOIN, and for HISTORY / SEARCH.
 *
 * A line keeps its original source, msgid and time. Clients with server-time see the
 * time in the tag; for the others the text is prefixed with it ("[12:03] hello", or
 * "[2024-05-01 12:03] hello" for an earlier day, in the server's local time), so
 * the plain dialect renders it like any line. The JOIN replay and HISTORY stamp the
 * text also for clients with server-time but without batch: irssi (1.3+) negotiates
 * server-time yet by default (show_server_time off) shows when a line arrived, so a
 * replayed line would look new; it shows `<alice> [12:03] hello`. (The plain dialect
 * says it shows the tag: Connection.showsServerTime.)
 */
import { maxTrailingBytes, truncateUtf8 } from '../protocol/index.js';
import type { Cursor, StoredEvent } from '../storage/types.js';
import { MAX_ID } from '../storage/types.js';
import { Cap } from './caps.js';
import type { Channel } from './channel.js';
import { Outgoing } from './outgoing.js';
import { MultilineOut, isMultilineText, partsOf, roomFor, stampText } from './multiline.js';
import { playbackOnJoin, setCovered, setReplaying, NotReturning } from './commands/history.js';
import { addTag, type Session } from './session.js';
import type { IrcServer } from './server.js';

const pad = (n: number): string => (n < 10 ? '0' + n : String(n));

function ymd(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "12:03" for today, "2024-05-01 12:03" otherwise (server local time). */
export function shortTime(time: number, now: number): string {
  const d = new Date(time);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return ymd(d) === ymd(new Date(now)) ? hm : `${ymd(d)} ${hm}`;
}

/** "2024-05-01 12:03" (server local time). */
export function longTime(time: number): string {
  const d = new Date(time);
  return `${ymd(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** One stored event as the line `s` should get (null if it cannot be rebuilt). */
export function eventLine(e: StoredEvent, s: Session, now: number, stamp = !s.has(Cap.serverTime)): string | null {
  let params = e.params;
  if (stamp && (e.command === 'PRIVMSG' || e.command === 'NOTICE') && params.length >= 2) {
    const head = params.slice(0, -1);
    const text = stampText(params[params.length - 1]!, '[' + shortTime(e.time, now) + ']');
    params = [...head, truncateUtf8(text, maxTrailingBytes(e.source, e.command, head))];
  }
  try {
    return new Outgoing(e.source, e.command, params, e.msgid, e.time, e.tags).lineFor(s.caps);
  } catch {
    return null;
  }
}

/**
 * The lines of one stored event for `s`, inside batch `outer` (or none): one line, or a
 * draft/multiline message (its text holds line feeds, or is longer than a line) as a
 * nested multiline batch for clients with the capability, as separate lines otherwise.
 */
export function eventLines(e: StoredEvent, s: Session, srv: IrcServer, now: number, stamp: boolean, outer: string | null): readonly string[] {
  // a renamed room's older events carry its old name: they are shown under the current one
  const ch = e.target.startsWith('#') || e.target.startsWith('&') ? srv.channels.get(e.target) : undefined;
  if (ch !== undefined && e.command !== 'QUIT' && e.command !== 'NICK' && e.params[0] !== ch.name) e = { ...e, params: [ch.name, ...e.params.slice(1)] };
  const text = e.params[1];
  if ((e.command === 'PRIVMSG' || e.command === 'NOTICE') && e.params.length === 2 && text !== undefined) {
    const room = roomFor(e.source, e.command, e.params[0]!);
    if (isMultilineText(text, room)) {
      const out = new MultilineOut(e.source, e.command, e.params[0]!, partsOf(text, room), e.msgid, e.time, e.tags, srv.nextBatchId());
      return out.linesFor(s.caps, outer, stamp ? '[' + shortTime(e.time, now) + ']' : null);
    }
  }
  const line = eventLine(e, s, now, stamp);
  if (line === null) return [];
  return [outer !== null ? addTag(line, 'batch=' + outer) : line];
}

/**
 * Sends events, wrapped in a batch of `batchType` (with `batchParams`) when the client
 * has the batch capability (always, even empty, as CHATHISTORY requires).
 */
export function sendEvents(
  s: Session,
  srv: IrcServer,
  events: readonly StoredEvent[],
  batchType: string,
  batchParams: string[],
  /** put the time in the text (default: when the client lacks server-time) */
  stamp = !s.has(Cap.serverTime),
): void {
  const server = srv.config.serverName;
  const batch = s.has(Cap.batch) ? srv.nextBatchId() : null;
  if (batch !== null) s.send(`:${server} BATCH +${batch} ${[batchType, ...batchParams].join(' ')}`);
  const now = srv.now();
  for (const e of events) for (const line of eventLines(e, s, srv, now, stamp, batch)) s.send(line);
  if (batch !== null) s.send(`:${server} BATCH -${batch}`);
}

/** Runs a reply now-ish: what Session.defer() returns, or a plain "unless closing". */
export type Reply = (send: () => void) => void;

/**
 * The last `count` messages of `ch`. With batch they come as a `chathistory` batch;
 * otherwise a server NOTICE introduces them. `always`: answer even when there is
 * nothing (HISTORY); otherwise (JOIN replay) stay silent then.
 */
export function sendRecent(
  s: Session,
  ch: Channel,
  srv: IrcServer,
  count: number,
  always: boolean,
  reply: Reply,
  /** only events issued before this msgid mark (see IrcServer.msgidMark) */
  mark: number | null = null,
  /** only events after this position (what a returning client missed), null = the last ones */
  after: Promise<Cursor | null> = Promise.resolve(null),
  /** told what was sent, and whether it was everything after `after` (not cut to `count`) */
  onSent?: (events: readonly StoredEvent[], since: Cursor | null, complete: boolean) => void,
): Promise<void> {
  const h = srv.history;
  if (h === undefined || count <= 0) return Promise.resolve();
  // with a mark, ask for a few more: lines newer than the mark are dropped below
  const limit = mark === null ? count : count + 50;
  let since: Cursor | null = null;
  // settles once the reply was sent (or given up)
  return after
    .then((a) => {
      since = a;
      return h.range({ target: ch.folded, after: a, before: null, from: 'newest', limit, kinds: 'messages' });
    })
    .then(
      (all) =>
        reply(() => {
          const kept = mark === null ? all : all.filter((e) => !srv.issuedAfter(e.msgid, mark));
          const events = kept.slice(-count);
          onSent?.(events, since, kept.length <= count && all.length < limit);
          if (!always && (events.length === 0 || !ch.members.has(s))) return;
          if (!s.has(Cap.batch)) {
            const n = events.length;
            const what =
              since !== null
                ? `${n === 1 ? '1 message' : `${n} messages`} since you were last here`
                : n === 0
                  ? 'no messages'
                  : n === 1
                    ? 'the last message'
                    : `the last ${n} messages`;
            s.serverMessage('NOTICE', s.nick, `*** ${ch.name}: ${what}`);
          }
          // see the header: without batch, server-time alone does not mean the time is shown
          sendEvents(s, srv, events, 'chathistory', [ch.name], !s.has(Cap.serverTime) || (!s.has(Cap.batch) && s.conn.showsServerTime !== true));
          // without batch the replay also has an end, so live lines are told apart
          if (!s.has(Cap.batch) && events.length > 0) s.serverMessage('NOTICE', s.nick, `*** ${ch.name}: end of replay`);
        }),
      (err: unknown) => {
        if (err instanceof NotReturning) return; // nothing to replay, by design
        s.log.error({ err }, 'history replay failed');
        reply(() => {
          if (always) s.serverMessage('NOTICE', s.nick, `*** ${ch.name}: history is unavailable right now`);
        });
      },
    )
    .catch((err: unknown) => s.crashed(err, 'history replay'));
}

/**
 * Where `s`'s nick was last present in `ch`, as a store position: everything after it
 * is what a returning client missed; null = a newcomer (or unknown), who gets the
 * recent context. From the stored JOIN/PART/QUIT/NICK events of that nick, so it
 * survives a restart and needs no memory of its own:
 * - its last PART/QUIT/NICK (left the room, dropped, renamed): what came after that;
 * - its last JOIN, recorded by an earlier run of the server (it was in the room when
 *   that run stopped; a shutdown records no QUITs): what this run stored;
 * - its last JOIN in this run with no departure after it (kicked): unknown, null.
 */
export async function lastPresent(s: Session, ch: Channel, srv: IrcServer, mark: number): Promise<Cursor | null> {
  const h = srv.history;
  if (h === undefined) return null;
  const seen = (await h.presence(ch.folded, s.nick, 3)).filter((e) => !srv.issuedAfter(e.msgid, mark));
  // the newest is this JOIN itself (recorded just before the replay), unless it is a
  // lurker's, which is not recorded
  const last = seen.at(-1);
  if (last?.command === 'JOIN' && srv.issuedAfter(last.msgid, 0) && !s.lurking) seen.pop();
  const prior = seen.at(-1);
  if (prior === undefined) return null;
  if (prior.command !== 'JOIN') return { time: prior.time, id: prior.id };
  if (srv.issuedAfter(prior.msgid, 0)) return null;
  const start = srv.startedAt.getTime() - 1;
  return prior.time > start ? { time: prior.time, id: prior.id } : { time: start, id: MAX_ID };
}

/**
 * JOIN replay (history.replayLines) for clients without draft/chathistory; those that
 * negotiated it get nothing automatically, as the spec asks. Not part of a labeled
 * JOIN's response (it arrives after it).
 */
export function replayOnJoin(s: Session, ch: Channel, srv: IrcServer): void {
  if (s.has(Cap.chathistory)) return;
  if (s.has(Cap.zncPlayback)) {
    setCovered(s, ch, null); // a new stay in the room
    if (playbackOnJoin(s, ch, srv)) return;
    // no PLAY for this room (The Lounge asks only for rooms new to it): like any
    // server-time client, what it missed if it is coming back; nothing for a newcomer
    const mark = srv.msgidMark();
    const left = lastPresent(s, ch, srv, mark);
    const after = left.then((c) => {
      if (c === null) throw new NotReturning();
      return c;
    });
    const sent = sendRecent(s, ch, srv, srv.config.history.replayLines, false, s.later(), mark, after, (events, since, complete) => {
      // everything after this was delivered now or live: a later PLAY must not repeat it
      const first = events[0];
      const from = complete || first === undefined ? since : { time: first.time, id: first.id - 1 };
      if (from !== null) setCovered(s, ch, from);
    });
    // a PLAY that arrives while this replay's reads are still out answers after it
    // (with a store that commits asynchronously the reads take a while)
    setReplaying(s, ch, sent);
    return;
  }
  // only what was said before the join: lines sent right after it (even in the same
  // packet) reach the joiner live and must not come again inside the replay
  const joinedAt = srv.msgidMark();
  // a client with server-time that comes back gets only what it missed (docs/history.md)
  const after = s.has(Cap.serverTime) ? lastPresent(s, ch, srv, joinedAt) : undefined;
  sendRecent(s, ch, srv, srv.config.history.replayLines, false, s.later(), joinedAt, after);
}
