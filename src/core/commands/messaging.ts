/**
 * PRIVMSG, NOTICE and TAGMSG to channels (with STATUSMSG prefixes) and nicks.
 * NOTICE never triggers an automatic error reply (RFC 2812 3.3.2).
 */
import { nickServ } from './nickserv.js';
import { truncateUtf8, maxTrailingBytes, escapeTagValue, utf8Length, MAX_CLIENT_TAG_BYTES } from '../../protocol/index.js';
import * as N from '../../protocol/numerics.js';
import type { IrcMessage } from '../../protocol/message.js';
import { Cap } from '../caps.js';
import { Member, type Channel } from '../channel.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import type { Outgoing } from '../outgoing.js';
import type { CommandTable, Handler } from './types.js';
import { commaList } from './channel.js';
import { playbackCommand } from './history.js';
import { untilText } from '../../admin/state.js';
import { MultilineOut, fitParts, roomFor, type Part } from '../multiline.js';
import { addTag } from '../session.js';
import { batchLine } from './batch.js';
import { privateKey, rememberSent } from './redact.js';

/** Client-only tags (`+key`) re-serialized for relaying; null if over the size limit. */
export function clientTagsOf(msg: IrcMessage): string | null {
  if (msg.tags === null) return '';
  let out = '';
  for (const [k, v] of msg.tags) {
    if (k.charCodeAt(0) !== 43 /* + */) continue;
    out += (out === '' ? '' : ';') + (v === '' ? k : k + '=' + escapeTagValue(v));
  }
  return utf8Length(out) > MAX_CLIENT_TAG_BYTES ? null : out;
}

/** "NickServ" or "NickServ@<this server>". */
function isNickServTarget(t: string, srv: IrcServer): boolean {
  const at = t.indexOf('@');
  const nick = at === -1 ? t : t.slice(0, at);
  return srv.fold(nick) === 'nickserv' && (at === -1 || t.slice(at + 1).toLowerCase() === srv.config.serverName.toLowerCase());
}

/**
 * True when `s` may not speak in `ch` (+n and not a member, +m and not voiced, banned or
 * muted by an `m:` extban, unless excepted with +e).
 */
export function cannotSend(s: Session, ch: Channel, srv: IrcServer): boolean {
  const st = ch.members.get(s);
  const privileged = st !== undefined && (st & (Member.op | Member.voice)) !== 0;
  if ((st === undefined && ch.flags.has('n')) || (ch.flags.has('m') && !privileged)) return true;
  if (privileged || ch.bans.length === 0) return false;
  const h = srv.fold(s.source);
  return ch.isBanned(h) || ch.isMuted(h);
}

/** A CTCP other than ACTION (what +C refuses): `\x01VERSION\x01`, `\x01PING 1\x01`, ... */
function isBlockedCtcp(text: string): boolean {
  return text.charCodeAt(0) === 1 && !/^\x01ACTION(?: |\x01|$)/.test(text);
}

/**
 * A TAGMSG that only says someone is typing (`+typing`) is of the moment: kept in
 * history it would fill CHATHISTORY pages (event-playback) with stale notices.
 */
export function onlyTyping(clientTags: string): boolean {
  if (clientTags === '') return false;
  for (const t of clientTags.split(';')) {
    const key = t.split('=', 1)[0];
    if (key !== '+typing' && key !== '+draft/typing') return false;
  }
  return true;
}

