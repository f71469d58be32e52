/**
 * One account from two client types at once, over real sockets and the real CLI wiring:
 * bob (IRC) writes to alice while she is offline and is told it will wait; alice logs in
 * from netcat (/login) and gets it with its original time; she logs in from an IRC
 * client too, and both of her sessions are one conversation: what bob sends reaches
 * both, what she types in netcat reaches bob and shows in her IRC client.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { runServe, type ServeHandle } from '../../src/cli/serve.js';
import { RawClient } from '../helpers/raw-client.js';

const PW = 'correct horse battery';
const clients: RawClient[] = [];
let handle: ServeHandle | null = null;
const dirs: string[] = [];
after(async () => {
  for (const c of clients) c.socket.destroy();
  await handle?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function raw(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  clients.push(c);
  return c;
}

/** An IRC client logged in to `account` with SASL PLAIN before registering. */
async function ircLogin(port: number, nick: string, account: string, caps: string[] = []): Promise<RawClient> {
  const c = await raw(port);
  await c.saslRegister(nick, account, PW, caps);
  return c;
}

const hhmm = (t: number): string => new Date(t).toTimeString().slice(0, 5);

test('netcat and IRC on one account: a message that waited arrives in netcat with its time; then one conversation across both', { timeout: 60_000 }, async () => {
  const data = mkdtempSync(join(tmpdir(), 'tincan-cross-'));
  dirs.push(data);
  const file = join(data, 'config.json');
  writeFileSync(file, JSON.stringify({ tls: { enabled: false }, flood: { enabled: false } }));
  handle = await runServe(['--host', '127.0.0.1', '--port', '0', '--name', 'test.local', '--data', data, '--config', file], {}, { signals: false, logger: pino({ level: 'silent' }) });
  const port = handle.port;
  for (const nick of ['alice', 'bob']) {
    const r = await raw(port);
    await r.register(nick);
    r.send(`REGISTER * * :${PW}`);
    await r.waitFor(/ REGISTER SUCCESS /);
    r.send('QUIT');
    await r.closed;
  }

  const bob = await ircLogin(port, 'bob', 'bob');
  const sentFrom = Date.now();
  bob.send('PRIVMSG alice :did you finish the lab?');
  await bob.waitFor(/NOTICE bob :\*\*\* alice is offline: your message will be delivered/);
  const sentTo = Date.now();

  // alice on netcat: a guest, then /login; the waiting message arrives with its time
  const nc = await raw(port);
  nc.socket.write('\n');
  await nc.waitFor(/^\* Type a message and press Enter/);
  nc.send(`/login alice ${PW}`);
  await nc.waitFor(/^\* You are now logged in as alice\.$/);
  const waited = await nc.waitFor(/did you finish the lab\?/);
  assert.match(waited, /bob/);
  assert.ok(waited.includes(hhmm(sentFrom)) || waited.includes(hhmm(sentTo)), `the original time is shown: ${waited}`);

  // alice on IRC too, same account: one user with two sessions
  const irc = await ircLogin(port, 'alice_laptop', 'alice');
  assert.ok(irc.lines.some((l) => / 001 alice /.test(l)), 'the IRC session takes the account nick');
  let from = irc.lines.length;
  const ncFrom = nc.lines.length;
  bob.send('PRIVMSG alice :are you there?');
  await irc.waitFor(/^:bob!\S+ PRIVMSG alice :are you there\?$/, 5000, from);
  await nc.waitFor(/are you there\?/, 5000, ncFrom);

  // she answers from netcat: bob gets it once, her IRC client sees what she wrote
  from = irc.lines.length;
  const bobFrom = bob.lines.length;
  nc.send('/msg bob yes, sent it');
  await bob.waitFor(/^:alice!\S+ PRIVMSG bob :yes, sent it$/, 5000, bobFrom);
  await irc.waitFor(/^:alice!\S+ PRIVMSG bob :yes, sent it$/, 5000, from);
  assert.equal(bob.lines.slice(bobFrom).filter((l) => /yes, sent it/.test(l)).length, 1, 'delivered once');
});
