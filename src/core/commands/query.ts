/**
 * Who is who, and the single-server informational commands: WHO, WHOIS, WHOWAS, MOTD,
 * LUSERS, VERSION, TIME, ADMIN, INFO, HELP. Users with +i are visible only to people
 * who share a channel with them.
 */
import { whoisService } from './nickserv.js';
import { matchMask } from '../../protocol/index.js';
import * as N from '../../protocol/numerics.js';
import { Cap } from '../caps.js';
import { prefixFor } from '../channel.js';
import type { Channel } from '../channel.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import type { CommandTable } from './types.js';
import { VERSION } from '../version.js';
import { sendIsupport, sendLusers, sendMotd } from './welcome.js';
import { HELP_TOPICS } from './help.js';

function sharesChannel(a: Session, b: Session): boolean {
  for (const ch of a.channels) if (ch.members.has(b)) return true;
  return false;
}

function visibleTo(viewer: Session, t: Session): boolean {
  return !t.invisible || viewer === t || viewer.oper !== null || sharesChannel(viewer, t);
}

/** WHOX (`WHO <mask> %<fields>[,<token>]`): which fields, in 354's fixed order, and the token. */
interface Whox {
  fields: string;
  token: string;
}

const WHOX_ORDER = 'tcuihsnfdlaor';

function parseWhox(opt: string | undefined): { operOnly: boolean; whox: Whox | null } {
  if (opt === undefined) return { operOnly: false, whox: null };
  const pct = opt.indexOf('%');
  const flags = pct === -1 ? opt : opt.slice(0, pct);
  if (pct === -1) return { operOnly: flags === 'o', whox: null };
  const [f = '', token = ''] = opt.slice(pct + 1).split(',', 2);
  let fields = '';
  for (const c of WHOX_ORDER) if (f.includes(c)) fields += c;
  // the token is echoed only when it is 1 to 3 digits (the WHOX convention)
  return { operOnly: flags.includes('o'), whox: { fields, token: /^\d{1,3}$/.test(token) ? token : '0' } };
}

function whoReply(s: Session, t: Session, ch: Channel | undefined, srv: IrcServer, whox: Whox | null = null): void {
  let flags = t.away !== null ? 'G' : 'H';
  if (t.oper !== null) flags += '*';
  if (t.bot) flags += 'B'; // bot mode: the ISUPPORT BOT letter among the WHO flags
  // the channel shown is one the asker may know about (never a private room they are not in)
  let shown = ch;
  if (shown === undefined) {
    for (const c of t.channels) {
      if (c.hiddenFrom(s)) continue;
      shown = c;
      break;
    }
  }
  if (shown !== undefined) flags += prefixFor(shown.members.get(t) ?? 0, s.has(Cap.multiPrefix));
  if (whox !== null) {
    const out: string[] = [];
    for (const f of whox.fields) {
      if (f === 't') out.push(whox.token);
      else if (f === 'c') out.push(shown?.name ?? '*');
      else if (f === 'u') out.push(t.user);
      else if (f === 'i') out.push(s === t || s.oper !== null ? t.ip : '255.255.255.255');
      else if (f === 'h') out.push(t.host);
      else if (f === 's') out.push(srv.config.serverName);
      else if (f === 'n') out.push(t.nick);
      else if (f === 'f') out.push(flags);
      else if (f === 'd') out.push('0');
      else if (f === 'l') out.push(String(Math.floor((srv.now() - t.lastSpoke) / 1000)));
      else if (f === 'a') out.push(t.account ?? '0');
      else if (f === 'o') out.push('n/a');
      else if (f === 'r') out.push(t.realname || t.nick);
    }
    // numeric() sends the last field as the trailing parameter (the realname may hold spaces)
    s.numeric(N.RPL_WHOSPCRPL, ...out);
    return;
  }
  s.numeric(
    N.RPL_WHOREPLY,
    shown?.name ?? '*',
    t.user,
    t.host,
    srv.config.serverName,
    t.nick,
    flags,
    '0 ' + (t.realname || t.nick),
  );
}

