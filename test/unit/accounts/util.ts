// Helpers for the account unit tests: wait for a line the core sends after a hash.
import type { FakeConnection } from '../../helpers/fake-conn.js';

/** Resolves with the first line (from index `from`) matching `re`; polls the event loop, bounded. */
export async function waitLine(c: FakeConnection, re: RegExp, from = 0, ms = 5000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const hit = c.lines.slice(from).find((l) => re.test(l));
    if (hit !== undefined) return hit;
    if (Date.now() > end) throw new Error(`timed out waiting for ${re}; got:\n${c.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export const b64 = (s: string): string => Buffer.from(s).toString('base64');
export const plainAuth = (account: string, password: string, authzid = ''): string => b64(`${authzid}\0${account}\0${password}`);

type H = ReturnType<typeof import('../../helpers/harness.js').harness>;

/** A registered client `nick` logged in to its new account (REGISTER); its lines cleared. */
export async function registeredClient(h: H, nick: string, password = 'correct horse', caps: string[] = []): Promise<FakeConnection> {
  const c = h.client(nick, caps);
  c.recv(`REGISTER * * :${password}`);
  await waitLine(c, / REGISTER SUCCESS | FAIL REGISTER /);
  c.take();
  return c;
}

/** A connection from `ip` that has asked for `sasl` and sent NICK/USER (registration waits for CAP END). */
export function saslConnection(h: H, nick: string, ip = '127.0.0.1'): FakeConnection {
  const c = h.connect(ip);
  c.recv('CAP LS 302');
  c.recv('CAP REQ :sasl');
  c.recv(`NICK ${nick}`);
  c.recv(`USER ${nick} 0 * :R`);
  return c;
}

/**
 * Connects to `h`, logs in to `account` with SASL PLAIN before 001 (as `nick`, with
 * `caps` too) and waits for the welcome. Lines received are left in `c.lines`.
 */
export async function saslLogin(
  h: { connect(ip?: string): FakeConnection },
  nick: string,
  account: string,
  password: string,
  caps: readonly string[] = [],
): Promise<FakeConnection> {
  const c = h.connect();
  for (const l of ['CAP LS 302', 'CAP REQ :' + ['sasl', ...caps].join(' '), `NICK ${nick}`, `USER ${nick} 0 * :${nick} Realname`, 'AUTHENTICATE PLAIN']) c.recv(l);
  c.recv('AUTHENTICATE ' + plainAuth(account, password));
  await waitLine(c, / 903 /);
  c.recv('CAP END');
  await waitLine(c, / 001 /);
  return c;
}
