// Edges: a failing store, an exchange aborted while its hash runs, REGISTER before the
// server password, flags and settings through Accounts.update().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from '../../helpers/harness.js';
import { waitLine, plainAuth, saslConnection } from './util.js';
import { hashLoad } from '../../../src/accounts/password.js';

test('a store that fails: FAIL REGISTER TEMPORARILY_UNAVAILABLE, the name is free again', async () => {
  const h = harness();
  try {
    const store = h.server.accounts.store as unknown as { failWith: Error | null };
    store.failWith = new Error('disk on fire');
    const c = h.client('alice');
    c.recv('REGISTER * * :correct horse');
    await waitLine(c, /FAIL REGISTER TEMPORARILY_UNAVAILABLE alice :The account could not be saved; try again later/);
    assert.equal(h.server.accounts.taken('alice'), false);
    assert.equal([...h.server.sessions][0]!.account, null);
    store.failWith = null;
    c.recv('REGISTER * * :correct horse');
    await waitLine(c, / REGISTER SUCCESS alice /);
  } finally {
    await h.close();
  }
});

test('CAP END while a PLAIN check runs: 906, and the late answer logs nobody in', async () => {
  const h = harness();
  try {
    const r = h.client('alice');
    r.recv('REGISTER * * :correct horse');
    await waitLine(r, / REGISTER SUCCESS /);
    r.recv('QUIT');
    const c = saslConnection(h, 'alice');
    c.recv('AUTHENTICATE PLAIN');
    c.recv('AUTHENTICATE ' + plainAuth('alice', 'correct horse'));
    c.recv('CAP END');
    await waitLine(c, / 906 alice :SASL authentication aborted/);
    await waitLine(c, / 001 alice /);
    // once the hash has finished (and its answer has had its turn): still nothing
    const s = [...h.server.sessions].find((x) => x.nick === 'alice')!;
    while (hashLoad().active > 0) await new Promise((res) => setTimeout(res, 5));
    await new Promise((res) => setImmediate(res));
    assert.equal(s.account, null);
    assert.ok(!c.lines.some((l) => / 90[03] /.test(l)));
  } finally {
    await h.close();
  }
});

test('REGISTER does not get around the server password', async () => {
  const h = harness({ password: 'letmein' });
  try {
    const c = h.connect();
    c.recv('NICK alice');
    c.recv('REGISTER * * :correct horse');
    assert.match(c.take().join('\n'), /FAIL REGISTER TEMPORARILY_UNAVAILABLE alice :Send the server password \(PASS\) first/);
    assert.equal(h.server.accounts.taken('alice'), false);
  } finally {
    await h.close();
  }
});

test('Accounts.update keeps flags and settings (store first), hasFlag reads them', async () => {
  const h = harness();
  try {
    const c = h.client('root');
    c.recv('REGISTER * * :correct horse');
    await waitLine(c, / REGISTER SUCCESS /);
    assert.equal(h.server.accounts.hasFlag('ROOT', 'admin'), false);
    const next = await h.server.accounts.update('root', (r) => ({ ...r, flags: [...r.flags, 'admin'], settings: { ...r.settings, lang: 'de' } }));
    assert.deepEqual(next?.flags, ['admin']);
    assert.equal(h.server.accounts.hasFlag('ROOT', 'admin'), true);
    const stored = await h.server.accounts.store.getAccount('root');
    assert.deepEqual([stored?.flags, stored?.settings], [['admin'], { lang: 'de' }]);
    assert.equal(await h.server.accounts.update('nobody', (r) => r), null);
  } finally {
    await h.close();
  }
});
