/**
 * Channel membership and metadata: JOIN, PART, TOPIC, NAMES, LIST, KICK, INVITE.
 * The first user into an empty channel becomes its operator.
 */
import { compileMask, isValidChannelName, truncateUtf8 } from '../../protocol/index.js';
import * as N from '../../protocol/numerics.js';
import { Cap } from '../caps.js';
import { Channel, Member, prefixFor } from '../channel.js';
import { Outgoing } from '../outgoing.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import type { CommandTable } from './types.js';
import { replayOnJoin } from '../history-replay.js';
import { markReadOnJoin } from './readmarker.js';
import { untilText } from '../../admin/state.js';
import { redirectJoin } from './rename.js';

/** Splits a comma list, dropping empty items. */
export function commaList(p: string | undefined): string[] {
  if (p === undefined) return [];
  // one target (every PRIVMSG in practice): no split, no filter closure
  if (!p.includes(',')) return p === '' ? [] : [p];
  return p.split(',').filter((x) => x !== '');
}

export function sendTopic(s: Session, ch: Channel, whenEmpty: boolean): void {
  if (ch.topic === '') {
    if (whenEmpty) s.numeric(N.RPL_NOTOPIC, ch.name, 'No topic is set');
    return;
  }
  s.numeric(N.RPL_TOPIC, ch.name, ch.topic);
  s.numeric(N.RPL_TOPICWHOTIME, ch.name, ch.topicBy, String(Math.floor(ch.topicAt / 1000)));
}

/** RPL_NAMREPLY lines (split to fit 512 bytes) and RPL_ENDOFNAMES. */
export function sendNames(s: Session, ch: Channel, srv: IrcServer): void {
  const multi = s.has(Cap.multiPrefix);
  const uhnames = s.has(Cap.userhostInNames);
  const member = ch.members.has(s);
  const budget = 400 - ch.name.length - s.nick.length - srv.config.serverName.length;
  let cur = '';
  for (const [m, status] of ch.members) {
    if ((!member && m.invisible) || (m.lurking && m !== s) || srv.presence.isShadow(m)) continue;
    const name = prefixFor(status, multi) + (uhnames ? m.source : m.nick);
    if (cur !== '' && cur.length + name.length + 1 > budget) {
      s.numeric(N.RPL_NAMREPLY, ch.namesSymbol(), ch.name, cur);
      cur = '';
    }
    cur += (cur === '' ? '' : ' ') + name;
  }
  if (cur !== '') s.numeric(N.RPL_NAMREPLY, ch.namesSymbol(), ch.name, cur);
  s.numeric(N.RPL_ENDOFNAMES, ch.name, 'End of /NAMES list.');
}

/** Announces a join to the channel (extended-join aware) and welcomes the joiner. */
/**
 * `quiet`: a sibling session following its account into `ch` (src/accounts/presence.ts):
 * told alone, the room sees nothing (it knows the user is there already).
 */
export function joinChannel(s: Session, ch: Channel, srv: IrcServer, status: number, quiet = false): void {
  if (ch.emptySince !== null) {
    // occupied again: the stored state must not look empty since then (expiry at load)
    ch.emptySince = null;
    srv.history?.channelChanged(ch);
  }
  ch.members.set(s, status);
  s.channels.add(ch);
  ch.invited.delete(s.folded);
  // a lurker (silent listener) hears the room but is announced only when it speaks
  announceJoin(s, ch, srv, s.lurking || quiet ? 'self' : 'room');
  sendTopic(s, ch, false);
  markReadOnJoin(s, ch, srv);
  if ((s.caps & Cap.noImplicitNames) === 0) sendNames(s, ch, srv);
  if (srv.history !== undefined) replayOnJoin(s, ch, srv);
  if (!quiet) srv.presence.joined(s, ch, status);
}

/**
 * JOIN (extended-join aware) to `s` only ('self': a lurker's own view), to the room
 * ('room'), or to everyone in it but `s` ('others': a lurker revealed, who saw its own
 * JOIN already). Lurkers hear everything; they are only not heard of. Recorded unless
 * 'self'.
 */
