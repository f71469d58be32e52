/**
 * History commands: CHATHISTORY (IRCv3 draft/chathistory), HISTORY and SEARCH
 * (tincan's own, for every client; see docs/history.md).
 *
 * Access rule for all three: a channel's history is readable by its current members
 * only. Direct messages are kept only between two accounts, readable by those two
 * (src/accounts/offline.ts): any other nick target yields an empty batch.
 * https://ircv3.net/specs/extensions/chathistory
 */
import { isValidNick, serializeParts } from '../../protocol/index.js';
import * as N from '../../protocol/numerics.js';
import type { Cursor, RangeQuery, StoredEvent } from '../../storage/types.js';
import { DEFAULT_SEARCH_MAX_ROWS, MAX_ID, privateParties } from '../../storage/types.js';
import { TokenBucket } from '../../util/token-bucket.js';
import { parseSearchWords } from '../../storage/search-text.js';
import { Cap } from '../caps.js';
import type { Channel } from '../channel.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import type { History } from '../history.js';
import { longTime, sendEvents, sendRecent, type Reply } from '../history-replay.js';
import { commaList } from './channel.js';
import { addTag } from '../session.js';
import type { CommandTable } from './types.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

/** A parsed message reference: a time, or a msgid (resolved against a target later). */
type Ref = { kind: 'time'; time: number } | { kind: 'msgid'; msgid: string };

export function parseRef(p: string | undefined): Ref | null {
  if (p === undefined) return null;
  if (p.startsWith('timestamp=')) {
    const v = p.slice(10);
    const t = ISO.test(v) ? Date.parse(v) : NaN;
    return Number.isFinite(t) ? { kind: 'time', time: t } : null;
  }
  if (p.startsWith('msgid=') && p.length > 6) return { kind: 'msgid', msgid: p.slice(6) };
  return null;
}

/** Where a reference sits: a msgid's exact position; a time just before its first id. */
interface Pos {
  /** exclusive upper bound: everything strictly before the reference */
  upper: Cursor;
  /** exclusive lower bound: everything strictly after the reference */
  lower: Cursor;
  /** exclusive lower bound that still includes the referenced message (AROUND) */
  lowerInclusive: Cursor;
}

async function resolve(h: History, target: string, ref: Ref): Promise<Pos | null> {
  if (ref.kind === 'time') {
    return { upper: { time: ref.time, id: 0 }, lower: { time: ref.time, id: MAX_ID }, lowerInclusive: { time: ref.time - 1, id: MAX_ID } };
  }
  const c = await h.locate(target, ref.msgid);
  return c === null ? null : { upper: c, lower: c, lowerInclusive: { time: c.time, id: c.id - 1 } };
}

const before = (a: Cursor, b: Cursor): boolean => a.time < b.time || (a.time === b.time && a.id < b.id);

type Sub = 'LATEST' | 'BEFORE' | 'AFTER' | 'AROUND' | 'BETWEEN';
const ARITY: Record<Sub | 'TARGETS', number> = { LATEST: 4, BEFORE: 4, AFTER: 4, AROUND: 4, BETWEEN: 5, TARGETS: 4 };

