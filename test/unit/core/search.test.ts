// SEARCH costs: only the rooms the user may read, a bound per query (and the user is
// told when it was cut short), one search per session at a time, and a server-wide
// budget so many searchers cannot starve everyone else. Measured in rows examined
// (the stores' own count), never wall-clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';
import { MemoryStorage } from '../../../src/storage/memory/memory-storage.js';
import type { SearchQuery, SearchStats, Storage } from '../../../src/storage/types.js';
import { SEARCH_MAX_ROWS, SEARCH_ROWS_PER_SECOND } from '../../../src/core/commands/history.js';
import { harness, type Harness } from '../../helpers/harness.js';
import { msgs, until } from './util.js';

/** Records every query the store gets, with its stats once answered. */
function spy(storage: Storage): { queries: SearchQuery[]; stats: SearchStats[] } {
  const log = { queries: [] as SearchQuery[], stats: [] as SearchStats[] };
  const real = storage.history.search.bind(storage.history);
  storage.history.search = async (q) => {
    log.queries.push(q);
    const r = await real(q);
    if (q.stats !== undefined) log.stats.push({ ...q.stats });
    return r;
  };
  return log;
}

/** `n` messages from a talker in `chan`. */
function chatter(h: Harness, chan: string, n: number, text: (i: number) => string): void {
  const t = h.client('talker' + chan.slice(1));
  t.recv('JOIN ' + chan);
  for (let i = 0; i < n; i++) t.recv(`PRIVMSG ${chan} :${text(i)}`);
}

const notices = (lines: string[]): string[] => msgs(lines, 'NOTICE').map((m) => m.params[1]!);

test('SEARCH from a user in an empty room reads nothing of the busy rooms (sqlite)', async () => {
  const storage = new SqliteStorage(':memory:');
  const h = harness({}, undefined, { storage });
  const log = spy(storage);
  try {
    chatter(h, '#busy', 3000, (i) => `the same old thing number ${i}`);
    chatter(h, '#other', 3000, (i) => `the other room says ${i}`);
    const a = h.client('alice');
    a.recv('JOIN #empty');
    a.take();
    a.recv('SEARCH the');
    await until(() => notices(a.lines).some((n) => n.includes('no results')), 'the answer');
    assert.deepEqual(log.queries.map((q) => q.targets), [['#empty']]);
    // the room's only row is alice's own JOIN: not one row of another room looked at
    assert.equal(log.stats[0]!.examined, 1);
  } finally {
    await h.close();
  }
});

test('SEARCH with no rooms to search makes no query at all', async () => {
  const storage = new MemoryStorage();
  const h = harness({}, undefined, { storage });
  const log = spy(storage);
  try {
    chatter(h, '#busy', 10, (i) => `the thing ${i}`);
    const a = h.client('alice');
    a.recv('SEARCH the');
    assert.deepEqual(notices(a.take()), ['*** Search: you are in no rooms; join one to search its history']);
    assert.equal(log.queries.length, 0);
  } finally {
    await h.close();
  }
});

test('SEARCH is bounded per query, and the user is told when it was cut short', async () => {
  const storage = new MemoryStorage();
  const h = harness({}, undefined, { storage });
  const log = spy(storage);
  try {
    chatter(h, '#big', SEARCH_MAX_ROWS + 500, (i) => (i === 0 ? 'zebra, long ago' : `chatter ${i}`));
    const a = h.client('alice');
    a.recv('JOIN #big');
    a.take();
    a.recv('SEARCH zebra');
    await until(() => notices(a.lines).some((n) => n.startsWith('*** Search stopped early')), 'the cut-short notice');
    assert.equal(log.queries[0]!.maxRows, SEARCH_MAX_ROWS);
    assert.equal(log.stats[0]!.examined, SEARCH_MAX_ROWS);
    assert.equal(log.stats[0]!.complete, false);
    const got = notices(a.take());
    assert.ok(got.includes(`*** Search stopped early after looking at ${SEARCH_MAX_ROWS} messages: older matches may be missing. Narrow it down: SEARCH #room words`), got.join('\n'));
  } finally {
    await h.close();
  }
});

