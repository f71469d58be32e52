/**
 * What the client takes from RPL_ISUPPORT (005): casemapping, channel types, the
 * PREFIX mode table, network name, and whether CHATHISTORY / SEARCH are offered.
 */
import type { Casemapping } from '../../protocol/index.js';

export interface ISupport {
  casemapping: Casemapping;
  chantypes: string;
  /** mode letter -> prefix char, highest first: o -> @, v -> + */
  prefixModes: string;
  prefixChars: string;
  network: string | null;
  /** CHATHISTORY=<max> (0 when absent) */
  chathistory: number;
  /** the server advertises a SEARCH command */
  search: boolean;
  statusmsg: string;
  /** CLIENTTAGDENY: client tags the server will not relay (client-tags.ts clientTagAllowed) */
  clientTagDeny: string[];
}

export function defaultISupport(): ISupport {
  return { casemapping: 'rfc1459', chantypes: '#&', prefixModes: 'ov', prefixChars: '@+', network: null, chathistory: 0, search: false, statusmsg: '', clientTagDeny: [] };
}

/** Applies the tokens of one 005 line (params between the nick and the trailing text). */
export function applyISupport(is: ISupport, tokens: readonly string[]): void {
  for (const tok of tokens) {
    const neg = tok.startsWith('-');
    const [rawKey, value = ''] = (neg ? tok.slice(1) : tok).split('=', 2) as [string, string?];
    const key = rawKey.toUpperCase();
    switch (key) {
      case 'CASEMAPPING':
        is.casemapping = value.toLowerCase() === 'ascii' ? 'ascii' : 'rfc1459';
        break;
      case 'CHANTYPES':
        if (!neg) is.chantypes = value;
        break;
      case 'PREFIX': {
        const m = /^\(([^)]*)\)(.*)$/.exec(value);
        if (m && m[1] !== undefined && m[2] !== undefined && m[1].length === m[2].length) {
          is.prefixModes = m[1];
          is.prefixChars = m[2];
        }
        break;
      }
      case 'NETWORK':
        is.network = neg ? null : value;
        break;
      case 'CHATHISTORY':
      case 'DRAFT/CHATHISTORY':
        is.chathistory = neg ? 0 : Number(value) || 100;
        break;
      case 'SEARCH':
      case 'DRAFT/SEARCH':
        is.search = !neg;
        break;
      case 'CLIENTTAGDENY':
        is.clientTagDeny = neg ? [] : value.split(',').filter((x) => x !== '').slice(0, 50);
        break;
      case 'STATUSMSG':
        is.statusmsg = neg ? '' : value;
        break;
    }
  }
}

/**
 * Applies the status part of a channel MODE (+o nick, -v nick ...) to its members:
 * their prefixes stay in ISUPPORT PREFIX order. Modes taking an argument are skipped
 * with theirs.
 */
export function applyPrefixModes(
  is: ISupport,
  members: Map<string, { prefix: string }>,
  fold: (s: string) => string,
  modes: string,
  args: readonly string[],
): void {
  let add = true;
  let ai = 0;
  for (const ch of modes) {
    if (ch === '+' || ch === '-') {
      add = ch === '+';
      continue;
    }
    const pi = is.prefixModes.indexOf(ch);
    if (pi >= 0) {
      const nick = args[ai++] ?? '';
      const m = members.get(fold(nick));
      if (!m) continue;
      const pc = is.prefixChars[pi] as string;
      const set = new Set(m.prefix.split('').filter(Boolean));
      if (add) set.add(pc);
      else set.delete(pc);
      m.prefix = [...is.prefixChars].filter((c) => set.has(c)).join('');
    } else if ('klbeIqaohv'.includes(ch) || (add && 'fjL'.includes(ch))) {
      // modes with an argument (kl only when set; lists always)
      if (ch !== 'l' || add) ai++;
    }
  }
}
