/**
 * Accounts for plain (netcat/telnet) users over real sockets, with the real CLI wiring
 * (SQLite in a data directory): `/register PASSWORD`, reconnect, `/login NAME PASSWORD`,
 * a wrong password, a weak one, a server without accounts. The password never comes
 * back to the user and never reaches the log (captured at trace level).
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { runServe, type ServeHandle } from '../../src/cli/serve.js';
import { RawClient } from '../helpers/raw-client.js';

const T = { timeout: 30_000 };
const handles: ServeHandle[] = [];
const clients: RawClient[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  while (handles.length > 0) await handles.pop()!.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** `tincan serve` in-process with every log record (trace level) kept in `log`. */
async function serve(config: Record<string, unknown> = {}): Promise<{ h: ServeHandle; log: string[] }> {
  const data = mkdtempSync(join(tmpdir(), 'tincan-plain-acct-'));
  dirs.push(data);
  const file = join(data, 'config.json');
  writeFileSync(file, JSON.stringify({ tls: { enabled: false }, flood: { enabled: false }, ...config }));
  const log: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      log.push(chunk.toString());
      cb();
    },
  });
  const h = await runServe(['--host', '127.0.0.1', '--port', '0', '--name', 'test.local', '--data', data, '--config', file], {}, {
    signals: false,
    logger: pino({ level: 'trace' }, sink),
  });
  handles.push(h);
  return { h, log };
}

async function plainUser(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  clients.push(c);
  c.socket.write('\n'); // a netcat user pressing Enter: not a lurker
  await c.waitFor(/^\* Type a message and press Enter/);
  return c;
}

function assertNever(c: RawClient, secret: string): void {
  for (const l of c.lines) assert.ok(!l.includes(secret), `the password came back: ${l}`);
}

test('a plain user registers, reconnects and logs in; a wrong password gets a clear line; the password is never shown or logged', T, async () => {
  const { h, log } = await serve();
  const secret = 'correct-horse-42';

  const a = await plainUser(h.port);
  a.send('/nick alice');
  await a.waitFor(/^\* You are now known as alice$/);
  a.send(`/register ${secret}`);
  await a.waitFor(/^\* Registering the name alice\.\.\.$/);
  await a.waitFor(/^\* The name alice is yours now, and you are logged in\.$/);
  await a.waitFor(/^\* Next time, log in with \/login alice PASSWORD$/);
  // the 900 that follows REGISTER SUCCESS is not repeated
  a.send('/help login');
  await a.waitFor(/^\*   \/login \[NAME\] PASSWORD/);
  assert.ok(!a.lines.some((l) => /You are now logged in as/.test(l)), a.lines.join('\n'));
  assertNever(a, secret);
  a.socket.destroy();

  // an IRC user in #lobby with account-notify sees the plain user log in
  const irc = await RawClient.connect(h.port);
  clients.push(irc);
  await irc.register('carol', ['account-notify']);
  irc.send('JOIN #lobby');
  await irc.waitFor(/ 366 carol #lobby /);

  const b = await plainUser(h.port);
  b.send('/login alice not-the-password');
  await b.waitFor(/^\* Logging in as alice\.\.\.$/);
  await b.waitFor(/^! Login failed: wrong name or password\.$/);
  // straight after a wrong password the brute-force brake says how long to wait; wait that long, as a user would
  const from = b.lines.length;
  b.send(`/login alice ${secret}`);
  const brake = await b.waitFor(/Too many failed logins: wait (\d+) seconds?/, 5000, from);
  await new Promise((r) => setTimeout(r, Number(/wait (\d+)/.exec(brake)![1]) * 1000 + 100));
  b.send(`/login alice ${secret}`);
  await b.waitFor(/^\* You are now logged in as alice\.$/);
  // the name comes with the account
  await b.waitFor(/^\* You are now known as alice$/);
  b.send(`/login ${secret}`);
  await b.waitFor(/^! You are already logged in as alice\.$/);
  assertNever(b, secret);

  await irc.waitFor(/^:guest\d+!\S+ ACCOUNT alice$/);

  const all = log.join('');
  assert.ok(all.length > 0);
  assert.ok(!all.includes(secret), 'the password reached the log');
  assert.ok(!all.includes(Buffer.from(`alice\0alice\0${secret}`).toString('base64')), 'the SASL blob reached the log');
});

test('plain /register: a taken name, a weak password and a missing one get clear lines', T, async () => {
  const { h } = await serve({ accounts: { minPasswordLength: 10 } });
  const a = await plainUser(h.port);
  a.send('/nick bob');
  await a.waitFor(/^\* You are now known as bob$/);
  a.send('/register');
  await a.waitFor(/^! Usage: \/register PASSWORD \(for your name, bob\)$/);
  a.send('/register short');
  await a.waitFor(/^! Password too short: use at least 10 characters\.$/);
  await a.waitFor(/^\* Try \/register again with another password\.$/);
  a.send('/register long-enough-pw');
  await a.waitFor(/^\* The name bob is yours now/);
  a.send('/nick bob2');
  await a.waitFor(/^\* You are now known as bob2$/);
  // a second plain user tries to register bob (now free as a nick, taken as an account)
  const b = await plainUser(h.port);
  b.send('/nick bob');
  await b.waitFor(/^\* You are now known as bob$/);
  b.send('/register another-pw-123');
  await b.waitFor(/^! The name bob is already registered\.$/);
  await b.waitFor(/^\* If it is yours: \/login bob PASSWORD\. If not, pick another: \/nick NAME$/);
  b.send('/login');
  await b.waitFor(/^! Usage: \/login \[NAME\] PASSWORD \(NAME: your name by default\)$/);
});

test('plain /login on a server without accounts says so, and the user can go on talking', T, async () => {
  const { h } = await serve({ accounts: { enabled: false } });
  const a = await plainUser(h.port);
  a.send('/register whatever-pw');
  await a.waitFor(/^! Pick your name first: \/nick NAME, then \/register PASSWORD\.$/);
  a.send('/nick zed');
  await a.waitFor(/^\* You are now known as zed$/);
  a.send('/login alice whatever-pw');
  await a.waitFor(/^! This server does not offer logins \(accounts are turned off\)\.$/);
  a.send('/register whatever-pw');
  await a.waitFor(/^! Could not register zed: Registration is disabled on this server$/);
  // a second login attempt is not stuck behind the first
  a.send('/login alice whatever-pw');
  await a.next(/^! This server does not offer logins/);
});
