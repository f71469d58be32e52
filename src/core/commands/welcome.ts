/**
 * What a client gets on registering (001-005, LUSERS, MOTD), also reused by the
 * VERSION, LUSERS and MOTD commands.
 */
import * as N from '../../protocol/numerics.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import { VERSION } from '../version.js';

export const USER_MODES = 'Biow';
export const CHANNEL_MODES = 'CIbeiklmnopstv';
export const CHANNEL_MODES_WITH_PARAM = 'Ibeklov';

export function isupportTokens(srv: IrcServer): string[] {
  const c = srv.config;
  const l = c.limits;
  const history = srv.history !== undefined ? [`CHATHISTORY=${c.history.maxQuery}`, 'MSGREFTYPES=timestamp,msgid'] : [];
  return [
    `AWAYLEN=${l.awayLength}`,
    'BOT=B',
    `CASEMAPPING=${c.casemapping}`,
    `CHANLIMIT=#&:${l.channelsPerUser}`,
    'CHANMODES=beI,k,l,Cimnpst',
    `CHANNELLEN=${l.channelLength}`,
    'CHANTYPES=#&',
    'ELIST=CMNTU',
    'EXCEPTS=e',
    // the mute extban +b m:<mask>, without a prefix character (modern.ircdocs EXTBAN)
    'EXTBAN=,m',
    ...history,
    'HOSTLEN=64',
    'INVEX=I',
    `KICKLEN=${l.kickLength}`,
    'LINELEN=512',
    `MAXLIST=b:${l.banListSize},e:${l.banListSize},I:${l.banListSize}`,
    `MAXTARGETS=${l.targetsPerCommand}`,
    `MODES=${l.modesPerCommand}`,
    ...(l.monitorTargets > 0 ? [`MONITOR=${l.monitorTargets}`] : []),
    `NETWORK=${c.networkName}`,
    `NICKLEN=${l.nickLength}`,
    'PREFIX=(ov)@+',
    'SAFELIST',
    'STATUSMSG=@+',
    `TARGMAX=PRIVMSG:${l.targetsPerCommand},NOTICE:${l.targetsPerCommand},TAGMSG:${l.targetsPerCommand},JOIN:,PART:,KICK:${l.targetsPerCommand},NAMES:,WHOIS:1,LIST:`,
    `TOPICLEN=${l.topicLength}`,
    `USERLEN=${l.userLength}`,
    'UTF8ONLY',
    'WHOX',
  ];
}

export function sendIsupport(s: Session, srv: IrcServer): void {
  const tokens = isupportTokens(srv);
  for (let i = 0; i < tokens.length; i += 12) {
    s.numeric(N.RPL_ISUPPORT, ...tokens.slice(i, i + 12), 'are supported by this server');
  }
}

export function sendLusers(s: Session, srv: IrcServer): void {
  const local = srv.userCount();
  // with several nodes the counts are cluster-wide (remote users' +i/+o count in invisibleCount/operCount)
  const users = local + (srv.cluster?.remoteUsers() ?? 0);
  const invisible = srv.invisibleCount();
  const unknown = srv.sessions.size - local;
  s.numeric(N.RPL_LUSERCLIENT, `There are ${users - invisible} users and ${invisible} invisible on 1 servers`);
  s.numeric(N.RPL_LUSEROP, String(srv.operCount()), 'operator(s) online');
  if (unknown > 0) s.numeric(N.RPL_LUSERUNKNOWN, String(unknown), 'unknown connection(s)');
  s.numeric(N.RPL_LUSERCHANNELS, String(srv.channels.size), 'channels formed');
  s.numeric(N.RPL_LUSERME, `I have ${local} clients and 0 servers`);
  s.numeric(N.RPL_LOCALUSERS, String(local), String(srv.maxUsers), `Current local users ${local}, max ${srv.maxUsers}`);
  const maxGlobal = Math.max(srv.maxUsers, users);
  s.numeric(N.RPL_GLOBALUSERS, String(users), String(maxGlobal), `Current global users ${users}, max ${maxGlobal}`);
}

export function sendMotd(s: Session, srv: IrcServer): void {
  const motd = srv.config.motd;
  if (motd === null || motd.length === 0) {
    s.numeric(N.ERR_NOMOTD, 'MOTD File is missing');
    return;
  }
  s.numeric(N.RPL_MOTDSTART, `- ${srv.config.serverName} Message of the day - `);
  for (const line of motd) s.numeric(N.RPL_MOTD, '- ' + line);
  s.numeric(N.RPL_ENDOFMOTD, 'End of /MOTD command.');
}

export function welcome(s: Session, srv: IrcServer): void {
  const c = srv.config;
  s.numeric(N.RPL_WELCOME, `Welcome to the ${c.networkName} IRC Network ${s.source}`);
  s.numeric(N.RPL_YOURHOST, `Your host is ${c.serverName}, running version tincan-${VERSION}`);
  s.numeric(N.RPL_CREATED, `This server was created ${srv.startedAt.toUTCString()}`);
  s.send(
    `:${c.serverName} ${N.RPL_MYINFO} ${s.nick} ${c.serverName} tincan-${VERSION} ${USER_MODES} ${CHANNEL_MODES} ${CHANNEL_MODES_WITH_PARAM}`,
  );
  sendIsupport(s, srv);
  sendLusers(s, srv);
  sendMotd(s, srv);
}