/** The window a subcommand asks for, or 'invalid' (a bad reference) / [] (no such msgid). */
async function window(
  h: History,
  sub: Sub,
  target: string,
  refs: Ref[],
  limit: number,
  kinds: RangeQuery['kinds'],
): Promise<StoredEvent[]> {
  const base = { target, kinds, limit };
  if (sub === 'LATEST' && refs.length === 0) return h.range({ ...base, after: null, before: null, from: 'newest' });
  const p = await resolve(h, target, refs[0]!);
  if (p === null) return [];
  switch (sub) {
    case 'LATEST':
      return h.range({ ...base, after: p.lower, before: null, from: 'newest' });
    case 'BEFORE':
      return h.range({ ...base, after: null, before: p.upper, from: 'newest' });
    case 'AFTER':
      return h.range({ ...base, after: p.lower, before: null, from: 'oldest' });
    case 'AROUND': {
      // up to half before the reference, the rest from it on (it included)
      const older = await h.range({ ...base, after: null, before: p.upper, from: 'newest' });
      const newer = await h.range({ ...base, after: p.lowerInclusive, before: null, from: 'oldest' });
      const nNewer = Math.min(newer.length, limit - Math.min(older.length, Math.floor(limit / 2)));
      const nOlder = Math.min(older.length, limit - nNewer);
      return [...older.slice(older.length - nOlder), ...newer.slice(0, nNewer)];
    }
    case 'BETWEEN': {
      const q = await resolve(h, target, refs[1]!);
      if (q === null) return [];
      if (before(p.upper, q.upper)) return h.range({ ...base, after: p.lower, before: q.upper, from: 'oldest' });
      if (before(q.upper, p.upper)) return h.range({ ...base, after: q.lower, before: p.upper, from: 'newest' });
      return [];
    }
  }
}

/** The channel `s` may read history of, or undefined. */
function readable(s: Session, srv: IrcServer, name: string): Channel | undefined {
  const ch = srv.findChannel(name);
  return ch !== undefined && ch.members.has(s) ? ch : undefined;
}

const isChannelName = (n: string): boolean => n.startsWith('#') || n.startsWith('&');

function parseLimit(p: string | undefined, max: number): number | null {
  if (p === undefined || !/^\d{1,9}$/.test(p)) return null;
  const n = Number(p);
  return n === 0 || n > max ? max : n;
}

function chathistory(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  const h = srv.history;
  const fail = (code: string, ...rest: string[]): void => s.serverMessage('FAIL', 'CHATHISTORY', code, ...rest);
  const raw = msg.params[0] ?? '';
  const sub = raw.toUpperCase();
  if (h === undefined) {
    s.numeric(N.ERR_UNKNOWNCOMMAND, 'CHATHISTORY', 'Unknown command');
    return;
  }
  if (!(sub in ARITY)) {
    fail('UNKNOWN_COMMAND', raw === '' ? '*' : raw, 'Unknown command');
    return;
  }
  const p = msg.params;
  if (p.length < ARITY[sub as Sub]) {
    fail('NEED_MORE_PARAMS', sub, 'Missing parameters');
    return;
  }
  const max = srv.config.history.maxQuery;
  const limit = parseLimit(p[p.length - 1], max);
  if (limit === null) {
    fail('INVALID_PARAMS', sub, p[p.length - 1]!, 'Invalid limit');
    return;
  }
  if (sub === 'TARGETS') {
    const a = parseRef(p[1]);
    const b = parseRef(p[2]);
    if (a?.kind !== 'time' || b?.kind !== 'time') {
      fail('INVALID_PARAMS', sub, 'TARGETS takes two timestamp= references', 'Invalid parameters');
      return;
    }
    targets(s, srv, h, a.time, b.time, limit);
    return;
  }
  const target = p[1]!;
  const refs: Ref[] = [];
  const refParams = sub === 'BETWEEN' ? [p[2], p[3]] : [p[2]];
  for (const rp of refParams) {
    if (sub === 'LATEST' && rp === '*') continue;
    const r = parseRef(rp);
    if (r === null) {
      fail('INVALID_PARAMS', sub, rp ?? '*', 'Invalid message reference');
      return;
    }
    refs.push(r);
  }
  const ch = isChannelName(target) ? readable(s, srv, target) : undefined;
  if (ch === undefined) {
    if (!isChannelName(target) && (target === '*' || isValidNick(target, srv.config.limits.nickLength))) {
      // between two accounts: their conversation; any other nick (or '*') has none
      const key = target === '*' ? null : srv.mailbox.conversation(s, target);
      if (key === null) {
        s.defer()(() => sendEvents(s, srv, [], 'chathistory', [target]));
        return;
      }
      const reply = s.defer();
      window(h, sub as Sub, key, refs, limit, s.has(Cap.eventPlayback) ? 'all' : 'messages').then(
        (events) => reply(() => sendEvents(s, srv, events, 'chathistory', [target])),
        (err: unknown) => {
          s.log.error({ err }, 'CHATHISTORY query failed');
          reply(() => fail('MESSAGE_ERROR', sub, target, 'Messages could not be retrieved'));
        },
      ).catch((err: unknown) => s.crashed(err, 'history reply'));
      return;
    }
    fail('INVALID_TARGET', sub, target, 'Messages could not be retrieved');
    return;
  }
  const reply = s.defer();
  const kinds = s.has(Cap.eventPlayback) ? 'all' : 'messages';
  window(h, sub as Sub, ch.folded, refs, limit, kinds).then(
    (events) => reply(() => sendEvents(s, srv, events, 'chathistory', [ch.name])),
    (err: unknown) => {
      s.log.error({ err }, 'CHATHISTORY query failed');
      reply(() => fail('MESSAGE_ERROR', sub, target, 'Messages could not be retrieved'));
    },
  ).catch((err: unknown) => s.crashed(err, 'history reply'));
}

