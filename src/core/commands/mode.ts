/**
 * MODE for channels (+C +i +m +n +p +s +t +k +l +b +e +I +o +v) and users (+B bot, +i, -o, +w wallops).
 * Changes are applied in order and announced as one MODE line with what took effect.
 */
import { normalizeMask } from '../../protocol/index.js';
import * as N from '../../protocol/numerics.js';
import { Member } from '../channel.js';
import type { Channel, ListMode } from '../channel.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import type { CommandTable } from './types.js';

const FLAG_MODES = 'Cimnpst';

/**
 * Who changes a channel's modes: a session, or the admin console and `tincan admin`
 * (src/admin/actions.ts), which have no session and act as the server.
 */
export interface ModeActor {
  readonly source: string;
  readonly nick: string;
  readonly admin: boolean;
  /** the actor's account (null: not logged in, the console, the admin socket) */
  readonly account: string | null;
  numeric(code: string, ...params: string[]): void;
}

/** The modes of the default room that only an admin may change (it cannot be locked or taken). */
const HOST_ONLY_IN_DEFAULT_ROOM = 'iklbpseI';

/** The list modes' replies: entry, end, and the end's text. */
const LIST_REPLIES: Record<ListMode, [string, string, string]> = {
  b: [N.RPL_BANLIST, N.RPL_ENDOFBANLIST, 'End of channel ban list'],
  e: [N.RPL_EXCEPTLIST, N.RPL_ENDOFEXCEPTLIST, 'End of channel exception list'],
  I: [N.RPL_INVITELIST, N.RPL_ENDOFINVITELIST, 'End of channel invite list'],
};

function sendList(s: ModeActor, ch: Channel, mode: ListMode): void {
  const [entry, end, text] = LIST_REPLIES[mode];
  // a private room's lists are its members' business
  if (s.admin || !ch.hiddenFrom(s as Session)) {
    for (const b of ch.list(mode)) s.numeric(entry, ch.name, b.mask, b.setBy, String(Math.floor(b.setAt / 1000)));
  }
  s.numeric(end, ch.name, text);
}

/** A valid `m:` extban's mask, or a plain mask: non-empty, no spaces, no leading colon. */
function validListMask(mode: ListMode, mask: string): boolean {
  const body = mode === 'b' && mask.startsWith('m:') ? mask.slice(2) : mask;
  return body !== '' && !mask.startsWith(':') && !mask.includes(' ');
}

function validKey(k: string): boolean {
  return k !== '' && k.length <= 23 && !/[\s,:]/.test(k);
}

/**
 * MODE #chan ... Admins change any room's modes (an override, audited: SAMODE does the
 * same). In the default room, +i +k +l and bans are for admins only.
 */