export function announceJoin(s: Session, ch: Channel, srv: IrcServer, to: 'self' | 'room' | 'others'): void {
  const msgid = srv.nextMsgid();
  const now = srv.now();
  const plain = new Outgoing(s.source, 'JOIN', [ch.name], msgid, now);
  const ext = new Outgoing(s.source, 'JOIN', [ch.name, s.account ?? '*', s.realname || s.nick], msgid, now);
  plain.account = ext.account = s.account;
  if (to === 'self') {
    s.send((s.caps & Cap.extendedJoin ? ext : plain).lineFor(s.caps));
    return;
  }
  const away = s.away !== null ? srv.outgoing(s.source, 'AWAY', [s.away]) : null;
  for (const m of ch.members.keys()) {
    if (m === s && to === 'others') continue; // a revealed lurker saw its own JOIN already
    m.send((m.caps & Cap.extendedJoin ? ext : plain).lineFor(m.caps));
    if (away !== null && m !== s && m.has(Cap.awayNotify)) m.send(away.lineFor(m.caps));
  }
  srv.history?.record(ch, s.source, 'JOIN', [ch.name], plain);
}

/** A lurker spoke for the first time: the rooms it has been hearing learn of it now. */
export function revealLurker(s: Session, srv: IrcServer): void {
  s.lurking = false;
  for (const ch of s.channels) announceJoin(s, ch, srv, 'others');
}

export function partChannel(s: Session, ch: Channel, srv: IrcServer, reason: string | undefined): void {
  const params = reason !== undefined && reason !== '' ? [ch.name, reason] : [ch.name];
  const out = srv.outgoing(s.source, 'PART', params);
  if (s.lurking) s.send(out.lineFor(s.caps)); // nobody else knew it was there
  else {
    srv.sendToChannel(ch, out);
    srv.history?.record(ch, s.source, 'PART', params, out);
  }
  srv.presence.removeUser(ch, s);
}

function join(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  if (msg.params[0] === '0') {
    for (const ch of [...s.channels]) partChannel(s, ch, srv, 'Left all channels');
    return;
  }
  // keys are positional ("#a,#b ,keyb"), so empty slots must be kept
  const names = msg.params[0]!.split(',');
  const keys = (msg.params[1] ?? '').split(',');
  const l = srv.config.limits;
  // creations refused after the first in this command: counted, told once at the end
  // (JOIN #a1,...,#a1000 must not answer with a thousand lines)
  let refusedMore = 0;
  let refusedOnce = false;
  names.forEach((name, i) => {
    if (name === '') return;
    // an old name of a renamed room (commands/rename.ts)
    if (redirectJoin(s, name, srv, (to) => join(s, { params: [to, keys[i] ?? ''] }, srv))) return;
    if (!isValidChannelName(name, l.channelLength)) {
      s.numeric(N.ERR_NOSUCHCHANNEL, name, 'No such channel');
      return;
    }
    const existing = srv.findChannel(name);
    if (existing?.members.has(s)) return;
    if (s.channels.size >= l.channelsPerUser) {
      s.numeric(N.ERR_TOOMANYCHANNELS, name, 'You have joined too many channels');
      return;
    }
    if (existing !== undefined && s.admin) {
      // admins join any room: past a key, a limit, invite-only and bans (audited)
      const past = lockedAgainst(existing, s, keys[i] ?? '', srv);
      if (past !== '') srv.admin.audit(s.nick, 'join', `joined ${existing.name} past its ${past}`, { channel: existing.name }, s);
    } else if (existing !== undefined) {
      const invited = existing.invited.has(s.folded);
      if (existing.key !== null && (keys[i] ?? '') !== existing.key) {
        s.numeric(N.ERR_BADCHANNELKEY, existing.name, 'Cannot join channel (+k)');
        return;
      }
      if (existing.limit !== null && !invited && overLimit(existing, s, srv)) {
        s.numeric(N.ERR_CHANNELISFULL, existing.name, 'Cannot join channel (+l)');
        return;
      }
      if (existing.flags.has('i') && !invited && !existing.isInviteExempt(srv.fold(s.source))) {
        s.numeric(N.ERR_INVITEONLYCHAN, existing.name, 'Cannot join channel (+i)');
        return;
      }
      if (!invited && existing.isBanned(srv.fold(s.source))) {
        s.numeric(N.ERR_BANNEDFROMCHAN, existing.name, 'Cannot join channel (+b)');
        return;
      }
      const ban = srv.admin.bannedBy(s, existing);
      if (ban !== null) {
        s.numeric(N.ERR_BANNEDFROMCHAN, existing.name, `Cannot join channel: an admin banned you ${untilText(ban)}${ban.reason === '' ? '' : ` (${ban.reason})`}`);
        return;
      }
    }
    if (existing === undefined) {
      if (refusedOnce) {
        refusedMore++;
        return;
      }
      const why = srv.channelRefusal(s, name);
      if (why !== null) {
        s.numeric(N.ERR_TOOMANYCHANNELS, name, `Cannot create ${name}: ${why}; join an existing room (LIST)`);
        refusedOnce = true;
        return;
      }
    }
    const { ch, created } = srv.getOrCreateChannel(name, s);
    // a logged-in creator founds it (docs/accounts.md)
    if (created && s.account !== null) ch.founder = s.account;
    // a founded channel gives op to its founder and the operators they named, not to
    // whoever comes first; any other channel kept empty (history: it has a topic, modes
    // or bans) gives op to its first joiner
    const first = ch.founder === null && (created || ch.members.size === 0);
    joinChannel(s, ch, srv, first ? Member.op : ch.statusFor(s.account, srv.fold));
    if (created && ch.founder !== null) srv.history?.channelChanged(ch);
    if (created && !srv.isDefaultRoom(ch) && srv.history !== undefined && srv.config.history.replayLines > 0) {
      // what a public room reveals (docs/history.md): say it where it matters
      s.serverMessage(
        'NOTICE',
        s.nick,
        `*** ${ch.name} is public: whoever joins later sees its last ${srv.config.history.replayLines} messages, even after everyone has left. MODE ${ch.name} +i (invite only) or +k KEY keeps it private.`,
      );
    }
  });
  if (refusedMore > 0) s.serverMessage('NOTICE', s.nick, `*** ${refusedMore} more new room${refusedMore === 1 ? '' : 's'} in that JOIN were not created either`);
}

