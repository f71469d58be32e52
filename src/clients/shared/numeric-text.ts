/**
 * Numeric replies as readable text for the user: WHOIS and WHO lines, errors, MOTD and
 * welcome lines. Returns null for replies the client handles itself or hides
 * (ISUPPORT tokens, end-of-list markers). Pure.
 */
import * as N from '../../protocol/numerics.js';

export function numericText(code: string, p: readonly string[]): string | null {
  const a = (i: number): string => p[i] ?? '';
  const last = p.length > 1 ? a(p.length - 1) : '';
  switch (code) {
    case N.RPL_ISUPPORT:
    case N.RPL_MYINFO:
    case N.RPL_ENDOFWHO:
    case N.RPL_ENDOFWHOIS:
    case N.RPL_ENDOFNAMES:
    case N.RPL_MOTDSTART:
    case N.RPL_TOPICWHOTIME:
    case N.RPL_CREATIONTIME:
      return null;
    case N.RPL_WHOISUSER:
      return `${a(1)} is ${a(2)}@${a(3)} (${last})`;
    case N.RPL_WHOISSERVER:
      return `${a(1)} is on ${a(2)} (${last})`;
    case N.RPL_WHOISCHANNELS:
      return `${a(1)} is in ${last}`;
    case N.RPL_WHOISIDLE: {
      const idle = Number(a(2));
      const since = Number(a(3));
      return `${a(1)} has been idle ${Number.isFinite(idle) ? formatDuration(idle) : a(2)}${Number.isFinite(since) && since > 0 ? `, online since ${new Date(since * 1000).toLocaleString()}` : ''}`;
    }
    case N.RPL_WHOISOPERATOR:
    case N.RPL_WHOISACCOUNT:
    case N.RPL_WHOISSPECIAL:
    case N.RPL_WHOISBOT:
    case N.RPL_WHOISHOST:
    case N.RPL_WHOISMODES:
      return `${a(1)} ${last}`;
    case N.RPL_AWAY:
      return `${a(1)} is away: ${last}`;
    case N.RPL_WHOREPLY:
      // <me> <channel> <user> <host> <server> <nick> <flags> :<hops> <realname>
      return `${a(5)} (${a(2)}@${a(3)}) ${a(1) === '*' ? '' : `in ${a(1)} `}${a(6).includes('G') ? 'away ' : ''}- ${last.replace(/^\d+ /, '')}`;
    case N.RPL_CHANNELMODEIS:
      return `${a(1)} modes: ${p.slice(2).join(' ')}`;
    case N.RPL_INVITING:
      return `You invited ${a(1)} to ${a(2)}`;
  }
  const n = Number(code);
  if (n >= 400 && n < 600) {
    // <me> [subject...] :text
    const subject = p.slice(1, -1).join(' ');
    return subject ? `${subject}: ${last}` : last;
  }
  if (p.length <= 1) return null;
  // "<me> 1 1 :Current local users: 1, Max: 1": the text already says it
  const middle = p.slice(1, -1);
  if (middle.every((m) => last.includes(m))) return last;
  return p.slice(1).join(' ');
}

export function formatDuration(sec: number): string {
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = Math.floor(sec % 60);
  return [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : '', `${s}s`].filter(Boolean).join(' ');
}