function makeHandler(command: 'PRIVMSG' | 'NOTICE' | 'TAGMSG'): Handler {
  const quiet = command === 'NOTICE';
  const tagOnly = command === 'TAGMSG';
  return (s: Session, msg: IrcMessage, srv: IrcServer): void => {
    const targets = commaList(msg.params[0]);
    if (targets.length === 0) {
      if (!quiet) s.numeric(N.ERR_NORECIPIENT, `No recipient given (${command})`);
      return;
    }
    // a line of an open draft/multiline batch: collected, delivered at BATCH -id
    if (!tagOnly && msg.tags?.has('batch') === true) {
      batchLine(s, msg, srv, command as 'PRIVMSG' | 'NOTICE');
      return;
    }
    const rawText = msg.params[1];
    if (!tagOnly && (rawText === undefined || rawText === '')) {
      if (!quiet) s.numeric(N.ERR_NOTEXTTOSEND, 'No text to send');
      return;
    }
    // ZNC's playback module, answered from history (commands/history.ts)
    if (command === 'PRIVMSG' && targets.length === 1 && srv.history !== undefined && targets[0]!.toLowerCase() === '*playback') {
      playbackCommand(s, rawText!, srv);
      return;
    }
    // NickServ: answered here, never relayed (it carries passwords)
    if (targets.length === 1 && isNickServTarget(targets[0]!, srv)) {
      if (command !== 'PRIVMSG') return;
      // echo-message clients show their own line only when it comes back
      if (s.has(Cap.echoMessage)) s.send(srv.outgoing(s.source, 'PRIVMSG', [targets[0]!, rawText!]).lineFor(s.caps));
      nickServ(s, rawText!, srv);
      return;
    }
    const clientTags = clientTagsOf(msg);
    if (clientTags === null) {
      s.numeric(N.ERR_INPUTTOOLONG, 'Input line was too long');
      return;
    }
    if (tagOnly && clientTags === '') return;
    relay(s, srv, command, targets, rawText, clientTags, null);
  };
}

/**
 * Delivers a PRIVMSG / NOTICE / TAGMSG (or, with `multi`, a draft/multiline message:
 * its lines) to `targets`: channels with their checks, nicks, offline accounts.
 */