/**
 * +l counts users, not sessions: a second session of an account already in the room
 * joins it (the user is already counted), and siblings in the room count once.
 */
function overLimit(ch: Channel, s: Session, srv: IrcServer): boolean {
  if (ch.members.size < ch.limit!) return false;
  if (srv.presence.siblings(s).some((x) => ch.members.has(x))) return false;
  let users = 0;
  for (const m of ch.members.keys()) if (!srv.presence.isShadow(m)) users++;
  return users >= ch.limit!;
}

/** What of `ch`'s locks `s` got past ('' = none): "key", "limit", "invite-only", "ban". */
function lockedAgainst(ch: Channel, s: Session, key: string, srv: IrcServer): string {
  const past: string[] = [];
  const invited = ch.invited.has(s.folded);
  if (ch.key !== null && key !== ch.key) past.push('key');
  if (ch.limit !== null && !invited && overLimit(ch, s, srv)) past.push('limit');
  if (ch.flags.has('i') && !invited && !ch.isInviteExempt(srv.fold(s.source))) past.push('invite-only');
  if (!invited && ch.isBanned(srv.fold(s.source))) past.push('ban');
  return past.join(', ');
}

function part(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  const reason = msg.params[1] !== undefined ? truncateUtf8(msg.params[1], srv.config.limits.kickLength) : undefined;
  for (const name of commaList(msg.params[0])) {
    const ch = srv.findChannel(name);
    if (ch === undefined) s.numeric(N.ERR_NOSUCHCHANNEL, name, 'No such channel');
    else if (!ch.members.has(s)) s.numeric(N.ERR_NOTONCHANNEL, ch.name, "You're not on that channel");
    else partChannel(s, ch, srv, reason);
  }
}