/** CHATHISTORY TARGETS: the user's channels with messages between two times. */
function targets(s: Session, srv: IrcServer, h: History, a: number, b: number, limit: number): void {
  // key -> the name to show: the user's rooms, and (logged in) its private conversations
  const chans = new Map<string, { name: string }>();
  for (const ch of s.channels) chans.set(ch.folded, ch);
  if (s.account !== null) {
    for (const [other, key] of srv.mailbox.conversations(s.account)) chans.set(key, { name: srv.accounts.get(other)?.name ?? other });
  }
  const reply = s.defer();
  h.latestTimes([...chans.keys()], Math.min(a, b), Math.max(a, b)).then(
    (times) =>
      reply(() => {
        let list = [...times].sort((x, y) => x[1] - y[1]);
        list = a <= b ? list.slice(0, limit) : list.slice(Math.max(0, list.length - limit));
        const server = srv.config.serverName;
        const id = s.has(Cap.batch) ? srv.nextBatchId() : null;
        if (id !== null) s.send(`:${server} BATCH +${id} draft/chathistory-targets`);
        for (const [folded, time] of list) {
          const line = `:${server} CHATHISTORY TARGETS ${chans.get(folded)!.name} ${new Date(time).toISOString()}`;
          s.send(id !== null ? addTag(line, 'batch=' + id) : line);
        }
        if (id !== null) s.send(`:${server} BATCH -${id}`);
      }),
    (err: unknown) => {
      s.log.error({ err }, 'CHATHISTORY TARGETS failed');
      reply(() => s.serverMessage('FAIL', 'CHATHISTORY', 'MESSAGE_ERROR', 'TARGETS', '*', 'Messages could not be retrieved'));
    },
  ).catch((err: unknown) => s.crashed(err, 'history reply'));
}

/** HISTORY <#channel> [count]: the last messages, as on JOIN (for /history N). */
function history(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  if (srv.history === undefined) {
    s.numeric(N.ERR_UNKNOWNCOMMAND, 'HISTORY', 'Unknown command');
    return;
  }
  const name = msg.params[0]!;
  const ch = srv.findChannel(name);
  if (ch === undefined) {
    s.numeric(N.ERR_NOSUCHCHANNEL, name, 'No such channel');
    return;
  }
  if (!ch.members.has(s)) {
    s.numeric(N.ERR_NOTONCHANNEL, ch.name, "You're not on that channel");
    return;
  }
  const cfg = srv.config.history;
  const raw = msg.params[1];
  let count = cfg.replayLines > 0 ? cfg.replayLines : 20;
  if (raw !== undefined) {
    if (!/^\d{1,9}$/.test(raw) || Number(raw) === 0) {
      s.serverMessage('FAIL', 'HISTORY', 'INVALID_PARAMS', raw, 'Expected a number of messages, e.g. HISTORY #room 50');
      return;
    }
    count = Number(raw);
  }
  sendRecent(s, ch, srv, Math.min(count, cfg.maxQuery), true, s.defer());
}

