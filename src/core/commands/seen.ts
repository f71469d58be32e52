/**
 * SEEN <nick>: when someone was last around, answered with a server NOTICE (the plain
 * dialect's /seen sends it). From who is online now, WHOWAS (this run) and the account's
 * last-seen time (kept in the account's settings, so it survives a restart).
 */
import { isValidNick } from '../../protocol/index.js';
import { longTime } from '../history-replay.js';
import type { CommandTable } from './types.js';

/** "5 minutes", "3 hours", "2 days": the largest whole unit. */
export function ago(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    const n = Math.floor(ms / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? '' : 's'}`;
  }
  return 'a moment';
}

/** The account setting where the time its last session left is kept. */
export const LAST_SEEN = 'lastSeen';

export const seenCommands: CommandTable = {
  SEEN: {
    minParams: 1,
    handler: (s, msg, srv) => {
      const nick = msg.params[0]!.split(',')[0]!;
      const tell = (text: string): void => s.serverMessage('NOTICE', s.nick, '*** ' + text);
      if (!isValidNick(nick, srv.config.limits.nickLength)) {
        tell(`SEEN: "${nick}" is not a nick; try SEEN alice`);
        return;
      }
      const t = srv.findNick(nick);
      if (t !== undefined) {
        tell(`${t.nick} is online now${t.away !== null ? ` (away: ${t.away})` : ''}`);
        return;
      }
      const as = srv.presence.onlineAs(nick);
      if (as !== undefined) {
        tell(`${srv.accounts.get(nick)?.name ?? nick} is online now, as ${as.nick}`);
        return;
      }
      const rec = srv.accounts.get(nick);
      const was = srv.whowas.get(srv.fold(nick))[0];
      const stored = rec?.settings[LAST_SEEN];
      const times = [was?.at ?? 0, typeof stored === 'number' ? stored : 0];
      const at = Math.max(...times);
      const name = rec?.name ?? was?.nick ?? nick;
      if (at === 0) {
        tell(rec !== undefined ? `${name} is registered, but has not been seen since this server started` : `I have not seen ${name}`);
        return;
      }
      tell(`${name} was last seen ${ago(Math.max(0, srv.now() - at))} ago (${longTime(at)})`);
    },
  },
};