function topic(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  const ch = srv.findChannel(msg.params[0]!);
  if (ch === undefined) {
    s.numeric(N.ERR_NOSUCHCHANNEL, msg.params[0]!, 'No such channel');
    return;
  }
  const text = msg.params[1];
  if (text === undefined) {
    // a private room's topic is for its members (as other servers do for +s/+p)
    if (ch.hiddenFrom(s)) s.numeric(N.ERR_NOTONCHANNEL, ch.name, "You're not on that channel");
    else sendTopic(s, ch, true);
    return;
  }
  const status = ch.members.get(s);
  if (status === undefined) {
    s.numeric(N.ERR_NOTONCHANNEL, ch.name, "You're not on that channel");
    return;
  }
  if (ch.flags.has('t') && !(status & Member.op)) {
    if (!s.admin) {
      s.numeric(N.ERR_CHANOPRIVSNEEDED, ch.name, "You're not channel operator");
      return;
    }
    srv.admin.audit(s.nick, 'topic', `set the topic of ${ch.name} without being its operator`, { channel: ch.name }, s);
  }
  ch.topic = truncateUtf8(text, srv.config.limits.topicLength);
  ch.topicBy = s.source;
  ch.topicAt = srv.now();
  const out = srv.outgoing(s.source, 'TOPIC', [ch.name, ch.topic]);
  srv.sendToChannel(ch, out);
  srv.history?.record(ch, s.source, 'TOPIC', [ch.name, ch.topic], out);
  srv.history?.channelChanged(ch);
}

function names(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  const list = commaList(msg.params[0]);
  if (list.length === 0) {
    s.numeric(N.RPL_ENDOFNAMES, '*', 'End of /NAMES list.');
    return;
  }
  for (const name of list) {
    const ch = srv.findChannel(name);
    if (ch === undefined || ch.hiddenFrom(s)) s.numeric(N.RPL_ENDOFNAMES, ch?.name ?? name, 'End of /NAMES list.');
    else sendNames(s, ch, srv);
  }
}

function visibleCount(s: Session, ch: Channel, srv: IrcServer): number {
  const member = ch.members.has(s);
  let n = 0;
  for (const m of ch.members.keys()) if ((member || (!m.invisible && !m.lurking)) && !srv.presence.isShadow(m)) n++;
  return n;
}

/** Per-line overhead beyond name, topic and modes: prefix, numeric, nick, tags. */
const LIST_LINE_OVERHEAD = 96;

/**
 * LIST's argument: channel names, masks and ELIST filters (ELIST=CMNTU, modern.ircdocs):
 * `>n` / `<n` more / fewer than n users, `C>m` / `C<m` created more / less than m
 * minutes ago, `T>m` / `T<m` topic set more / less than m minutes ago, `*x*` a mask,
 * `!*x*` not matching. Names and masks select (any of them); filters all apply.
 * At most limits.targetsPerCommand items are read; a malformed filter is 461 (nothing listed).
 */
interface ListQuery {
  names: Set<Channel> | null;
  masks: ((subject: string) => boolean)[];
  tests: ((ch: Channel, users: number) => boolean)[];
}

function parseListQuery(arg: string | undefined, srv: IrcServer): ListQuery | null {
  const q: ListQuery = { names: null, masks: [], tests: [] };
  const now = srv.now();
  for (const item of commaList(arg).slice(0, srv.config.limits.targetsPerCommand)) {
    const f = /^([CT]?)([<>])(\d{1,9})$/.exec(item);
    if (f !== null) {
      const [, kind, op, num] = f;
      const n = Number(num);
      if (kind === '') q.tests.push(op === '>' ? (_c, u) => u > n : (_c, u) => u < n);
      else {
        const at = (ch: Channel): number => (kind === 'C' ? ch.createdAt : ch.topicAt);
        // no topic was ever set: no topic time to compare
        const has = (ch: Channel): boolean => kind === 'C' || ch.topic !== '';
        const ago = (ch: Channel): number => (now - at(ch)) / 60_000;
        q.tests.push(op === '>' ? (ch) => has(ch) && ago(ch) > n : (ch) => has(ch) && ago(ch) < n);
      }
      continue;
    }
    if (/^[CT]?[<>]/.test(item)) return null;
    if (item.startsWith('!')) {
      const m = compileMask(item.slice(1), srv.fold);
      q.tests.push((ch) => !m(ch.folded));
    } else if (item.includes('*') || item.includes('?')) q.masks.push(compileMask(item, srv.fold));
    else {
      const ch = srv.findChannel(item);
      q.names ??= new Set();
      if (ch !== undefined) q.names.add(ch);
    }
  }
  return q;
}