/** Rows (FTS matches or stored rows) one SEARCH may look at: its cost bound. */
export const SEARCH_MAX_ROWS = DEFAULT_SEARCH_MAX_ROWS;
/**
 * Rows per second all searches together may look at (a token bucket on the server's
 * clock): many searchers cannot take the event loop from everyone else.
 */
export const SEARCH_ROWS_PER_SECOND = 20_000;
/** Below this much server-wide budget, SEARCH answers FAIL SEARCH BUSY instead. */
export const SEARCH_MIN_ROWS = 500;

const searchBudgets = new WeakMap<IrcServer, TokenBucket>();
/** sessions with a SEARCH running: one at a time each */
const searching = new WeakSet<Session>();

function searchBudget(srv: IrcServer): TokenBucket {
  let b = searchBudgets.get(srv);
  if (b === undefined) searchBudgets.set(srv, (b = new TokenBucket(SEARCH_ROWS_PER_SECOND, SEARCH_ROWS_PER_SECOND, srv.now)));
  return b;
}

/** SEARCH [#channel] <words...>: messages in the user's channels with every word. */
function search(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  const h = srv.history;
  if (h === undefined) {
    s.numeric(N.ERR_UNKNOWNCOMMAND, 'SEARCH', 'Unknown command');
    return;
  }
  const all = msg.params.join(' ').trim().split(/\s+/);
  // only rooms the user may read: the ones they are in
  let scope: Channel[] = [...s.channels];
  let named = false;
  if (all.length > 1 && isChannelName(all[0]!)) {
    named = true;
    const ch = readable(s, srv, all[0]!);
    if (ch === undefined) {
      s.numeric(N.ERR_NOTONCHANNEL, all[0]!, "You're not on that channel");
      return;
    }
    scope = [ch];
    all.shift();
  }
  const text = all.join(' ');
  const words = parseSearchWords(text);
  if (words.length === 0) {
    s.serverMessage('NOTICE', s.nick, '*** Search: give some words to look for, e.g. SEARCH pizza friday');
    return;
  }
  // a logged-in user's private conversations are searched too, unless a room was named
  const privates = !named && s.account !== null;
  if (scope.length === 0 && !privates) {
    // no rooms to search: no query at all
    s.serverMessage('NOTICE', s.nick, '*** Search: you are in no rooms; join one to search its history');
    return;
  }
  if (searching.has(s)) {
    s.serverMessage('FAIL', 'SEARCH', 'BUSY', 'Your previous search is still running');
    return;
  }
  const budget = searchBudget(srv);
  const maxRows = Math.min(SEARCH_MAX_ROWS, Math.floor(budget.available()));
  if (maxRows < SEARCH_MIN_ROWS || !budget.take(maxRows)) {
    s.serverMessage('FAIL', 'SEARCH', 'BUSY', 'The server is busy with other searches; try again in a few seconds');
    return;
  }
  const stats = { examined: 0, complete: true };
  const reply = s.defer();
  searching.add(s);
  const keys = privates ? [...srv.mailbox.conversations(s.account!).values()] : [];
  h.search({ targets: [...scope.map((c) => c.folded), ...keys], words, limit: srv.config.history.searchResults, maxRows, stats }).then(
    (found) => {
      searching.delete(s);
      budget.refund(maxRows - Math.min(maxRows, stats.examined));
      reply(() => {
        const events = found.reverse(); // newest last, nearest the prompt
        const cut = stats.complete
          ? null
          : `*** Search stopped early after looking at ${stats.examined} messages: older matches may be missing. Narrow it down: SEARCH #room words`;
        if (s.has(Cap.batch) && s.has(Cap.serverTime)) {
          sendEvents(s, srv, events, 'tincan/search', []);
          if (cut !== null) s.serverMessage('NOTICE', s.nick, cut);
          return;
        }
        const n = events.length;
        s.serverMessage('NOTICE', s.nick, `*** Search "${text}": ${n === 0 ? 'no results' : n === 1 ? '1 result' : `${n} results`}`);
        for (const e of events) {
          const nick = e.source.split('!')[0];
          const body = e.params[e.params.length - 1] ?? '';
          const shown = body.startsWith('\x01ACTION ') ? `* ${nick} ${body.slice(8).replace(/\x01$/, '')}` : `<${nick}> ${body}`;
          const where = privateParties(e.target) !== null ? `private with ${e.source.startsWith(s.nick + '!') ? e.params[0] : nick}` : e.params[0];
          s.serverMessage('NOTICE', s.nick, `[${where} ${longTime(e.time)}] ${shown}`);
        }
        if (cut !== null) s.serverMessage('NOTICE', s.nick, cut);
        if (n > 0) s.serverMessage('NOTICE', s.nick, '*** End of search');
      });
    },
    (err: unknown) => {
      searching.delete(s);
      s.log.error({ err }, 'SEARCH failed');
      reply(() => s.serverMessage('FAIL', 'SEARCH', 'MESSAGE_ERROR', 'Search is unavailable right now'));
    },
  ).catch((err: unknown) => s.crashed(err, 'history reply'));
}

