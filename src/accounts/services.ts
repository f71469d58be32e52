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

/**
 * Names nobody can register: the service nicks, and guest nicks (`Guest1234`, the plain
 * dialect's `guest1234`), which the server hands out and must never belong to anyone.
 */
export function isReservedAccountName(name: string, fold: (s: string) => string): boolean {
  return isServiceNick(name, fold) || /^guest\d*$/i.test(name);
}