/**
 * LIST [#name|mask|filter,...]: rooms the asker may see (not private rooms they are not
 * in), busiest first. Never more than fits in half the asker's free send queue: past that
 * the list is cut with a NOTICE saying so (a whole listing of long topics used to
 * overflow the queue and disconnect whoever asked).
 */
function list(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  const q = parseListQuery(msg.params[0], srv);
  if (q === null) {
    s.numeric(N.ERR_NEEDMOREPARAMS, 'LIST', 'Invalid LIST filter (ELIST: >n <n C>m C<m T>m T<m mask !mask)');
    return;
  }
  let chans: Channel[];
  if (q.names === null && q.masks.length === 0) chans = [...srv.channels.values()];
  else {
    const picked = new Set<Channel>(q.names ?? []);
    if (q.masks.length > 0) for (const ch of srv.channels.values()) if (q.masks.some((m) => m(ch.folded))) picked.add(ch);
    chans = [...picked];
  }
  const rows: { ch: Channel; n: number }[] = [];
  for (const ch of chans) {
    if (ch.hiddenFrom(s)) continue;
    const n = visibleCount(s, ch, srv);
    if (q.tests.every((t) => t(ch, n))) rows.push({ ch, n });
  }
  rows.sort((a, b) => b.n - a.n || (a.ch.folded < b.ch.folded ? -1 : a.ch.folded > b.ch.folded ? 1 : 0));
  const c = srv.config;
  let budget = (c.limits.sendQBytes - s.conn.queuedBytes) / 2;
  const fixed = LIST_LINE_OVERHEAD + c.serverName.length + s.nick.length;
  s.numeric(N.RPL_LISTSTART, 'Channel', 'Users  Name');
  let shown = 0;
  for (const { ch, n } of rows) {
    const topic = `[${ch.modeString(false)[0]}] ${ch.topic}`;
    budget -= fixed + ch.name.length + Buffer.byteLength(topic);
    if (budget < 0) break;
    s.numeric(N.RPL_LIST, ch.name, String(n), topic);
    shown++;
  }
  if (shown < rows.length) {
    const why = `truncated: ${shown} of ${rows.length} rooms shown, busiest first; narrow it with a mask, e.g. LIST #game*`;
    s.serverMessage('NOTICE', s.nick, `*** LIST ${why}`);
    s.numeric(N.RPL_LISTEND, `End of /LIST (${why})`);
  } else s.numeric(N.RPL_LISTEND, 'End of /LIST');
}

/**
 * KICK chan nick[,nick...] or KICK chan1,chan2 nick1,nick2 (pairs): RFC 2812 3.2.8 allows
 * one channel with several users, or as many channels as users; anything else is 461.
 */
function kick(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  const chans = commaList(msg.params[0]);
  const nicks = commaList(msg.params[1]);
  if (chans.length === 0 || nicks.length === 0 || (chans.length !== 1 && chans.length !== nicks.length)) {
    s.numeric(N.ERR_NEEDMOREPARAMS, 'KICK', 'Not enough parameters');
    return;
  }
  nicks.length = Math.min(nicks.length, srv.config.limits.targetsPerCommand);
  const reason = truncateUtf8(msg.params[2] || s.nick, srv.config.limits.kickLength);
  if (chans.length === 1) kickFrom(s, srv, chans[0]!, nicks, reason);
  else for (let i = 0; i < nicks.length; i++) kickFrom(s, srv, chans[i]!, [nicks[i]!], reason);
}

function kickFrom(s: Session, srv: IrcServer, name: string, targets: string[], reason: string): void {
  const ch = srv.findChannel(name);
  if (ch === undefined) {
    s.numeric(N.ERR_NOSUCHCHANNEL, name, 'No such channel');
    return;
  }
  const status = ch.members.get(s);
  // admins kick anywhere, in the room or not (audited below)
  const override = s.admin && (status === undefined || !(status & Member.op));
  if (status === undefined && !override) {
    s.numeric(N.ERR_NOTONCHANNEL, ch.name, "You're not on that channel");
    return;
  }
  if (status !== undefined && !(status & Member.op) && !override) {
    s.numeric(N.ERR_CHANOPRIVSNEEDED, ch.name, "You're not channel operator");
    return;
  }
  for (const nick of targets) {
    const t = srv.findNick(nick);
    if (t === undefined) {
      s.numeric(N.ERR_NOSUCHNICK, nick, 'No such nick/channel');
      continue;
    }
    if (!ch.members.has(t)) {
      s.numeric(N.ERR_USERNOTINCHANNEL, t.nick, ch.name, "They aren't on that channel");
      continue;
    }
    kickMember(ch, t, s.source, reason, srv);
    if (override) srv.admin.audit(s.nick, 'kick', `kicked ${t.nick} from ${ch.name} (${reason})`, { channel: ch.name, target: t.nick }, s);
  }
}