/**
 * `ZNC *playback <command...>`: ZNC's way of addressing a module, which The Lounge uses
 * (`ZNC *playback PLAY #chan <since>`); the same as `PRIVMSG *playback :<command...>`.
 */
function znc(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  if (srv.history === undefined || msg.params[0]!.toLowerCase() !== '*playback') {
    s.numeric(N.ERR_UNKNOWNCOMMAND, 'ZNC', 'Unknown command');
    return;
  }
  playbackCommand(s, msg.params.slice(1).join(' '), srv);
}

export const historyCommands: CommandTable = {
  ZNC: { minParams: 1, handler: znc },
  CHATHISTORY: { minParams: 0, handler: chathistory },
  HISTORY: { minParams: 1, handler: history },
  SEARCH: { minParams: 1, handler: search },
};

// ---- znc.in/playback --------------------------------------------------------------
// ZNC's playback module, as clients that keep their own logs use it (The Lounge,
// Textual, Palaver...): `PRIVMSG *playback :PLAY <buffers> [since] [until]` and `LIST`.
// https://wiki.znc.in/Playback. Same access rule as CHATHISTORY: rooms the user is in.

/** Most rooms one PLAY or LIST answers for (one bounded store query each). */
export const PLAYBACK_MAX_TARGETS = 50;
/** Most PLAY requests a session keeps for rooms it joins later. */
export const PLAYBACK_MAX_PENDING = 20;

/** A PLAY window as store bounds (both exclusive). */
export interface PlaybackWindow {
  after: Cursor | null;
  before: Cursor | null;
}

const SECONDS = /^(-?)(\d{1,12})(?:\.(\d{1,9}))?$/;

/** Whole milliseconds at or below `v` seconds ("1700000000.5" -> 1700000000500), or null. */
function floorMs(v: string): number | null {
  const m = SECONDS.exec(v);
  if (m === null) return null;
  const ms = Number(m[2]) * 1000 + Number((m[3] ?? '').padEnd(3, '0').slice(0, 3));
  const rest = (m[3] ?? '').length > 3 && /[1-9]/.test(m[3]!.slice(3));
  return m[1] === '-' ? -ms - (rest ? 1 : 0) : ms;
}

/**
 * ZNC's window: a line at time t (seconds, fractional) is played when since < t <= until
 * (`from < t && to >= t` in its module); no since = 0, no until = up to now.
 */
export function playbackWindow(since: string | undefined, until: string | undefined): PlaybackWindow | null {
  const a = since === undefined ? 0 : floorMs(since);
  const b = until === undefined ? null : floorMs(until);
  if (a === null || (until !== undefined && b === null)) return null;
  // t > a (in ms, t whole): strictly after every line of millisecond a
  const after = a < 0 ? null : { time: a, id: MAX_ID };
  // t <= b: strictly before millisecond b + 1
  const before = b === null ? null : { time: b + 1, id: 0 };
  return { after, before };
}

