// Accounts: writes to one account are applied one after another, to the latest record,
// and a drop racing an update never leaves the row behind (it would come back at restart).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Accounts } from '../../../src/accounts/accounts.js';
import { MemoryAccountStore } from '../../../src/accounts/memory-store.js';
import type { AccountRecord } from '../../../src/storage/types.js';

/** A store whose saves wait until released, so writes overlap as they would on a slow disk. */
class SlowStore extends MemoryAccountStore {
  gates: (() => void)[] = [];
  override async saveAccount(rec: AccountRecord): Promise<void> {
    await new Promise<void>((r) => this.gates.push(r));
    return super.saveAccount(rec);
  }
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(cond());
}

async function withAccount(): Promise<{ store: SlowStore; accounts: Accounts }> {
  const store = new SlowStore();
  const accounts = new Accounts(store, (s) => s.toLowerCase());
  const r = await accounts.register('Alice', 'a good password', 1, 4096);
  assert.equal(r.ok, true);
  return { store, accounts };
}

test('two overlapping updates of one account both keep their change, in memory and in the store', async () => {
  const { store, accounts } = await withAccount();
  const a = accounts.update('alice', (r) => ({ ...r, settings: { ...r.settings, one: 1 } }));
  const b = accounts.update('alice', (r) => ({ ...r, settings: { ...r.settings, two: 2 } }));
  await until(() => store.gates.length === 1);
  store.gates.shift()!();
  await until(() => store.gates.length === 1);
  store.gates.shift()!();
  await Promise.all([a, b]);
  assert.deepEqual(accounts.get('alice')!.settings, { one: 1, two: 2 });
  assert.deepEqual((await store.getAccount('alice'))!.settings, { one: 1, two: 2 });
});

test('a drop while an update is being saved deletes the row after the save: nothing comes back', async () => {
  const { store, accounts } = await withAccount();
  const u = accounts.update('alice', (r) => ({ ...r, flags: ['admin'] }));
  await until(() => store.gates.length === 1);
  const d = accounts.drop('alice');
  assert.equal(accounts.get('alice'), undefined, 'gone from memory at once');
  store.gates.shift()!();
  assert.equal(await u, null, 'the update reports the account gone');
  assert.equal(await d, true);
  assert.equal(await store.getAccount('alice'), null, 'not resurrected in the store');
  assert.deepEqual(await store.loadAccounts(), []);
});
