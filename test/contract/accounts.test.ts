// The AccountStore contract (src/storage/types.ts), run against every implementation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountRecord, Storage } from '../../src/storage/types.js';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { PostgresStorage } from '../../src/storage/postgres/postgres-storage.js';
import { postgresUnavailable, startPostgres, type PgServer } from '../helpers/postgres.js';

interface Impl {
  name: string;
  skip?: string | null;
  open(): Promise<{ storage: Storage; reopen?: () => Promise<Storage>; cleanup(): void }>;
}

const pgSkip = postgresUnavailable();
let pg: PgServer | null = null;
before(async () => {
  if (pgSkip === null) pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

const IMPLS: Impl[] = [
  { name: 'memory', open: async () => ({ storage: new MemoryStorage(), cleanup() {} }) },
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'tincan-acct-contract-'));
      const file = join(dir, 'a.db');
      return { storage: new SqliteStorage(file), reopen: async () => new SqliteStorage(file), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    // what `tincan serve` uses: writes committed by the worker thread, reads here
    name: 'sqlite (writer thread)',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'tincan-acct-contract-'));
      const file = join(dir, 'a.db');
      const mk = async () => new SqliteStorage(file, { writer: 'thread' });
      return { storage: await mk(), reopen: mk, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    skip: pgSkip,
    async open() {
      const url = await pg!.createDatabase();
      return { storage: await PostgresStorage.open({ url, poolMax: 2 }), reopen: () => PostgresStorage.open({ url, poolMax: 2 }), cleanup() {} };
    },
  },
];

function rec(name: string, over: Partial<AccountRecord> = {}): AccountRecord {
  return {
    folded: name.toLowerCase(),
    name,
    createdAt: 1_700_000_000_000,
    credentials: {
      scrypt: { salt: 'c2FsdA==', hash: 'aGFzaA==', N: 16384, r: 8, p: 1 },
      scramSha256: { salt: 'c2FsdDI=', iterations: 4096, storedKey: 'c3Q=', serverKey: 'c2U=' },
    },
    flags: [],
    settings: {},
    ...over,
  };
}

for (const impl of IMPLS) {
  const it = (name: string, fn: (s: Storage, reopen?: () => Promise<Storage>) => Promise<void>) =>
    test(`${impl.name}: ${name}`, { skip: impl.skip ?? false }, async () => {
      const o = await impl.open();
      try {
        await fn(o.storage, o.reopen);
      } finally {
        await o.storage.close();
        o.cleanup();
      }
    });

  it('create then get returns everything given; unknown is null', async (s) => {
    const a = rec('Alice', { flags: ['admin'], settings: { theme: 'dark', n: 3, nested: { x: [1, 2] } } });
    assert.equal(await s.accounts.createAccount(a), true);
    assert.deepEqual(await s.accounts.getAccount('alice'), a);
    assert.equal(await s.accounts.getAccount('Alice'), null, 'the key is the folded name, as given');
    assert.equal(await s.accounts.getAccount('bob'), null);
  });

  it('create refuses a taken key and changes nothing', async (s) => {
    await s.accounts.createAccount(rec('Alice'));
    assert.equal(await s.accounts.createAccount(rec('ALICE', { folded: 'alice', createdAt: 5 })), false);
    const got = await s.accounts.getAccount('alice');
    assert.equal(got!.name, 'Alice');
    assert.equal(got!.createdAt, 1_700_000_000_000);
  });

  it('save replaces (and inserts); records are copies', async (s) => {
    const a = rec('Alice');
    await s.accounts.createAccount(a);
    (a.flags as string[]).push('mutated after create');
    assert.deepEqual((await s.accounts.getAccount('alice'))!.flags, []);
    await s.accounts.saveAccount(rec('Alice', { flags: ['admin'], settings: { k: 'v' } }));
    const got = (await s.accounts.getAccount('alice'))!;
    assert.deepEqual(got.flags, ['admin']);
    assert.deepEqual(got.settings, { k: 'v' });
    await s.accounts.saveAccount(rec('Bob'));
    assert.equal((await s.accounts.getAccount('bob'))!.name, 'Bob');
  });

  it('delete removes one account and says whether there was one', async (s) => {
    await s.accounts.createAccount(rec('Alice'));
    await s.accounts.createAccount(rec('Bob'));
    assert.equal(await s.accounts.deleteAccount('alice'), true);
    assert.equal(await s.accounts.deleteAccount('alice'), false);
    assert.equal(await s.accounts.getAccount('alice'), null);
    assert.deepEqual((await s.accounts.loadAccounts()).map((r) => r.name), ['Bob']);
    assert.equal(await s.accounts.createAccount(rec('Alice')), true, 'a dropped name can be registered again');
  });

  it('loadAccounts returns every account', async (s) => {
    for (const n of ['A1', 'B2', 'C3']) await s.accounts.createAccount(rec(n));
    assert.deepEqual((await s.accounts.loadAccounts()).map((r) => r.name).sort(), ['A1', 'B2', 'C3']);
  });

  if (impl.name !== 'memory') {
    it('accounts survive closing and reopening the database', async (s, reopen) => {
      await s.accounts.createAccount(rec('Alice', { flags: ['admin'] }));
      await s.close();
      const again = await reopen!();
      try {
        assert.deepEqual(await again.accounts.getAccount('alice'), rec('Alice', { flags: ['admin'] }));
      } finally {
        await again.close();
      }
    });
  }
}