/** `t` is put out of `ch` by `source` (a user, or the server for the admin console). */
export function kickMember(ch: Channel, t: Session, source: string, reason: string, srv: IrcServer): void {
  const out = srv.outgoing(source, 'KICK', [ch.name, t.nick, reason]);
  srv.sendToChannel(ch, out);
  srv.history?.record(ch, source, 'KICK', [ch.name, t.nick, reason], out);
  // every session of t's account leaves with it (src/accounts/presence.ts)
  srv.presence.removeUser(ch, t);
}

/** INVITE with no parameters lists at most this many channels (then says how many more). */
export const INVITE_LIST_MAX = 100;

/** INVITE alone: 336 per channel `s` is invited to (and not in), then 337. */
function inviteList(s: Session, srv: IrcServer): void {
  let shown = 0;
  let more = 0;
  for (const ch of srv.channels.values()) {
    if (!ch.invited.has(s.folded) || ch.members.has(s)) continue;
    if (shown < INVITE_LIST_MAX) {
      s.numeric(N.RPL_INVITEDLIST, ch.name);
      shown++;
    } else more++;
  }
  if (more > 0) s.serverMessage('NOTICE', s.nick, `*** INVITE: ${more} more invitations not shown`);
  s.numeric(N.RPL_ENDOFINVITEDLIST, 'End of /INVITE list');
}

function invite(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  if (msg.params.length === 0) {
    inviteList(s, srv);
    return;
  }
  if (msg.params.length < 2) {
    s.numeric(N.ERR_NEEDMOREPARAMS, 'INVITE', 'Not enough parameters');
    return;
  }
  const t = srv.findNick(msg.params[0]!);
  if (t === undefined) {
    s.numeric(N.ERR_NOSUCHNICK, msg.params[0]!, 'No such nick/channel');
    return;
  }
  const ch = srv.findChannel(msg.params[1]!);
  if (ch === undefined) {
    s.numeric(N.ERR_NOSUCHCHANNEL, msg.params[1]!, 'No such channel');
    return;
  }
  const status = ch.members.get(s);
  if (status === undefined && !s.admin) {
    s.numeric(N.ERR_NOTONCHANNEL, ch.name, "You're not on that channel");
    return;
  }
  if (ch.flags.has('i') && !((status ?? 0) & Member.op) && !s.admin) {
    s.numeric(N.ERR_CHANOPRIVSNEEDED, ch.name, "You're not channel operator");
    return;
  }
  if (ch.members.has(t)) {
    s.numeric(N.ERR_USERONCHANNEL, t.nick, ch.name, 'is already on channel');
    return;
  }
  ch.invite(t.folded);
  s.numeric(N.RPL_INVITING, t.nick, ch.name);
  if (t.away !== null) s.numeric(N.RPL_AWAY, t.nick, t.away);
  const out = srv.outgoing(s.source, 'INVITE', [t.nick, ch.name]);
  srv.presence.deliver(t, out);
  // invite-notify: other channel operators hear about it
  for (const [m, st] of ch.members) {
    if (m !== s && st & Member.op && m.has(Cap.inviteNotify)) m.send(out.lineFor(m.caps));
  }
}

export const channelCommands: CommandTable = {
  JOIN: { minParams: 1, handler: join },
  PART: { minParams: 1, handler: part },
  TOPIC: { minParams: 1, handler: topic },
  NAMES: { minParams: 0, handler: names },
  LIST: { minParams: 0, handler: list },
  KICK: { minParams: 2, handler: kick },
  INVITE: { minParams: 0, handler: invite },
};
