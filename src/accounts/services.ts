/**
 * The service nicks (NickServ and the names clients and users expect to be services):
 * reserved, nobody can take them with NICK (433) or register them as accounts. Only
 * NickServ answers (src/core/commands/nickserv.ts).
 */
export const SERVICE_NICKS = ['NickServ', 'ChanServ', 'OperServ', 'MemoServ', 'HostServ', 'BotServ', 'SaslServ', 'Global', 'Services'] as const;

const folded = new Map<(s: string) => string, Set<string>>();

export function isServiceNick(nick: string, fold: (s: string) => string): boolean {
  let set = folded.get(fold);
  if (set === undefined) folded.set(fold, (set = new Set(SERVICE_NICKS.map(fold))));
  return set.has(fold(nick));
}

/** NickServ's prefix on its NOTICEs and in WHOIS. */
export function nickServSource(serverName: string): string {
  return `NickServ!services@${serverName}`;
}