/** A ZNC buffer pattern ("*", "#room", "#r*") as a test on casefolded names. */
function bufferPattern(srv: IrcServer, p: string): (folded: string) => boolean {
  if (p === '*') return () => true;
  const f = srv.fold(p);
  if (!/[*?]/.test(f)) return (n) => n === f;
  const re = new RegExp('^' + f.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return (n) => re.test(n);
}

interface PendingPlay {
  match: (folded: string) => boolean;
  w: PlaybackWindow;
}
/** Thrown to skip the JOIN replay of a playback client that is new to the room. */
export class NotReturning extends Error {}

/** Per session and room: it has every line after this position (JOIN replay + live). */
const coveredFrom = new WeakMap<Session, WeakMap<Channel, Cursor>>();
export function setCovered(s: Session, ch: Channel, c: Cursor | null): void {
  let m = coveredFrom.get(s);
  if (c === null) {
    m?.delete(ch);
    return;
  }
  if (m === undefined) coveredFrom.set(s, (m = new WeakMap()));
  m.set(ch, c);
}

/** Per session and room: the JOIN replay still being answered (PLAY waits for it: coveredFrom). */
const replaying = new WeakMap<Session, WeakMap<Channel, Promise<void>>>();
export function setReplaying(s: Session, ch: Channel, done: Promise<void>): void {
  let m = replaying.get(s);
  if (m === undefined) replaying.set(s, (m = new WeakMap()));
  m.set(ch, done);
}

/** PLAY requests that also cover rooms joined later (a client asks before its JOINs). */
const pendingPlays = new WeakMap<Session, PendingPlay[]>();
/** rooms a pending PLAY was already played for on JOIN, per session */
const playedOnJoin = new WeakMap<Session, WeakSet<Channel>>();

function fromPlayback(s: Session, srv: IrcServer, text: string): void {
  s.send(serializeParts('', `*playback!playback@${srv.config.serverName}`, 'PRIVMSG', [s.nick, text]));
}

/**
 * Plays `w` of each of `chans` to `s`: per room a `znc.in/playback` batch (with batch),
 * original msgid and time; rooms with nothing in the window send nothing, as ZNC does.
 * Only lines issued before `mark` (so nothing the client got live comes again).
 */
function play(s: Session, srv: IrcServer, h: History, chans: readonly Channel[], w: PlaybackWindow, reply: Reply, mark: number): void {
  const limit = srv.config.history.maxQuery;
  const kinds = s.has(Cap.eventPlayback) ? 'all' : 'messages';
  const replayed = (ch: Channel): Promise<void> => replaying.get(s)?.get(ch) ?? Promise.resolve();
  Promise.all(chans.map((ch) => replayed(ch).then(() => h.range({ target: ch.folded, after: w.after, before: w.before, from: 'newest', limit, kinds })))).then(
    (lists) =>
      reply(() => {
        lists.forEach((all, i) => {
          const ch = chans[i]!;
          const has = coveredFrom.get(s)?.get(ch);
          // not what it got live or in its JOIN replay already
          const events = all.filter((e) => !srv.issuedAfter(e.msgid, mark) && (has === undefined || before(e, has)));
          if (events.length === 0 || !ch.members.has(s)) return;
          // without batch, framed like the JOIN replay (ZNC says "Buffer Playback...")
          const framed = !s.has(Cap.batch);
          if (framed) s.serverMessage('NOTICE', s.nick, `*** ${ch.name}: playback of ${events.length === 1 ? '1 message' : `${events.length} messages`}`);
          sendEvents(s, srv, events, 'znc.in/playback', [ch.name]);
          if (framed) s.serverMessage('NOTICE', s.nick, `*** ${ch.name}: end of playback`);
        });
      }),
    (err: unknown) => {
      s.log.error({ err }, 'playback query failed');
      reply(() => fromPlayback(s, srv, 'History is unavailable right now'));
    },
  ).catch((err: unknown) => s.crashed(err, 'playback reply'));
}

/** The rooms `s` is in that match the comma-separated patterns, at most PLAYBACK_MAX_TARGETS. */
function matching(s: Session, srv: IrcServer, patterns: ((f: string) => boolean)[]): { chans: Channel[]; skipped: number } {
  const chans: Channel[] = [];
  let skipped = 0;
  for (const ch of s.channels) {
    if (!patterns.some((p) => p(ch.folded))) continue;
    if (chans.length < PLAYBACK_MAX_TARGETS) chans.push(ch);
    else skipped++;
  }
  return { chans, skipped };
}

/** `PRIVMSG *playback :<text>`: PLAY, LIST (and a usage answer for anything else). */
export function playbackCommand(s: Session, text: string, srv: IrcServer): void {
  const h = srv.history!;
  const words = text.trim().split(/\s+/);
  const sub = (words[0] ?? '').toUpperCase();
  const usage = 'Usage: PLAY <buffer(s)> [since] [until] (unix seconds) | LIST [buffer(s)]';
  if (sub === 'PLAY') {
    const w = words[1] === undefined || words.length > 4 ? null : playbackWindow(words[2], words[3]);
    if (w === null) {
      fromPlayback(s, srv, usage);
      return;
    }
    const patterns = commaList(words[1]).slice(0, PLAYBACK_MAX_TARGETS).map((p) => bufferPattern(srv, p));
    const { chans, skipped } = matching(s, srv, patterns);
    if (skipped > 0) fromPlayback(s, srv, `Playing the first ${PLAYBACK_MAX_TARGETS} matching rooms only; ask for the other ${skipped} by name`);
    // rooms joined later in this connection are played on their JOIN (replayOnJoin)
    const list = pendingPlays.get(s) ?? [];
    for (const match of patterns) list.push({ match, w });
    pendingPlays.set(s, list.slice(-PLAYBACK_MAX_PENDING));
    if (chans.length > 0) play(s, srv, h, chans, w, s.defer(), srv.msgidMark());
    return;
  }
  if (sub === 'LIST') {
    const patterns = commaList(words[1] ?? '*').slice(0, PLAYBACK_MAX_TARGETS).map((p) => bufferPattern(srv, p));
    const { chans } = matching(s, srv, patterns);
    const reply = s.defer();
    const first = (ch: Channel, from: 'oldest' | 'newest') => h.range({ target: ch.folded, after: null, before: null, from, limit: 1, kinds: 'messages' });
    Promise.all(chans.map(async (ch) => [await first(ch, 'oldest'), await first(ch, 'newest')] as const)).then(
      (ends) =>
        reply(() => {
          ends.forEach(([a, b], i) => {
            if (a[0] !== undefined && b[0] !== undefined) fromPlayback(s, srv, `${chans[i]!.name} ${a[0].time / 1000} ${b[0].time / 1000}`);
          });
        }),
      (err: unknown) => {
        s.log.error({ err }, 'playback LIST failed');
        reply(() => fromPlayback(s, srv, 'History is unavailable right now'));
      },
    ).catch((err: unknown) => s.crashed(err, 'playback reply'));
    return;
  }
  if (sub === 'CLEAR') {
    fromPlayback(s, srv, 'CLEAR is not supported: room history is shared by everyone in the room');
    return;
  }
  fromPlayback(s, srv, usage);
}

/**
 * JOIN of `ch` by a znc.in/playback client: like ZNC, no automatic replay; the client
 * asks with PLAY. A PLAY sent before the JOIN that names this room (or `*`) is played now.
 */
export function playbackOnJoin(s: Session, ch: Channel, srv: IrcServer): boolean {
  const h = srv.history;
  const p = pendingPlays.get(s)?.findLast((x) => x.match(ch.folded));
  if (h === undefined || p === undefined) return false;
  // once per room: joining it again in this connection is a return (what it missed)
  let done = playedOnJoin.get(s);
  if (done === undefined) playedOnJoin.set(s, (done = new WeakSet()));
  if (done.has(ch)) return false;
  done.add(ch);
  play(s, srv, h, [ch], p.w, s.later(), srv.msgidMark());
  return true;
}