export function relay(
  s: Session,
  srv: IrcServer,
  command: 'PRIVMSG' | 'NOTICE' | 'TAGMSG',
  targets: string[],
  rawText: string | undefined,
  clientTags: string,
  multi: MultilineSend | null,
): void {
  const quiet = command === 'NOTICE';
  const tagOnly = command === 'TAGMSG';
  const max = srv.config.limits.targetsPerCommand;
  if (targets.length > max) {
    if (!quiet) s.numeric(N.ERR_TOOMANYTARGETS, targets[max]!, `Too many targets. Maximum is ${max}`);
    targets.length = max;
  }
  if (!tagOnly) s.lastSpoke = srv.now();
  for (const target of targets) {
    let name = target;
    let needStatus = 0;
    const c0 = name.charCodeAt(0);
    if (c0 === 64 /* @ */ || c0 === 43 /* + */) {
      needStatus = c0 === 64 ? Member.op : Member.op | Member.voice;
      name = name.slice(1);
    }
    const params = [target, ''];
    const isChannel = name.startsWith('#') || name.startsWith('&');
    if (isChannel) {
      const ch = srv.findChannel(name);
      if (ch === undefined) {
        if (!quiet) s.numeric(N.ERR_NOSUCHCHANNEL, name, 'No such channel');
        continue;
      }
      if (cannotSend(s, ch, srv)) {
        if (!quiet) s.numeric(N.ERR_CANNOTSENDTOCHAN, ch.name, 'Cannot send to channel');
        continue;
      }
      // +C: no CTCP but ACTION; a PRIVMSG is told (404), a NOTICE (CTCP replies) just dropped
      if (!tagOnly && ch.flags.has('C') && isBlockedCtcp(rawText!)) {
        if (!quiet) s.numeric(N.ERR_CANNOTSENDTOCHAN, ch.name, 'Cannot send CTCP to channel (+C)');
        continue;
      }
      const mute = srv.admin.mutedIn(s, ch);
      if (mute !== null) {
        // told every time, NOTICE or not: a muted user must know why nobody answers
        s.numeric(N.ERR_CANNOTSENDTOCHAN, ch.name, `Cannot send to channel: you are muted ${untilText(mute)}${mute.reason === '' ? '' : ` (${mute.reason})`}`);
        continue;
      }
      params[0] = needStatus ? target[0] + ch.name : ch.name;
      const out = buildOut(s, srv, command, params, rawText, clientTags, multi);
      if (out instanceof MultilineOut) {
        for (const [m, mst] of ch.members) if (m !== s && (needStatus === 0 || (mst & needStatus) !== 0)) out.sendTo(m);
      } else if (needStatus === 0 && !tagOnly) {
        // the common case, once per member: no status or cap filter, and the line is
        // looked up again only when a member's capabilities differ from the previous one's
        let caps = -1;
        let line = '';
        for (const m of ch.members.keys()) {
          if (m === s) continue;
          if (m.caps !== caps) {
            caps = m.caps;
            line = out.lineFor(caps);
          }
          m.send(line);
        }
      } else {
        for (const [m, mst] of ch.members) {
          if (m === s) continue;
          if (needStatus !== 0 && (mst & needStatus) === 0) continue;
          if (tagOnly && (m.caps & Cap.messageTags) === 0) continue;
          m.send(out.lineFor(m.caps));
        }
      }
      if (s.has(Cap.echoMessage)) echoTo(s, out, multi);
      // STATUSMSG (@#chan) lines are for some members only: never kept
      if (needStatus === 0) {
        if (!(tagOnly && onlyTyping(clientTags))) srv.history?.record(ch, s.source, command, tagOnly ? [params[0]!] : params, out);
        rememberSent(srv, s, out.msgid, ch.folded, '', null);
      }
      continue;
    }
    // an account online under another nick is reached by its account name too
    const t = srv.findNick(name) ?? srv.presence.onlineAs(name);
    if (t === undefined) {
      // a registered account with nobody online: the message waits (accounts/offline.ts)
      const rec = tagOnly ? undefined : srv.mailbox.recipient(name);
      if (rec !== undefined) {
        params[0] = rec.name;
        const out = buildOut(s, srv, command, params, rawText, clientTags, multi);
        if (!srv.mailbox.keep(s, rec, command as 'PRIVMSG' | 'NOTICE', params, out, quiet)) continue;
        if (s.has(Cap.echoMessage)) echoTo(s, out, multi);
        srv.presence.echo(s, null, out);
        if (s.account !== null) srv.mailbox.recordPrivate(s.account, rec.name, s.source, command as 'PRIVMSG' | 'NOTICE', params, out);
        continue;
      }
      if (!quiet) s.numeric(N.ERR_NOSUCHNICK, name, 'No such nick/channel');
      continue;
    }
    // muted server-wide: private messages to admins only (to ask why)
    const mute = t.admin ? null : srv.admin.mutedIn(s, null);
    if (mute !== null) {
      s.numeric(N.ERR_CANNOTSENDTOCHAN, t.nick, `Cannot send: you are muted ${untilText(mute)}${mute.reason === '' ? '' : ` (${mute.reason})`}`);
      continue;
    }
    params[0] = t.nick;
    const out = buildOut(s, srv, command, params, rawText, clientTags, multi);
    // to every session of t's account; then the echo (to yourself: after the delivery,
    // as for anyone else: irctest, ergo), and to the sender's other sessions
    srv.presence.deliver(t, out, tagOnly);
    if (s.has(Cap.echoMessage)) echoTo(s, out, multi);
    srv.presence.echo(s, t, out, tagOnly);
    // between two accounts: their private history (readable by those two only)
    if (!tagOnly && s.account !== null && t.account !== null) {
      srv.mailbox.recordPrivate(s.account, t.account, s.source, command as 'PRIVMSG' | 'NOTICE', params, out);
    }
    rememberSent(srv, s, out.msgid, '', t.folded, tagOnly ? null : privateKey(srv, s, t));
    if (command === 'PRIVMSG' && t.away !== null) s.numeric(N.RPL_AWAY, t.nick, t.away);
  }
}