export function channelMode(s: ModeActor, ch: Channel, params: string[], srv: IrcServer): void {
  // a console actor is never a member: the lookups below just find nothing
  const member = s as Session;
  if (params.length === 0) {
    s.numeric(N.RPL_CHANNELMODEIS, ch.name, ...ch.modeString(s.admin || ch.members.has(member)));
    s.numeric(N.RPL_CREATIONTIME, ch.name, String(Math.floor(ch.createdAt / 1000)));
    return;
  }
  const modestr = params[0]!;
  let argi = 1;
  const status = ch.members.get(member);
  const chanOp = status !== undefined && (status & Member.op) !== 0;
  const isOp = chanOp || s.admin;
  const hostOnly = srv.isDefaultRoom(ch) && !s.admin ? HOST_ONLY_IN_DEFAULT_ROOM : '';
  let hostOnlySent = false;
  const refusedHere = (c: string): boolean => {
    if (!hostOnly.includes(c) || !isOp) return false;
    if (!hostOnlySent) s.numeric(N.ERR_CHANOPRIVSNEEDED, ch.name, `Only an admin can change +${c} in ${ch.name}: it is the server's default room`);
    hostOnlySent = true;
    return true;
  };
  let adding = true;
  let applied = '';
  let appliedSign = '';
  const appliedArgs: string[] = [];
  let paramModes = 0;
  /** the founder changed its list of operators (Channel.opAccounts): persist */
  let foundersList = false;
  let deniedSent = false;
  const limits = srv.config.limits;
  const record = (sign: string, c: string, arg?: string): void => {
    if (sign !== appliedSign) {
      applied += sign;
      appliedSign = sign;
    }
    applied += c;
    if (arg !== undefined) appliedArgs.push(arg);
  };
  const denied = (): boolean => {
    if (isOp) return false;
    if (!deniedSent) s.numeric(N.ERR_CHANOPRIVSNEEDED, ch.name, "You're not channel operator");
    deniedSent = true;
    return true;
  };

  for (const c of modestr) {
    if (c === '+' || c === '-') {
      adding = c === '+';
      continue;
    }
    const sign = adding ? '+' : '-';
    if (FLAG_MODES.includes(c)) {
      if (denied() || refusedHere(c)) continue;
      if (adding === ch.flags.has(c)) continue;
      if (adding) ch.flags.add(c);
      else ch.flags.delete(c);
      record(sign, c);
      continue;
    }
    switch (c) {
      case 'b':
      case 'e':
      case 'I': {
        const arg = params[argi++];
        if (arg === undefined) {
          sendList(s, ch, c);
          continue;
        }
        if (denied() || refusedHere(c) || ++paramModes > limits.modesPerCommand) continue;
        // the mute extban keeps its prefix; the mask after it is normalized like any other
        const mute = c === 'b' && arg.startsWith('m:');
        const mask = mute ? 'm:' + normalizeMask(arg.slice(2)) : normalizeMask(arg);
        // `m:` alone is no mask (normalizing would make it m:*!*@*, muting everyone)
        if ((mute && arg.length === 2) || !validListMask(c, mask)) {
          s.numeric(N.ERR_INVALIDMODEPARAM, ch.name, c, arg.length > 64 ? '*' : arg, c === 'b' ? 'Invalid ban mask' : 'Invalid mask');
          continue;
        }
        if (adding) {
          // each list is bounded on its own (MAXLIST=b:n,e:n,I:n)
          if (ch.list(c).length >= limits.banListSize) {
            s.numeric(N.ERR_BANLISTFULL, ch.name, mask, c === 'b' ? 'Channel ban list is full' : `Channel +${c} list is full`);
            continue;
          }
          if (ch.addMask(c, mask, s.source, srv.now(), srv.fold)) record(sign, c, mask);
        } else if (ch.removeMask(c, mask, srv.fold)) record(sign, c, mask);
        continue;
      }
      case 'k': {
        const arg = params[argi++];
        if (adding && arg === undefined) {
          s.numeric(N.ERR_NEEDMOREPARAMS, 'MODE', 'Not enough parameters');
          continue;
        }
        if (denied() || refusedHere(c) || ++paramModes > limits.modesPerCommand) continue;
        if (adding) {
          if (!validKey(arg!)) {
            // never echoed: it may be hundreds of bytes (or someone's password typo)
            s.numeric(N.ERR_INVALIDMODEPARAM, ch.name, 'k', '*', 'Invalid key');
            continue;
          }
          ch.key = arg!;
          record(sign, c, arg!);
        } else if (ch.key !== null) {
          ch.key = null;
          record(sign, c, '*');
        }
        continue;
      }
      case 'l': {
        if (!adding) {
          if (denied() || refusedHere(c)) continue;
          if (ch.limit !== null) {
            ch.limit = null;
            record(sign, c);
          }
          continue;
        }
        const arg = params[argi++];
        if (arg === undefined) {
          s.numeric(N.ERR_NEEDMOREPARAMS, 'MODE', 'Not enough parameters');
          continue;
        }
        if (denied() || refusedHere(c) || ++paramModes > limits.modesPerCommand) continue;
        const n = Number(arg);
        if (!Number.isInteger(n) || n <= 0 || n > 1_000_000) {
          s.numeric(N.ERR_INVALIDMODEPARAM, ch.name, 'l', arg, 'Invalid limit');
          continue;
        }
        ch.limit = n;
        record(sign, c, String(n));
        continue;
      }
      case 'o':
      case 'v': {
        const arg = params[argi++];
        if (arg === undefined) {
          s.numeric(N.ERR_NEEDMOREPARAMS, 'MODE', 'Not enough parameters');
          continue;
        }
        if (denied() || ++paramModes > limits.modesPerCommand) continue;
        const t = srv.findNick(arg);
        if (t === undefined) {
          s.numeric(N.ERR_NOSUCHNICK, arg, 'No such nick/channel');
          continue;
        }
        const st = ch.members.get(t);
        if (st === undefined) {
          s.numeric(N.ERR_USERNOTINCHANNEL, t.nick, ch.name, "They aren't on that channel");
          continue;
        }
        const bit = c === 'o' ? Member.op : Member.voice;
        const next = adding ? st | bit : st & ~bit;
        if (next === st) continue;
        ch.members.set(t, next);
        srv.presence.statusChanged(ch, t, next);
        record(sign, c, t.nick);
        // the founder naming (or un-naming) an operator: remembered for their account
        if (c === 'o' && t.account !== null && ch.founder !== null && s.account !== null && srv.fold(ch.founder) === srv.fold(s.account)) {
          const a = srv.fold(t.account);
          if (a !== srv.fold(ch.founder) && (adding ? !ch.opAccounts.has(a) : ch.opAccounts.has(a))) {
            if (adding) ch.opAccounts.add(a);
            else ch.opAccounts.delete(a);
            foundersList = true;
          }
        }
        continue;
      }
      default:
        s.numeric(N.ERR_UNKNOWNMODE, c, 'is unknown mode char to me');
    }
  }
  if (applied !== '') {
    const params = [ch.name, applied, ...appliedArgs];
    const out = srv.outgoing(s.source, 'MODE', params);
    srv.sendToChannel(ch, out);
    // an admin changing a room from outside sees what took effect too
    if (status === undefined && typeof member.send === 'function') member.send(out.lineFor(member.caps));
    srv.history?.record(ch, s.source, 'MODE', params, out);
    if (/[^ov+-]/.test(applied) || foundersList) srv.history?.channelChanged(ch);
    if (!chanOp) srv.admin.audit(s.nick, 'mode', `set mode ${applied}${appliedArgs.length > 0 ? ' ' + appliedArgs.join(' ') : ''} on ${ch.name}`, { channel: ch.name, modes: applied }, member);
  }
}

