// Fuzz (fast-check, bounded): random SASL exchanges (PLAIN and SCRAM-SHA-256 messages,
// chunks, aborts), REGISTER, PASS and NickServ lines from unregistered and registered
// sessions. Nothing may throw or drop a session for an internal error, nobody gets
// logged in without the right password, and the server still answers PING.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { harness } from '../../helpers/harness.js';
import { hashLoad } from '../../../src/accounts/password.js';
import { waitLine } from './util.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const text = fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n\0]/g, ''));
const saslText = fc.oneof(
  fc.constantFrom('\0alice\0wrong', 'alice\0alice\0nope', '\0\0', 'n,,n=alice,r=abc', 'n,,n=alice,r=', 'p=x,,n=a,r=b', 'c=biws,r=abc,p=AAAA', 'n,a=bob,n=alice,r=x', ''),
  fc.string({ maxLength: 60 }),
);
const line = fc.oneof(
  fc.constantFrom('AUTHENTICATE PLAIN', 'AUTHENTICATE SCRAM-SHA-256', 'AUTHENTICATE *', 'AUTHENTICATE +', 'AUTHENTICATE EXTERNAL', 'CAP END', 'CAP REQ :sasl', 'NICK alice', 'NICK NickServ', 'USER u 0 * :u'),
  saslText.map((t) => 'AUTHENTICATE ' + (b64(t) || '+')),
  fc.string({ minLength: 395, maxLength: 405 }).map((t) => 'AUTHENTICATE ' + t.replace(/[^A-Za-z0-9+/]/g, 'A')),
  text.map((t) => `REGISTER * * :${t}`),
  text.map((t) => `PASS :alice:${t}`),
  fc.tuple(fc.constantFrom('REGISTER', 'IDENTIFY', 'GHOST', 'DROP', 'SET PASSWORD', 'SET', 'LOGOUT', 'HELP', 'WHAT'), text).map(([c, t]) => `PRIVMSG NickServ :${c} ${t}`),
  text.map((t) => `NS IDENTIFY alice ${t}`),
);

test('fuzz: random account traffic never crashes a session or logs anyone in without the password', { timeout: 120000 }, async () => {
  const h = harness({ accounts: { minPasswordLength: 1 } });
  try {
    const owner = h.client('alice');
    owner.recv('REGISTER * * :the real password');
    await waitLine(owner, / REGISTER SUCCESS /);
    owner.recv('QUIT');
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 25 }), fc.boolean(), async (lines, registerFirst) => {
        h.clock.now += 61_000; // past every login wait: the passwords really get checked
        const c = registerFirst ? h.client('fz' + Math.floor(Math.random() * 1e6), ['sasl']) : h.connect('10.' + Math.floor(Math.random() * 250) + '.0.1');
        if (!registerFirst) c.recv('CAP LS 302');
        for (const l of lines) c.recv(l);
        while (hashLoad().active > 0 || hashLoad().waiting > 0) await new Promise((r) => setTimeout(r, 2));
        await new Promise((r) => setImmediate(r));
        for (const s of h.server.sessions) assert.ok(s.account === null || h.server.accounts.get(s.account) !== undefined, 'logged in to an account that exists');
        const crashed = c.closeLine !== undefined && /Internal server error/.test(c.closeLine);
        assert.equal(crashed, false, `internal error for:\n${lines.join('\n')}`);
        // nobody knows alice's password here: nobody is logged in to alice
        assert.ok(![...h.server.sessions].some((s) => s.account === 'alice'), `logged in to alice by:\n${lines.join('\n')}`);
        if (!c.closed) {
          c.recv('PING :alive');
          assert.ok(c.lines.some((l) => /PONG .*alive/.test(l)), `no PONG after:\n${lines.join('\n')}`);
        }
        c.hangup();
      }),
      { numRuns: 80, interruptAfterTimeLimit: 60000 },
    );
  } finally {
    await h.close();
  }
});
