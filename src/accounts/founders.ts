/**
 * Channel founders (Channel.founder, Channel.opAccounts): someone who logs in while
 * already in a channel they founded (or were named an operator of) gets +o there from
 * the server, as if they had joined logged in (an IRC client usually joins before its
 * NickServ IDENTIFY). Joining logged in is handled by the JOIN handler.
 */
import type { IrcServer } from '../core/server.js';
import type { Session } from '../core/session.js';
import { Member } from '../core/channel.js';

export function restoreChannelStatus(s: Session, srv: IrcServer): void {
  if (s.account === null || !s.registered) return;
  for (const ch of s.channels) {
    const st = ch.members.get(s) ?? 0;
    if ((st & Member.op) !== 0 || ch.statusFor(s.account, srv.fold) === 0) continue;
    ch.members.set(s, st | Member.op);
    const params = [ch.name, '+o', s.nick];
    const out = srv.outgoing(srv.config.serverName, 'MODE', params);
    srv.sendToChannel(ch, out);
    srv.history?.record(ch, srv.config.serverName, 'MODE', params, out);
  }
}
