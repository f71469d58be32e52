/** Per-user state and lookups: AWAY, SETNAME, ISON, USERHOST. */
import { truncateUtf8 } from '../../protocol/index.js';
import * as N from '../../protocol/numerics.js';
import { Cap } from '../caps.js';
import type { CommandTable } from './types.js';

export const userCommands: CommandTable = {
  AWAY: {
    minParams: 0,
    // draft/pre-away: before registration only for clients that negotiated it
    preRegistration: true,
    handler: (s, msg, srv) => {
      if (!s.registered && !s.has(Cap.preAway)) {
        s.numeric(N.ERR_NOTREGISTERED, 'You have not registered');
        return;
      }
      const text = msg.params[0];
      if (text === undefined || text === '') {
        if (s.away === null) {
          s.numeric(N.RPL_UNAWAY, 'You are no longer marked as being away');
          return;
        }
        s.away = null;
        s.numeric(N.RPL_UNAWAY, 'You are no longer marked as being away');
        if (s.registered) srv.sendToPeers(s, srv.outgoing(s.source, 'AWAY', []), false, Cap.awayNotify);
        return;
      }
      const away = truncateUtf8(text, srv.config.limits.awayLength);
      s.away = away;
      s.numeric(N.RPL_NOWAWAY, 'You have been marked as being away');
      // not registered yet: nobody to tell (peers, MONITOR) before the nick is settled
      if (s.registered) srv.sendToPeers(s, srv.outgoing(s.source, 'AWAY', [away]), false, Cap.awayNotify);
    },
  },
  SETNAME: {
    minParams: 1,
    handler: (s, msg, srv) => {
      const name = msg.params[0]!.trim();
      if (name === '') {
        s.serverMessage('FAIL', 'SETNAME', 'INVALID_REALNAME', 'Realname is not valid');
        return;
      }
      s.realname = truncateUtf8(name, srv.config.limits.realnameLength);
      srv.sendToPeers(s, srv.outgoing(s.source, 'SETNAME', [s.realname]), true, Cap.setname);
    },
  },
  ISON: {
    minParams: 1,
    handler: (s, msg, srv) => {
      const found: string[] = [];
      for (const p of msg.params) {
        for (const nick of p.split(' ')) {
          const t = nick === '' ? undefined : srv.findNick(nick);
          if (t !== undefined) found.push(t.nick);
        }
      }
      s.numeric(N.RPL_ISON, found.join(' '));
    },
  },
  USERHOST: {
    minParams: 1,
    handler: (s, msg, srv) => {
      const out: string[] = [];
      for (const nick of msg.params.slice(0, 5)) {
        const t = srv.findNick(nick);
        if (t === undefined) continue;
        out.push(`${t.nick}${t.oper !== null ? '*' : ''}=${t.away !== null ? '-' : '+'}${t.user}@${t.host}`);
      }
      s.numeric(N.RPL_USERHOST, out.join(' '));
    },
  },
};
