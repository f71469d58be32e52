// Brute-force brake (per account and per address, exponential, bounded) and the
// registration rate limit, on the harness clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from '../../helpers/harness.js';
import { LOGIN_BASE_WAIT_MS, LOGIN_MAX_ENTRIES, loginThrottle } from '../../../src/accounts/login.js';
import { waitLine, plainAuth, saslConnection } from './util.js';

const PW = 'correct horse';

const sasl = saslConnection;

async function attempt(c: ReturnType<typeof saslConnection>, account: string, pw: string): Promise<string> {
  const from = c.lines.length;
  c.recv('AUTHENTICATE PLAIN');
  c.recv('AUTHENTICATE ' + plainAuth(account, pw));
  await waitLine(c, / 90[34] /, from);
  return c.lines.slice(from).join('\n');
}

async function register(h: ReturnType<typeof harness>, nick: string, ip = '127.0.0.1') {
  const c = h.connect(ip);
  c.recv(`NICK ${nick}`);
  c.recv(`USER ${nick} 0 * :R`);
  c.recv(`REGISTER * * :${PW}`);
  await waitLine(c, / REGISTER SUCCESS | FAIL REGISTER /);
  c.recv('QUIT');
  return c;
}

test('a wrong password delays the next attempt from that address and for that account, doubling; others log in meanwhile', async () => {
  const h = harness();
  try {
    await register(h, 'alice');
    await register(h, 'bob');
    const eve = sasl(h, 'eve', '10.0.0.66');
    assert.match(await attempt(eve, 'alice', 'guess1'), / 904 /);
    // at once again: refused without a hash, told how long to wait
    const second = await attempt(eve, 'alice', 'guess2');
    assert.match(second, / 904 /);
    assert.match(second, /NOTICE eve :\*\*\* Too many failed logins: wait 1 second before trying again/);
    // the same address is held back on another account too
    assert.match(await attempt(eve, 'bob', 'guess'), /wait 1 second/);
    // and the account from another address
    const mallory = sasl(h, 'mallory', '10.0.0.77');
    assert.match(await attempt(mallory, 'alice', 'guess'), /wait 1 second/);

    // meanwhile bob logs in from his own address at once
    const bob = sasl(h, 'bob', '192.168.1.5');
    assert.match(await attempt(bob, 'bob', PW), / 903 bob /);

    // the wait passes on the clock; the next failure doubles it
    h.clock.now += LOGIN_BASE_WAIT_MS;
    assert.doesNotMatch(await attempt(eve, 'alice', 'guess3'), /wait/);
    const doubled = await attempt(eve, 'alice', 'guess4');
    assert.match(doubled, /wait 2 seconds/);
    // the right password after the wait logs in and clears the account's strikes
    h.clock.now += 2 * LOGIN_BASE_WAIT_MS;
    const alice = sasl(h, 'alice', '192.168.1.9');
    assert.match(await attempt(alice, 'alice', PW), / 903 alice /);
  } finally {
    await h.close();
  }
});

test('the failure map is bounded: guessing at many names keeps at most LOGIN_MAX_ENTRIES keys', () => {
  const h = harness();
  try {
    const t = loginThrottle(h.server);
    for (let i = 0; i < LOGIN_MAX_ENTRIES + 50; i++) t.charge(['account n' + i], h.clock.now);
    assert.equal(t.size, LOGIN_MAX_ENTRIES);
  } finally {
    void h.close();
  }
});

test('registration is rate limited per address (accounts.registrationsPerIpPerHour); other addresses unaffected', async () => {
  const h = harness({ accounts: { registrationsPerIpPerHour: 2 } });
  try {
    const ok1 = await register(h, 'u1', '10.1.1.1');
    const ok2 = await register(h, 'u2', '10.1.1.1');
    const no = await register(h, 'u3', '10.1.1.1');
    assert.match(ok1.lines.join('\n'), /REGISTER SUCCESS u1/);
    assert.match(ok2.lines.join('\n'), /REGISTER SUCCESS u2/);
    assert.match(no.lines.join('\n'), /FAIL REGISTER TEMPORARILY_UNAVAILABLE u3 :Too many new accounts from your address; try again later/);
    assert.match((await register(h, 'u4', '10.2.2.2')).lines.join('\n'), /REGISTER SUCCESS u4/);
    h.clock.now += 30 * 60_000; // half an hour refills one of two per hour
    assert.match((await register(h, 'u5', '10.1.1.1')).lines.join('\n'), /REGISTER SUCCESS u5/);
  } finally {
    await h.close();
  }
});
