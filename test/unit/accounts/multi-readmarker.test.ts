// draft/read-marker (src/core/commands/readmarker.ts): per account, shared by its sessions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, withCommand, type Harness } from '../../helpers/harness.js';
import type { FakeConnection } from '../../helpers/fake-conn.js';
import { MemoryStorage } from '../../../src/storage/memory/memory-storage.js';
import { saslLogin } from './util.js';

const PW = 'correct horse';
const T1 = '2026-12-01T10:00:00.000Z';
const T2 = '2026-12-01T11:30:00.500Z';

async function saslClient(h: Harness, nick: string, caps: string[] = ['draft/read-marker'], keep = false): Promise<FakeConnection> {
  const c = await saslLogin(h, nick, 'alice', PW, caps);
  if (!keep) c.take();
  return c;
}

const marks = (lines: string[]): string[] => withCommand(lines, 'MARKREAD');

test('MARKREAD set on one session reaches the others; get; only forward; JOIN tells it before 366', async () => {
  const storage = new MemoryStorage();
  const h = harness({}, undefined, { storage });
  try {
    assert.ok((await h.server.accounts.register('alice', PW, h.clock.now, 4096)).ok);
    const phone = await saslClient(h, 'alice');
    const laptop = await saslClient(h, 'laptop');
    const old = await saslClient(h, 'old', []);
    phone.recv('JOIN #room');
    phone.take();
    laptop.take();
    phone.recv('MARKREAD #room');
    assert.deepEqual(marks(phone.take()), [':test.server MARKREAD #room *']);
    phone.recv(`MARKREAD #Room timestamp=${T2}`);
    assert.deepEqual(marks(phone.take()), [`:test.server MARKREAD #Room timestamp=${T2}`]);
    assert.deepEqual(marks(laptop.take()), [`:test.server MARKREAD #Room timestamp=${T2}`], 'the other session hears it');
    assert.deepEqual(marks(old.take()), [], 'not to a session without the capability');
    // an older marker from a device that was offline does not move it back
    laptop.recv(`MARKREAD #room timestamp=${T1}`);
    assert.deepEqual(marks(laptop.take()), [`:test.server MARKREAD #room timestamp=${T2}`]);
    laptop.recv('MARKREAD #room');
    assert.deepEqual(marks(laptop.take()), [`:test.server MARKREAD #room timestamp=${T2}`]);
    // a private conversation too
    laptop.recv(`MARKREAD bob timestamp=${T1}`);
    assert.deepEqual(marks(phone.take()), [`:test.server MARKREAD bob timestamp=${T1}`]);
    // bad input
    laptop.recv('MARKREAD #room timestamp=yesterday');
    assert.match(laptop.take().join('\n'), /FAIL MARKREAD INVALID_PARAMS #room :Invalid timestamp/);
    laptop.recv('MARKREAD no,such');
    assert.match(laptop.take().join('\n'), /FAIL MARKREAD INVALID_PARAMS no,such /);
    // a new session joining the room hears the marker between JOIN and 366
    const third = await saslClient(h, 'tablet', ['draft/read-marker'], true);
    const got = third.lines;
    const j = got.findIndex((l) => / JOIN #room/.test(l));
    const m = got.findIndex((l) => l === `:test.server MARKREAD #room timestamp=${T2}`);
    const end = got.findIndex((l) => / 366 /.test(l));
    assert.ok(j >= 0 && j < m && m < end, got.join('\n'));
    // kept in the account's settings: survives a restart
    const w = Date.now() + 5000;
    while (((await storage.accounts.getAccount('alice'))?.settings['readMarkers'] as Record<string, number> | undefined)?.['bob'] === undefined) {
      if (Date.now() > w) throw new Error('markers not saved');
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await h.close();
  }
  const h2 = harness({}, undefined, { storage });
  try {
    const h2srv = h2.server;
    await h2srv.accounts.load();
    const again = await saslClient(h2, 'alice');
    again.recv('MARKREAD #room');
    assert.deepEqual(marks(again.take()), [`:test.server MARKREAD #room timestamp=${T2}`]);
  } finally {
    await h2.close();
  }
});

test('without an account the marker is the session\'s own; a dropped account\'s markers go', async () => {
  const h = harness();
  try {
    const a = h.client('anon', ['draft/read-marker']);
    const b = h.client('other', ['draft/read-marker']);
    a.recv(`MARKREAD #x timestamp=${T1}`);
    assert.deepEqual(marks(a.take()), [`:test.server MARKREAD #x timestamp=${T1}`]);
    assert.deepEqual(marks(b.take()), []);
    b.recv('MARKREAD #x');
    assert.deepEqual(marks(b.take()), [':test.server MARKREAD #x *']);
    assert.ok((await h.server.accounts.register('alice', PW, h.clock.now, 4096)).ok);
    const s = await saslClient(h, 'alice');
    s.recv(`MARKREAD #secret timestamp=${T1}`);
    s.recv('QUIT');
    assert.ok(await h.server.accounts.drop('alice'));
    assert.ok((await h.server.accounts.register('alice', PW, h.clock.now, 4096)).ok);
    const n = await saslClient(h, 'alice');
    n.recv('MARKREAD #secret');
    assert.deepEqual(marks(n.take()), [':test.server MARKREAD #secret *']);
  } finally {
    await h.close();
  }
});