function who(s: Session, mask: string | undefined, opt: string | undefined, srv: IrcServer): void {
  const { operOnly, whox } = parseWhox(opt);
  const m = mask === undefined || mask === '' || mask === '0' ? '*' : mask;
  const include = (t: Session): boolean => !operOnly || t.oper !== null;
  if (m.startsWith('#') || m.startsWith('&')) {
    const ch = srv.findChannel(m);
    if (ch !== undefined && !ch.hiddenFrom(s)) {
      const member = ch.members.has(s);
      for (const t of ch.members.keys()) {
        if ((member || !t.invisible) && (!t.lurking || t === s) && include(t) && !srv.presence.isShadow(t)) whoReply(s, t, ch, srv, whox);
      }
    }
  } else {
    const exact = srv.findNick(m);
    if (exact !== undefined) {
      if (include(exact)) whoReply(s, exact, undefined, srv, whox);
    } else {
      const fm = srv.fold(m);
      for (const t of srv.cluster === null ? srv.sessions : srv.cluster.everyone()) {
        if (!t.registered || !visibleTo(s, t) || !include(t) || srv.presence.isShadow(t)) continue;
        if (
          matchMask(fm, t.folded) ||
          matchMask(fm, srv.fold(t.host)) ||
          matchMask(fm, srv.fold(t.realname)) ||
          matchMask(fm, srv.fold(t.user))
        ) {
          whoReply(s, t, undefined, srv, whox);
        }
      }
    }
  }
  s.numeric(N.RPL_ENDOFWHO, m, 'End of /WHO list.');
}

function whois(s: Session, nick: string, srv: IrcServer): void {
  const t = srv.findNick(nick);
  if (t === undefined && whoisService(s, nick, srv)) return;
  if (t === undefined) {
    s.numeric(N.ERR_NOSUCHNICK, nick, 'No such nick/channel');
    s.numeric(N.RPL_ENDOFWHOIS, nick, 'End of /WHOIS list.');
    return;
  }
  const c = srv.config;
  s.numeric(N.RPL_WHOISUSER, t.nick, t.user, t.host, '*', t.realname || t.nick);
  const chans: string[] = [];
  const multi = s.has(Cap.multiPrefix);
  for (const ch of t.channels) if (!ch.hiddenFrom(s)) chans.push(prefixFor(ch.members.get(t) ?? 0, multi) + ch.name);
  if (chans.length > 0 && (!t.invisible || visibleTo(s, t))) s.numeric(N.RPL_WHOISCHANNELS, t.nick, chans.join(' '));
  s.numeric(N.RPL_WHOISSERVER, t.nick, c.serverName, c.description);
  if (t.away !== null) s.numeric(N.RPL_AWAY, t.nick, t.away);
  if (t.oper !== null) s.numeric(N.RPL_WHOISOPERATOR, t.nick, 'is an IRC operator');
  if (t.bot) s.numeric(N.RPL_WHOISBOT, t.nick, `is a bot on ${c.networkName}`);
  if (t.account !== null) s.numeric(N.RPL_WHOISACCOUNT, t.nick, t.account, 'is logged in as');
  if (t.conn.secure) s.numeric(N.RPL_WHOISSECURE, t.nick, 'is using a secure connection');
  if (s === t || s.oper !== null) s.numeric(N.RPL_WHOISHOST, t.nick, `is connecting from ${t.user}@${t.host} ${t.ip}`);
  const now = srv.now();
  s.numeric(
    N.RPL_WHOISIDLE,
    t.nick,
    String(Math.floor((now - t.lastSpoke) / 1000)),
    String(Math.floor(t.signonAt / 1000)),
    'seconds idle, signon time',
  );
  s.numeric(N.RPL_ENDOFWHOIS, t.nick, 'End of /WHOIS list.');
}