function userMode(s: Session, target: string, params: string[], srv: IrcServer): void {
  if (srv.fold(target) !== s.folded) {
    s.numeric(N.ERR_USERSDONTMATCH, "Can't change mode for other users");
    return;
  }
  if (params.length === 0) {
    s.numeric(N.RPL_UMODEIS, currentUserModes(s));
    return;
  }
  let adding = true;
  let applied = '';
  let appliedSign = '';
  let unknown = false;
  for (const c of params[0]!) {
    if (c === '+' || c === '-') {
      adding = c === '+';
      continue;
    }
    let changed = false;
    if (c === 'i') {
      changed = s.invisible !== adding;
      s.invisible = adding;
    } else if (c === 'o') {
      // operator status is only granted by OPER
      if (!adding && s.oper !== null) {
        s.oper = null;
        changed = true;
      }
    } else if (c === 'w') {
      changed = s.wallops !== adding;
      s.wallops = adding;
    } else if (c === 'B') {
      changed = s.bot !== adding;
      s.bot = adding;
    } else {
      unknown = true;
      continue;
    }
    if (changed) {
      const sign = adding ? '+' : '-';
      if (sign !== appliedSign) applied += sign;
      appliedSign = sign;
      applied += c;
    }
  }
  if (unknown) s.numeric(N.ERR_UMODEUNKNOWNFLAG, 'Unknown MODE flag');
  if (applied !== '') s.send(`:${s.source} MODE ${s.nick} :${applied}`);
}

export function currentUserModes(s: Session): string {
  return '+' + (s.bot ? 'B' : '') + (s.invisible ? 'i' : '') + (s.oper !== null ? 'o' : '') + (s.wallops ? 'w' : '');
}

export const modeCommands: CommandTable = {
  /** MODE for admins, by the name other servers use (UnrealIRCd, InspIRCd): channels only */
  SAMODE: {
    minParams: 2,
    operOnly: true,
    handler: (s, msg, srv) => {
      const ch = srv.findChannel(msg.params[0]!);
      if (ch === undefined) s.numeric(N.ERR_NOSUCHCHANNEL, msg.params[0]!, 'No such channel');
      else channelMode(s, ch, msg.params.slice(1), srv);
    },
  },
  MODE: {
    minParams: 1,
    handler: (s, msg, srv) => {
      const target = msg.params[0]!;
      const rest = msg.params.slice(1);
      if (target.startsWith('#') || target.startsWith('&')) {
        const ch = srv.findChannel(target);
        if (ch === undefined) s.numeric(N.ERR_NOSUCHCHANNEL, target, 'No such channel');
        else channelMode(s, ch, rest, srv);
        return;
      }
      if (srv.nicks.get(srv.fold(target)) === undefined) {
        s.numeric(N.ERR_NOSUCHNICK, target, 'No such nick/channel');
        return;
      }
      userMode(s, target, rest, srv);
    },
  },
};
