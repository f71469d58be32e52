/** IRC operator commands: OPER (credentials from the config), KILL, REHASH. */
import { scryptSync, timingSafeEqual } from 'node:crypto';
import { compileMask } from '../../protocol/index.js';
import * as N from '../../protocol/numerics.js';
import type { CommandTable } from './types.js';

/** Plain text, or "scrypt$<salt-hex>$<hash-hex>". */
export function checkPassword(given: string, stored: string): boolean {
  if (stored.startsWith('scrypt$')) {
    const [, salt, hash] = stored.split('$');
    if (salt === undefined || hash === undefined) return false;
    const want = Buffer.from(hash, 'hex');
    const got = scryptSync(given, Buffer.from(salt, 'hex'), want.length);
    return timingSafeEqual(got, want);
  }
  const a = Buffer.from(given);
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const operCommands: CommandTable = {
  OPER: {
    minParams: 2,
    handler: (s, msg, srv) => {
      const op = srv.config.operators.find((o) => o.name === msg.params[0]);
      if (op === undefined || !checkPassword(msg.params[1]!, op.password)) {
        s.numeric(N.ERR_PASSWDMISMATCH, 'Password incorrect');
        s.log.warn({ name: msg.params[0] }, 'failed OPER attempt');
        return;
      }
      const subject = srv.fold(s.source);
      if (op.hosts.length > 0 && !op.hosts.some((h) => compileMask(h, srv.fold)(subject))) {
        s.numeric(N.ERR_NOOPERHOST, 'No O-lines for your host');
        return;
      }
      const was = s.oper;
      s.oper = op.name;
      s.numeric(N.RPL_YOUREOPER, 'You are now an IRC operator');
      if (was === null) s.send(`:${s.source} MODE ${s.nick} :+o`);
      s.log.info({ oper: op.name }, 'became IRC operator');
    },
  },
  KILL: {
    minParams: 2,
    operOnly: true,
    handler: (s, msg, srv) => {
      const t = srv.findNick(msg.params[0]!);
      if (t === undefined) {
        s.numeric(N.ERR_NOSUCHNICK, msg.params[0]!, 'No such nick/channel');
        return;
      }
      const reason = `Killed (${s.nick} (${msg.params[1]}))`;
      t.send(`:${s.source} KILL ${t.nick} :${reason}`);
      s.log.info({ target: t.nick, reason: msg.params[1] }, 'KILL');
      srv.disconnect(t, reason);
    },
  },
  REHASH: {
    minParams: 0,
    operOnly: true,
    handler: (s, _msg, srv) => {
      s.numeric(N.RPL_REHASHING, 'config', 'Rehashing');
      const err = srv.rehash();
      if (err !== null) s.serverMessage('NOTICE', s.nick, `REHASH failed, old config kept: ${err}`);
    },
  },
};