export const queryCommands: CommandTable = {
  WHO: { minParams: 0, handler: (s, msg, srv) => who(s, msg.params[0], msg.params[1], srv) },
  WHOIS: {
    minParams: 1,
    handler: (s, msg, srv) => {
      // WHOIS [server] nick: the nick is the last parameter; only the first of a list
      const nick = (msg.params.length >= 2 ? msg.params[1]! : msg.params[0]!).split(',')[0]!;
      if (nick === '') s.numeric(N.ERR_NONICKNAMEGIVEN, 'No nickname given');
      else whois(s, nick, srv);
    },
  },
  WHOWAS: {
    minParams: 1,
    handler: (s, msg, srv) => {
      const nick = msg.params[0]!.split(',')[0]!;
      const count = Number.parseInt(msg.params[1] ?? '0', 10);
      let entries = srv.whowas.get(srv.fold(nick));
      if (count > 0) entries = entries.slice(0, count);
      if (entries.length === 0) s.numeric(N.ERR_WASNOSUCHNICK, nick, 'There was no such nickname');
      for (const e of entries) {
        s.numeric(N.RPL_WHOWASUSER, e.nick, e.user, e.host, '*', e.realname || e.nick);
        s.numeric(N.RPL_WHOISSERVER, e.nick, srv.config.serverName, new Date(e.at).toUTCString());
      }
      s.numeric(N.RPL_ENDOFWHOWAS, nick, 'End of WHOWAS');
    },
  },
  MOTD: { minParams: 0, handler: (s, _m, srv) => sendMotd(s, srv) },
  LUSERS: { minParams: 0, handler: (s, _m, srv) => sendLusers(s, srv) },
  VERSION: {
    minParams: 0,
    handler: (s, _m, srv) => {
      s.numeric(N.RPL_VERSION, `tincan-${VERSION}.`, srv.config.serverName, 'tincan chat server (Node.js)');
      sendIsupport(s, srv);
    },
  },
  TIME: {
    minParams: 0,
    handler: (s, _m, srv) => {
      const now = new Date(srv.now());
      s.numeric(N.RPL_TIME, srv.config.serverName, String(Math.floor(now.getTime() / 1000)), '0', now.toString());
    },
  },
  ADMIN: {
    minParams: 0,
    handler: (s, _m, srv) => {
      const a = srv.config.admin;
      s.numeric(N.RPL_ADMINME, srv.config.serverName, 'Administrative info');
      s.numeric(N.RPL_ADMINLOC1, a.name);
      s.numeric(N.RPL_ADMINLOC2, a.location);
      s.numeric(N.RPL_ADMINEMAIL, a.email);
    },
  },
  INFO: {
    minParams: 0,
    handler: (s, _m, srv) => {
      const lines = [
        `tincan ${VERSION}: one server for IRC clients, plain sockets and the browser.`,
        `Running on Node.js ${process.version} since ${srv.startedAt.toUTCString()}.`,
        'Source and documentation: see the README that came with it.',
      ];
      for (const l of lines) s.numeric(N.RPL_INFO, l);
      s.numeric(N.RPL_ENDOFINFO, 'End of /INFO list.');
    },
  },
  LINKS: {
    minParams: 0,
    handler: (s, _m, srv) => {
      // one server, no links: just this one (hop count 0)
      const c = srv.config;
      s.numeric(N.RPL_LINKS, '*', c.serverName, `0 ${c.description}`);
      s.numeric(N.RPL_ENDOFLINKS, '*', 'End of /LINKS list');
    },
  },
  HELP: { minParams: 0, handler: help },
  /** the name UnrealIRCd and others give HELP */
  HELPOP: { minParams: 0, handler: help },
};

/** HELP / HELPOP [topic]: 704, 705..., 706 (or 524 for an unknown topic). */
function help(s: Session, msg: { params: string[] }): void {
  const topic = (msg.params[0] ?? '').toUpperCase();
  const key = topic === '' ? 'INDEX' : topic;
  const text = HELP_TOPICS[key];
  if (text === undefined) {
    s.numeric(N.ERR_HELPNOTFOUND, topic, 'No help available on this topic');
    return;
  }
  const lines = text.split('\n');
  s.numeric(N.RPL_HELPSTART, key, lines[0]!);
  for (const l of lines.slice(1)) s.numeric(N.RPL_HELPTXT, key, l === '' ? ' ' : l);
  s.numeric(N.RPL_ENDOFHELP, key, 'End of /HELP');
}
