// Device tokens (src/accounts/tokens.ts, src/core/commands/token.ts) against the core:
// TOKEN NEW/LIST/REVOKE, SASL PLAIN with a token, only the hash stored, the per-account
// limit, concurrent creates, and a revoked token refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from '../../helpers/harness.js';
import { waitLine, plainAuth } from './util.js';
import { cleanLabel, createDeviceToken, deviceTokens, isDeviceToken, MAX_DEVICE_TOKENS, tokenMatches } from '../../../src/accounts/tokens.js';

const PW = 'correct horse';

async function loggedIn(h: ReturnType<typeof harness>, nick: string) {
  const c = h.client(nick);
  c.recv(`REGISTER * * :${PW}`);
  await waitLine(c, / REGISTER SUCCESS /);
  return c;
}

function saslWith(h: ReturnType<typeof harness>, nick: string, account: string, secret: string) {
  const c = h.connect();
  c.recv('CAP LS 302');
  c.recv('CAP REQ :sasl');
  c.recv(`NICK ${nick}`);
  c.recv(`USER ${nick} 0 * :R`);
  c.recv('AUTHENTICATE PLAIN');
  c.recv(`AUTHENTICATE ${plainAuth(account, secret)}`);
  return c;
}

test('TOKEN NEW shows the token once, stores only its SHA-256; SASL PLAIN with it logs in; REVOKE ends it and logs out its session', async () => {
  const h = harness();
  try {
    const a = await loggedIn(h, 'alice');
    a.recv('TOKEN NEW :Firefox on the laptop');
    const created = await waitLine(a, / NOTE TOKEN CREATED /);
    const m = / NOTE TOKEN CREATED ([0-9a-f]{8}) (tct1_\S+) :Device token \1 for Firefox on the laptop: keep it secret, it is shown only once$/.exec(created);
    assert.ok(m, created);
    const [, id, token] = m as unknown as [string, string, string];
    assert.ok(isDeviceToken(token));
    const rec = h.server.accounts.get('alice')!;
    const stored = JSON.stringify(rec.settings);
    assert.ok(!stored.includes(token), 'the token itself is not stored');
    assert.equal(deviceTokens(rec)[0]?.hash.length, 64);
    const fromStore = await h.server.accounts.store.getAccount(rec.folded);
    assert.ok(!JSON.stringify(fromStore).includes(token));

    a.recv('TOKEN LIST');
    await waitLine(a, new RegExp(` NOTE TOKEN ENTRY ${id} \\d{4}-\\d\\d-\\d\\dT\\S+ :Firefox on the laptop$`));
    await waitLine(a, / NOTE TOKEN END 1 :1 device token$/);

    const b = saslWith(h, 'alice2', 'alice', token);
    await waitLine(b, / 903 /);
    await waitLine(b, / 900 alice2 \S+ alice :/);

    // a second device's token, to show REVOKE ends only the session of the revoked one
    const mark = a.lines.length;
    a.recv('TOKEN NEW :phone');
    const other = / NOTE TOKEN CREATED [0-9a-f]{8} (tct1_\S+) /.exec(await waitLine(a, / NOTE TOKEN CREATED /, mark))![1]!;
    assert.notEqual(other, token);
    const phone = saslWith(h, 'alice4', 'alice', other);
    await waitLine(phone, / 900 alice4 \S+ alice :/);

    a.recv(`TOKEN REVOKE ${id}`);
    await waitLine(a, new RegExp(` NOTE TOKEN REVOKED ${id} :`));
    // the device that logged in with the revoked token is logged out at once
    assert.equal(b.closed, true, 'the session of the revoked token is closed');
    assert.match(b.closeLine ?? '', /Device token revoked/);
    assert.equal(phone.closed, false, 'a session of another token stays');
    assert.equal(a.closed, false, 'the password session stays');
    const c = saslWith(h, 'alice3', 'alice', token);
    await waitLine(c, / 904 /);
    a.recv(`TOKEN REVOKE ${id}`);
    await waitLine(a, new RegExp(` FAIL TOKEN NO_SUCH_TOKEN ${id} :`));
    a.recv('TOKEN REVOKE ../etc');
    await waitLine(a, / FAIL TOKEN INVALID_PARAMS :/);
    a.recv('TOKEN FROB');
    await waitLine(a, / FAIL TOKEN UNKNOWN_SUBCOMMAND FROB :/);
    // a token of the right shape that is not the account's, and the account's password still works
    const d = saslWith(h, 'alice4', 'alice', 'tct1_' + 'A'.repeat(43));
    await waitLine(d, / 904 /);
    // past the brute-force brake the wrong tokens above set off (injected clock)
    h.clock.now += 60_000;
    const e = saslWith(h, 'alice5', 'alice', PW);
    await waitLine(e, / 903 /);
  } finally {
    await h.close();
  }
});

test('TOKEN needs a login; at most MAX_DEVICE_TOKENS per account; concurrent NEWs all kept', async () => {
  const h = harness();
  try {
    const g = h.client('guest');
    g.recv('TOKEN NEW');
    await waitLine(g, / FAIL TOKEN ACCOUNT_REQUIRED :Log in first/);
    const a = await loggedIn(h, 'bob');
    // all at once: the per-account chain keeps every one
    for (let i = 0; i < MAX_DEVICE_TOKENS; i++) a.recv(`TOKEN NEW :dev ${i}`);
    const deadline = Date.now() + 5000;
    while (a.lines.filter((l) => / NOTE TOKEN CREATED /.test(l)).length < MAX_DEVICE_TOKENS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    assert.equal(deviceTokens(h.server.accounts.get('bob')!).length, MAX_DEVICE_TOKENS);
    a.recv('TOKEN NEW :one too many');
    await waitLine(a, / FAIL TOKEN LIMIT_REACHED :At most 20 device tokens/);
    assert.equal(deviceTokens(h.server.accounts.get('bob')!).length, MAX_DEVICE_TOKENS);
  } finally {
    await h.close();
  }
});

test('tokens: labels cleaned and bounded; matching is by hash only; malformed settings ignored', async () => {
  assert.equal(cleanLabel('a\x1b[31m\r\nb  c'), 'a [31m b c');
  assert.equal([...cleanLabel('x'.repeat(500))].length, 64);
  assert.equal(cleanLabel('   '), 'device');
  const h = harness();
  try {
    await loggedIn(h, 'cy');
    const r = await createDeviceToken(h.server.accounts, 'cy', 'l', 0);
    assert.ok(r.ok);
    const rec = h.server.accounts.get('cy')!;
    assert.equal(tokenMatches(rec, r.token), true);
    assert.equal(tokenMatches(rec, r.token.slice(0, -1) + (r.token.endsWith('A') ? 'B' : 'A')), false);
    assert.equal(tokenMatches(rec, PW), false);
    assert.deepEqual(deviceTokens({ ...rec, settings: { deviceTokens: [{ id: 1 }, null, 'x'] } }), []);
  } finally {
    await h.close();
  }
});