test('one SEARCH at a time per session: FAIL SEARCH BUSY for a second one in flight', async () => {
  const h = harness();
  try {
    chatter(h, '#c', 5, (i) => `pizza ${i}`);
    const a = h.client('alice');
    a.recv('JOIN #c');
    a.take();
    a.recv('SEARCH pizza');
    a.recv('SEARCH pizza');
    const busy = msgs(a.lines, 'FAIL').map((m) => m.params);
    assert.deepEqual(busy, [['SEARCH', 'BUSY', 'Your previous search is still running']]);
    await until(() => notices(a.lines).some((n) => n.includes('5 results')), 'the first answer');
    a.take();
    a.recv('SEARCH pizza');
    await until(() => notices(a.lines).some((n) => n.includes('5 results')), 'a later search');
    assert.equal(msgs(a.take(), 'FAIL').length, 0);
  } finally {
    await h.close();
  }
});

test('the server-wide search budget: many costly searchers get FAIL SEARCH BUSY; it refills on the clock', async () => {
  const storage = new MemoryStorage();
  const h = harness({}, undefined, { storage });
  const log = spy(storage);
  try {
    chatter(h, '#big', SEARCH_MAX_ROWS + 10, (i) => `chatter ${i}`);
    const n = SEARCH_ROWS_PER_SECOND / SEARCH_MAX_ROWS;
    const users = Array.from({ length: n + 2 }, (_, i) => h.client('u' + i));
    for (const u of users) u.recv('JOIN #big');
    for (const u of users) u.take();
    // every search looks at SEARCH_MAX_ROWS rows: the budget covers n of them a second
    for (const u of users) u.recv('SEARCH zebra');
    await until(() => log.stats.length === n, 'the searches that were let in');
    const fails = users.map((u) => msgs(u.lines, 'FAIL').map((m) => m.params.slice(0, 2).join(' ')));
    assert.deepEqual(fails.slice(0, n), Array(n).fill([]));
    assert.deepEqual(fails.slice(n), [['SEARCH BUSY'], ['SEARCH BUSY']]);
    assert.match(msgs(users[n]!.lines, 'FAIL')[0]!.params[2]!, /busy with other searches; try again/);
    assert.equal(log.stats.reduce((t, s) => t + s.examined, 0), SEARCH_ROWS_PER_SECOND);
    // still spent: the next one waits
    users[n]!.take();
    users[n]!.recv('SEARCH zebra');
    assert.equal(msgs(users[n]!.take(), 'FAIL').length, 1);
    // a second later the budget is back
    h.clock.now += 1000;
    users[n]!.recv('SEARCH zebra');
    await until(() => log.stats.length === n + 1, 'the search after the refill');
    assert.equal(msgs(users[n]!.lines, 'FAIL').length, 0);
    // bystanders were never held up: they chat right away
    users[0]!.take();
    users[1]!.recv('PRIVMSG #big :hi');
    assert.equal(msgs(users[0]!.take(), 'PRIVMSG').length, 1);
  } finally {
    await h.close();
  }
});

test('a cheap search gives back the budget it did not use', async () => {
  const storage = new MemoryStorage();
  const h = harness({}, undefined, { storage });
  const log = spy(storage);
  try {
    chatter(h, '#c', 3, (i) => `pizza ${i}`);
    const a = h.client('alice');
    a.recv('JOIN #c');
    a.take();
    // far more searches than the budget would allow if each kept its reservation
    const rounds = (SEARCH_ROWS_PER_SECOND / SEARCH_MAX_ROWS) * 3;
    for (let i = 0; i < rounds; i++) {
      a.recv('SEARCH pizza');
      await until(() => log.stats.length === i + 1, 'search ' + i);
    }
    assert.equal(msgs(a.lines, 'FAIL').length, 0);
  } finally {
    await h.close();
  }
});