function buildOut(
  s: Session,
  srv: IrcServer,
  command: string,
  params: string[],
  rawText: string | undefined,
  tags: string,
  multi: MultilineSend | null,
): Outgoing {
  // bot mode (+B): the `bot` tag, seen by clients with message-tags as client tags are
  const clientTags = s.bot ? (tags === '' ? 'bot' : 'bot;' + tags) : tags;
  if (multi !== null) {
    // each line must fit once our address is added: a longer one goes on as concat pieces
    const parts = fitParts(multi.parts, roomFor(s.source, command, params[0]!));
    const out = new MultilineOut(s.source, command as 'PRIVMSG' | 'NOTICE', params[0]!, parts, srv.nextMsgid(), srv.now(), clientTags, srv.nextBatchId());
    params[1] = out.text;
    return fromSender(s, out);
  }
  if (command === 'TAGMSG') return fromSender(s, srv.outgoing(s.source, command, [params[0]!], clientTags));
  // our prefix is longer than the sender's, so the relayed line may need trimming
  const room = maxTrailingBytes(s.source, command, [params[0]!]);
  params[1] = truncateUtf8(rawText!, room);
  if (params[1].length < rawText!.length) {
    // not silently: the sender learns where it was cut and gets the lost end back
    // (at most the prefix's length, so the NOTICE fits in a line)
    const tail = rawText!.slice(params[1].length);
    const text = `*** Your message to ${params[0]} was too long for IRC once your address is added: it was cut after ${utf8Length(params[1])} bytes. Not delivered: ${tail}`;
    s.serverMessage('NOTICE', s.nick, truncateUtf8(text, maxTrailingBytes(srv.config.serverName, 'NOTICE', [s.nick])));
  }
  return fromSender(s, srv.outgoing(s.source, command, params, clientTags));
}

/** A multiline batch being delivered: its lines, and the opening BATCH's label. */
export interface MultilineSend {
  parts: readonly Part[];
  label: string | null;
}

/** echo-message: the sender's own copy (a multiline echo's opening line carries its label). */
function echoTo(s: Session, out: Outgoing, multi: MultilineSend | null): void {
  if (!(out instanceof MultilineOut)) {
    s.send(out.lineFor(s.caps));
    return;
  }
  const lines = out.linesFor(s.caps);
  const label = multi?.label ?? null;
  for (let i = 0; i < lines.length; i++) s.send(i === 0 && label !== null ? addTag(lines[i]!, 'label=' + escapeTagValue(label)) : lines[i]!);
  if (multi !== null) multi.label = null;
}

/** The sender's account on a message it sends (account-tag). */
function fromSender(s: Session, out: Outgoing): Outgoing {
  out.account = s.account;
  return out;
}

/** WALLOPS :text (IRC operators): to every user with +w, the sender included if +w. */
function wallops(s: Session, msg: IrcMessage, srv: IrcServer): void {
  const text = truncateUtf8(msg.params[0]!, maxTrailingBytes(s.source, 'WALLOPS', []));
  if (text === '') {
    s.numeric(N.ERR_NEEDMOREPARAMS, 'WALLOPS', 'Not enough parameters');
    return;
  }
  const out = srv.outgoing(s.source, 'WALLOPS', [text]);
  for (const m of srv.sessions) if (m.registered && m.wallops) m.send(out.lineFor(m.caps));
}

export const messagingCommands: CommandTable = {
  WALLOPS: { minParams: 1, operOnly: true, handler: wallops },
  PRIVMSG: { minParams: 0, handler: makeHandler('PRIVMSG') },
  NOTICE: { minParams: 0, silentOnMissing: true, handler: makeHandler('NOTICE') },
  TAGMSG: { minParams: 1, handler: makeHandler('TAGMSG') },
};
