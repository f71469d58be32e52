/**
 * Accounts over real sockets with the real CLI wiring (SQLite in a data directory):
 * register with REGISTER from a raw client, then log in with SASL PLAIN from
 * irc-framework (an independent client) and from a raw client, after a restart too.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { Client } from 'irc-framework';
import { ScramClient } from '../unit/accounts/scram-client.js';
import { RawClient } from '../helpers/raw-client.js';
import { serveInProcess } from '../helpers/serve-inprocess.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tincan-acct-e2e-'));
  dirs.push(d);
  return d;
}
const serve = (data: string) => serveInProcess({ data, config: { tls: { enabled: false }, flood: { enabled: false } } });

type Ev = Record<string, unknown>;
function once(c: Client, events: string[], ms = 8000): Promise<{ event: string; e: Ev }> {
  return new Promise((resolve, reject) => {
    const hs = events.map((event) => [event, (e: Ev) => done(event, e)] as const);
    const t = setTimeout(() => {
      for (const [ev, h] of hs) c.off(ev, h);
      reject(new Error(`timed out waiting for ${events.join('/')}`));
    }, ms);
    function done(event: string, e: Ev): void {
      clearTimeout(t);
      for (const [ev, h] of hs) c.off(ev, h);
      resolve({ event, e });
    }
    for (const [ev, h] of hs) c.on(ev, h);
  });
}

async function saslClient(port: number, nick: string, account: string, password: string): Promise<{ c: Client; event: string; e: Ev; raw: string[] }> {
  const c = new Client({ auto_reconnect: false });
  const raw: string[] = [];
  c.on('raw', (e: { line: string; from_server: boolean }) => {
    if (e.from_server) raw.push(e.line.trim());
  });
  const got = once(c, ['loggedin', 'sasl failed']);
  c.connect({ host: '127.0.0.1', port, nick, username: nick, gecos: nick, auto_reconnect: false, account: { account, password } } as never);
  const r = await got;
  return { c, ...r, raw };
}

test('register with REGISTER, disconnect, log in with SASL PLAIN (irc-framework and raw); wrong password 904; after a restart too', { timeout: 60000 }, async () => {
  const data = dataDir();
  let h = await serve(data);
  try {
    const reg = await RawClient.connect(h.port);
    await reg.register('alice');
    reg.send('REGISTER * * :correct horse battery');
    await reg.waitFor(/ REGISTER SUCCESS alice /);
    await reg.waitFor(/ 900 alice alice!~alice@127\.0\.0\.1 alice :You are now logged in as alice/);
    reg.send('QUIT');
    await reg.closed;

    const ok = await saslClient(h.port, 'alice', 'alice', 'correct horse battery');
    assert.equal(ok.event, 'loggedin');
    assert.equal(ok.e['account'], 'alice');
    await once(ok.c, ['registered']).catch(() => undefined);
    assert.ok(ok.raw.some((l) => / 903 alice :SASL authentication successful/.test(l)), ok.raw.join('\n'));
    ok.c.quit();

    const bad = await saslClient(h.port, 'mallory', 'alice', 'wrong password!');
    assert.equal(bad.event, 'sasl failed');
    assert.ok(bad.raw.some((l) => / 904 mallory :SASL authentication failed/.test(l)), bad.raw.join('\n'));
    bad.c.quit();

    await h.close();
    h = await serve(data);
    // a raw client after the restart: the account is on disk
    const r = await RawClient.connect(h.port);
    r.send('CAP LS 302');
    await r.waitFor(/CAP \* LS (\* )?:.*sasl=PLAIN,SCRAM-SHA-256/);
    r.send('CAP REQ :sasl');
    await r.waitFor(/CAP \* ACK :sasl/);
    r.send('NICK alice');
    r.send('USER alice 0 * :alice');
    r.send('AUTHENTICATE PLAIN');
    await r.waitFor(/^AUTHENTICATE \+$/);
    r.send('AUTHENTICATE ' + Buffer.from('\0alice\0correct horse battery').toString('base64'));
    await r.waitFor(/ 900 alice alice!~alice@127\.0\.0\.1 alice :You are now logged in as alice/);
    await r.waitFor(/ 903 alice :SASL authentication successful/);
    r.send('CAP END');
    await r.waitFor(/ 001 alice /);
    r.end();
  } finally {
    await h.close();
  }
});

function rawFrom(port: number, localAddress: string): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress }, () => resolve(RawClient.fromSocket(s)));
    s.once('error', reject);
  });
}

async function saslStart(r: RawClient, nick: string, mech: string): Promise<void> {
  r.send('CAP LS 302');
  r.send('CAP REQ :sasl');
  await r.waitFor(/CAP \* ACK :sasl/);
  r.send(`NICK ${nick}`);
  r.send(`USER ${nick} 0 * :${nick}`);
  r.send('AUTHENTICATE ' + mech);
  await r.next(/^AUTHENTICATE \+$/);
}

const authData = (l: string): string => Buffer.from(l.slice('AUTHENTICATE '.length), 'base64').toString();

test('SCRAM-SHA-256 over a raw socket with a client written from RFC 5802; the server proves its key', { timeout: 30000 }, async () => {
  const h = await serve(dataDir());
  try {
    const reg = await RawClient.connect(h.port);
    await reg.register('scrammy');
    reg.send('REGISTER * * :pencil sharpener');
    await reg.waitFor(/ 900 scrammy /);
    reg.send('QUIT');
    await reg.closed;

    const r = await RawClient.connect(h.port);
    await saslStart(r, 'scrammy', 'SCRAM-SHA-256');
    const client = new ScramClient('scrammy', 'pencil sharpener');
    r.send('AUTHENTICATE ' + Buffer.from(client.first()).toString('base64'));
    const serverFirst = authData(await r.next(/^AUTHENTICATE (?!\+$)/));
    r.send('AUTHENTICATE ' + Buffer.from(client.final(serverFirst)).toString('base64'));
    const serverFinal = authData(await r.next(/^AUTHENTICATE (?!\+$)/));
    assert.ok(client.verify(serverFinal), 'server-final carries the right ServerSignature');
    r.send('AUTHENTICATE +');
    await r.waitFor(/ 900 scrammy scrammy!~scrammy@127\.0\.0\.1 scrammy :You are now logged in as scrammy/);
    await r.waitFor(/ 903 scrammy /);
    r.send('CAP END');
    await r.waitFor(/ 001 scrammy /);
    r.end();
  } finally {
    await h.close();
  }
});

test('a brute force from one address is throttled while another user logs in normally at the same time', { timeout: 30000 }, async () => {
  const h = await serve(dataDir());
  try {
    for (const nick of ['victim', 'friend']) {
      const reg = await RawClient.connect(h.port);
      await reg.register(nick);
      reg.send('REGISTER * * :the right password');
      await reg.waitFor(/ REGISTER SUCCESS /);
      reg.send('QUIT');
      await reg.closed;
    }
    // registered first: before registration the line cap (limits.preRegistrationLines) ends it sooner
    const attacker = await rawFrom(h.port, '127.0.0.2');
    await attacker.register('attacker', ['sasl']);
    const tries = 20;
    let throttled = 0;
    let friendDone = false;
    let friend: Promise<void> | null = null;
    const started = Date.now();
    for (let i = 0; i < tries; i++) {
      // halfway through the attack, with the brake on for the attacker's address and the victim's account
      if (i === tries / 2)
        friend = (async () => {
          const f = await rawFrom(h.port, '127.0.0.3');
          await saslStart(f, 'friend', 'PLAIN');
          f.send('AUTHENTICATE ' + Buffer.from('\0friend\0the right password').toString('base64'));
          await f.waitFor(/ 903 friend /);
          friendDone = true;
          f.end();
        })();
      const from = attacker.lines.length;
      attacker.send('AUTHENTICATE PLAIN');
      await attacker.next(/^AUTHENTICATE \+$/);
      attacker.send('AUTHENTICATE ' + Buffer.from(`\0victim\0guess${i}`).toString('base64'));
      await attacker.waitFor(/ 904 /, 5000, from);
      if (attacker.lines.slice(from).some((l) => /Too many failed logins: wait/.test(l))) throttled++;
    }
    const seconds = (Date.now() - started) / 1000;
    // the wait doubles from 1 s after each checked guess, so in T seconds at most
    // log2(T + 1) + 1 guesses can be checked, however slow the machine is
    const checked = tries - throttled;
    assert.ok(checked <= Math.floor(Math.log2(seconds + 1)) + 1, `${checked} of ${tries} guesses were checked in ${seconds.toFixed(1)} s`);
    assert.ok(checked >= 1, 'the first guess is checked');
    await friend;
    assert.ok(friendDone, 'the friend logged in with the right password while the attacker was braked');
    attacker.end();
  } finally {
    await h.close();
  }
});

test('with history off, accounts are still kept on disk', { timeout: 30000 }, async () => {
  const data = dataDir();
  const open = () => serveInProcess({ data, config: { tls: { enabled: false }, history: { enabled: false } } });
  let h = await open();
  try {
    const reg = await RawClient.connect(h.port);
    await reg.register('keeper');
    reg.send('REGISTER * * :kept on disk');
    await reg.waitFor(/ REGISTER SUCCESS keeper /);
    reg.end();
    await h.close();
    h = await open();
    const ok = await saslClient(h.port, 'keeper', 'keeper', 'kept on disk');
    assert.equal(ok.event, 'loggedin');
    ok.c.quit();
  } finally {
    await h.close();
  }
});
