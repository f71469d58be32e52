// The storage contract (src/storage/types.ts) as a suite over a factory: every backend
// runs the same tests (storage.test.ts: memory, SQLite, PostgreSQL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NewEvent, Storage, StoredEvent } from '../../src/storage/types.js';
import { DEFAULT_SEARCH_MAX_ROWS, MAX_ID, privateParties, privateTarget, waitingTarget } from '../../src/storage/types.js';
import { parseSearchWords } from '../../src/storage/search-text.js';
import { EventBuffer } from '../../src/core/history-buffer.js';

export interface StorageImpl {
  name: string;
  /** a fresh, empty store; `reopen` opens the same data again (persistent stores) */
  open(): Promise<{ storage: Storage; reopen?: () => Promise<Storage>; cleanup(): void | Promise<void> }>;
  /** set (to the reason) when the backend cannot run here: its tests are skipped, saying why */
  skip?: string | null;
  /**
   * The store's index restricts a search to the asked targets, so a search there can be
   * complete when another room holds many matches (PostgreSQL); the others stop early.
   */
  searchIndexesTargets?: boolean;
}

const T0 = 1_700_000_000_000;
function ev(i: number, over: Partial<NewEvent> = {}): NewEvent {
  return { target: '#a', msgid: 'm' + i, time: T0 + i * 1000, command: 'PRIVMSG', source: 'alice!~a@h', params: ['#A', 'message ' + i], tags: '', ...over };
}
const texts = (es: StoredEvent[]): string[] => es.map((e) => e.params[1] ?? e.command);
const nums = (es: StoredEvent[]): number[] => es.map((e) => Number(e.msgid.slice(1)));

/** Runs `check` on `s`, then (persistent stores) on the same data reopened. */
async function checkAgain(s: Storage, reopen: (() => Promise<Storage>) | undefined, check: (st: Storage) => Promise<void>): Promise<void> {
  await check(s);
  if (reopen === undefined) return;
  await s.close();
  const again = await reopen();
  try {
    await check(again);
  } finally {
    await again.close();
  }
}

export function storageContract(impl: StorageImpl): void {
  const it = (name: string, fn: (s: Storage, reopen?: () => Promise<Storage>) => Promise<void>) =>
    test(`${impl.name}: ${name}`, { skip: impl.skip ?? false }, async () => {
      const o = await impl.open();
      try {
        await fn(o.storage, o.reopen);
      } finally {
        await o.storage.close();
        await o.cleanup();
      }
    });

  it('append then range returns events with everything they were given, ascending', async (s) => {
    await s.history.append([ev(1, { tags: '+draft/react=x' }), ev(2, { command: 'NOTICE' }), ev(3, { command: 'JOIN', params: ['#A'] })]);
    const all = await s.history.range({ target: '#a', after: null, before: null, from: 'oldest', limit: 10, kinds: 'all' });
    assert.deepEqual(nums(all), [1, 2, 3]);
    assert.equal(all[0]!.tags, '+draft/react=x');
    assert.equal(all[0]!.source, 'alice!~a@h');
    assert.equal(all[0]!.time, T0 + 1000);
    assert.deepEqual(all[0]!.params, ['#A', 'message 1']);
    assert.ok(all[0]!.id < all[1]!.id && all[1]!.id < all[2]!.id);
    const msgs = await s.history.range({ target: '#a', after: null, before: null, from: 'oldest', limit: 10, kinds: 'messages' });
    assert.deepEqual(nums(msgs), [1, 2], 'messages = PRIVMSG and NOTICE');
    assert.deepEqual(await s.history.range({ target: '#b', after: null, before: null, from: 'oldest', limit: 10, kinds: 'all' }), []);
  });

  it('appendEncoded (where the store has it) stores what append would, in order, removed records skipped; searchable; across a reopen', async (s, reopen) => {
    if (s.history.appendEncoded === undefined) return;
    const b = new EventBuffer();
    const put = (e: NewEvent): void => b.push(e.target, e.msgid, e.time, e.command, e.source, e.params, e.tags);
    put(ev(1, { tags: '+draft/react=\u00e9', params: ['#A', 'grüße 🎉 one'] }));
    put(ev(2));
    put(ev(3, { command: 'JOIN', params: ['#A'], source: 'bob!~b@h' }));
    put(ev(4, { params: ['#A', 'redacted before the commit'] }));
    b.removeMessage('#a', 'm4');
    await s.history.appendEncoded(b.takeAll().toBytes());
    await s.history.append([ev(5)]);
    await checkAgain(s, reopen, async (st) => {
      const all = await st.history.range({ target: '#a', after: null, before: null, from: 'oldest', limit: 10, kinds: 'all' });
      assert.deepEqual(nums(all), [1, 2, 3, 5]);
      assert.equal(all[0]!.tags, '+draft/react=\u00e9');
      assert.deepEqual(all[0]!.params, ['#A', 'grüße 🎉 one']);
      assert.equal(all[2]!.command, 'JOIN');
      assert.equal(all[2]!.source, 'bob!~b@h');
      assert.equal(all[1]!.time, T0 + 2000);
      assert.deepEqual(nums(await st.history.search({ targets: ['#a'], words: parseSearchWords('one'), limit: 10 })), [1]);
    });
  });

  it('bounds are exclusive; oldest/newest pick the right end; limit holds', async (s) => {
    await s.history.append(Array.from({ length: 10 }, (_, i) => ev(i + 1)));
    const c4 = (await s.history.locate('#a', 'm4'))!;
    const c8 = (await s.history.locate('#a', 'm8'))!;
    const q = { target: '#a', kinds: 'all' as const };
    assert.deepEqual(nums(await s.history.range({ ...q, after: c4, before: c8, from: 'oldest', limit: 10 })), [5, 6, 7]);
    assert.deepEqual(nums(await s.history.range({ ...q, after: c4, before: null, from: 'oldest', limit: 2 })), [5, 6]);
    assert.deepEqual(nums(await s.history.range({ ...q, after: null, before: c8, from: 'newest', limit: 2 })), [6, 7]);
    assert.deepEqual(nums(await s.history.range({ ...q, after: null, before: null, from: 'newest', limit: 3 })), [8, 9, 10]);
    // timestamp bounds: strictly after / before a time
    const t5 = T0 + 5000;
    assert.deepEqual(nums(await s.history.range({ ...q, after: { time: t5, id: MAX_ID }, before: null, from: 'oldest', limit: 2 })), [6, 7]);
    assert.deepEqual(nums(await s.history.range({ ...q, after: null, before: { time: t5, id: 0 }, from: 'newest', limit: 2 })), [3, 4]);
    assert.equal(await s.history.locate('#a', 'nope'), null);
    assert.equal(await s.history.locate('#b', 'm4'), null, 'locate is per target');
  });

  it('events sharing a time keep append order', async (s) => {
    await s.history.append([ev(1, { time: T0 }), ev(2, { time: T0 }), ev(3, { time: T0 })]);
    const c2 = (await s.history.locate('#a', 'm2'))!;
    const q = { target: '#a', kinds: 'all' as const, limit: 10 };
    assert.deepEqual(nums(await s.history.range({ ...q, after: c2, before: null, from: 'oldest' })), [3]);
    assert.deepEqual(nums(await s.history.range({ ...q, after: null, before: c2, from: 'newest' })), [1]);
  });

  it('search: every word, case and accents ignored, prefixes, only the given targets, newest first', async (s) => {
    await s.history.append([
      ev(1, { params: ['#A', 'Pizza on Friday?'] }),
      ev(2, { params: ['#A', 'no pizza today'] }),
      ev(3, { target: '#b', params: ['#B', 'pizza friday in b'] }),
      ev(4, { params: ['#A', '\x01ACTION wants CAFÉ pizza\x01'] }),
      ev(5, { command: 'TOPIC', params: ['#A', 'pizza friday topic'] }),
      ev(6, { params: ['#A', '\x02bold\x02 fridays'] }),
    ]);
    const find = async (text: string, targets = ['#a']) => nums(await s.history.search({ targets, words: parseSearchWords(text), limit: 10 }));
    assert.deepEqual(await find('pizza friday'), [1]);
    assert.deepEqual(await find('PIZZA'), [4, 2, 1]);
    assert.deepEqual(await find('cafe'), [4]);
    assert.deepEqual(await find('action'), [], 'the CTCP wrapper is not searchable');
    assert.deepEqual(await find('fri*'), [6, 1]);
    assert.deepEqual(await find('bold'), [6]);
    assert.deepEqual(await find('pizza friday', ['#a', '#b']), [3, 1]);
    assert.deepEqual(await find('pizza', []), []);
    assert.deepEqual(await find('topic'), [], 'events are not searched');
    assert.equal((await s.history.search({ targets: ['#a'], words: ['pizza'], limit: 2 })).length, 2);
  });

  it('search reads only the asked targets: a busy room costs nothing to a search elsewhere', async (s) => {
    const busy: NewEvent[] = [];
    for (let i = 1; i <= 3000; i++) busy.push(ev(i, { target: '#busy', params: ['#busy', 'the same old thing ' + i] }));
    busy.push(ev(3001, { target: '#quiet', command: 'JOIN', params: ['#quiet'] }));
    for (let i = 0; i < 8; i++) busy.push(ev(3002 + i, { target: '#small', params: ['#small', i % 3 === 0 ? 'the one' : 'other'] }));
    await s.history.append(busy);
    const stats = { examined: -1, complete: false };
    const words = parseSearchWords('the');
    // a room with no messages: nothing of #busy is looked at
    assert.deepEqual(await s.history.search({ targets: ['#quiet'], words, limit: 20, stats }), []);
    assert.ok(stats.examined <= 1 && stats.complete, JSON.stringify(stats));
    // a room nobody wrote in at all, and no rooms: no rows at all
    assert.deepEqual(await s.history.search({ targets: ['#nothing'], words, limit: 20, stats }), []);
    assert.deepEqual(stats, { examined: 0, complete: true });
    assert.deepEqual(await s.history.search({ targets: [], words, limit: 20, stats }), []);
    assert.deepEqual(stats, { examined: 0, complete: true });
    // a small room next to the busy one: its own 8 rows, exact results
    assert.deepEqual(nums(await s.history.search({ targets: ['#small'], words, limit: 20, stats })), [3008, 3005, 3002]);
    assert.ok(stats.examined <= 8 && stats.complete, JSON.stringify(stats));
  });

  it('search is bounded by maxRows and says when it stopped early', async (s) => {
    const es: NewEvent[] = [];
    for (let i = 1; i <= 200; i++) es.push(ev(i, { params: ['#A', i === 1 ? 'pizza once' : i % 2 === 0 ? 'common word ' + i : 'common other'] }));
    for (let i = 201; i <= 400; i++) es.push(ev(i, { target: '#b', params: ['#B', 'common in b'] }));
    await s.history.append(es);
    const stats = { examined: 0, complete: false };
    // enough hits within the budget: the newest, complete
    const got = await s.history.search({ targets: ['#a'], words: ['common'], limit: 3, maxRows: 20, stats });
    assert.deepEqual(nums(got), [200, 199, 198]);
    assert.ok(stats.examined <= 20 && stats.complete, JSON.stringify(stats));
    // a rare old match: either found exactly, or the search says it stopped early
    const rare = await s.history.search({ targets: ['#a'], words: ['pizza'], limit: 3, maxRows: 20, stats });
    assert.ok(stats.examined <= 20, JSON.stringify(stats));
    if (stats.complete) assert.deepEqual(nums(rare), [1]);
    else assert.deepEqual(rare, []);
    // many matches in another target, none in ours past the budget: stopped early
    const none = await s.history.search({ targets: ['#a'], words: ['common', 'in'], limit: 3, maxRows: 50, stats });
    assert.deepEqual(none, []);
    assert.ok(stats.examined <= 50, JSON.stringify(stats));
    // an index that knows the targets settles it (no match here); the others say they stopped
    if (impl.searchIndexesTargets !== true) assert.ok(!stats.complete, JSON.stringify(stats));
    // without maxRows the default bound applies, and this small store fits in it
    const all = await s.history.search({ targets: ['#a', '#b'], words: ['common'], limit: 500, stats });
    assert.equal(all.length, 399);
    assert.ok(stats.complete && stats.examined <= DEFAULT_SEARCH_MAX_ROWS);
  });

  it('presence: the newest JOIN/PART/QUIT/NICK by one nick in one target, ascending', async (s) => {
    await s.history.append([
      ev(1, { command: 'JOIN', params: ['#A'], source: 'bob!~b@h' }),
      ev(2, { source: 'bob!~b@h' }), // a message is no presence
      ev(3, { command: 'JOIN', params: ['#A'], source: 'bobby!~b@h' }), // another nick with bob as prefix
      ev(4, { command: 'PART', params: ['#A'], source: 'bob!~other@h2' }),
      ev(5, { command: 'QUIT', params: ['bye'], source: 'bob!~b@h', target: '#b' }),
      ev(6, { command: 'JOIN', params: ['#A'], source: 'bob!~b@h' }),
      ev(7, { command: 'NICK', params: ['rob'], source: 'bob!~b@h' }),
      ev(8, { command: 'JOIN', params: ['#A'], source: 'Bob!~b@h' }), // nicks as written
    ]);
    assert.deepEqual(nums(await s.history.presence('#a', 'bob', 10)), [1, 4, 6, 7]);
    assert.deepEqual(nums(await s.history.presence('#a', 'bob', 2)), [6, 7]);
    assert.deepEqual(nums(await s.history.presence('#b', 'bob', 10)), [5]);
    assert.deepEqual(await s.history.presence('#a', 'carol', 10), []);
  });

  it('latestTimes: latest message strictly inside the window, per target', async (s) => {
    await s.history.append([ev(1), ev(2, { target: '#b' }), ev(3), ev(4, { command: 'JOIN', params: ['#A'] })]);
    const m = await s.history.latestTimes(['#a', '#b', '#c'], T0, T0 + 10_000);
    assert.deepEqual([...m].sort(), [['#a', T0 + 3000], ['#b', T0 + 2000]]);
    const m2 = await s.history.latestTimes(['#a', '#b'], T0 + 2000, T0 + 3000);
    assert.deepEqual([...m2], [], 'bounds are exclusive');
  });

  it('prune by age and by count, in chunks, keeps the newest; search forgets pruned rows', async (s) => {
    await s.history.append(Array.from({ length: 10 }, (_, i) => ev(i + 1, { params: ['#A', 'word ' + i] })));
    await s.history.append(Array.from({ length: 3 }, (_, i) => ev(100 + i, { target: '#b' })));
    assert.equal(await s.history.prune({ olderThan: T0 + 4000, maxPerTarget: null, maxRows: 2 }), 2);
    assert.equal(await s.history.prune({ olderThan: T0 + 4000, maxPerTarget: null, maxRows: 100 }), 1);
    const all = async (t: string) => nums(await s.history.range({ target: t, after: null, before: null, from: 'oldest', limit: 100, kinds: 'all' }));
    assert.deepEqual(await all('#a'), [4, 5, 6, 7, 8, 9, 10]);
    assert.equal(await s.history.prune({ olderThan: null, maxPerTarget: 2, maxRows: 100 }), 6);
    assert.deepEqual(await all('#a'), [9, 10]);
    assert.deepEqual(await all('#b'), [101, 102]);
    assert.deepEqual(nums(await s.history.search({ targets: ['#a'], words: ['word'], limit: 10 })), [10, 9]);
    assert.equal(await s.history.prune({ olderThan: null, maxPerTarget: 2, maxRows: 100 }), 0);
  });

  it('deleteMessage removes one event by msgid: from range, search and locate; unknown = 0', async (s, reopen) => {
    await s.history.append([ev(1, { params: ['#A', 'redact me please'] }), ev(2, { params: ['#A', 'keep me please'] })]);
    assert.equal(await s.history.deleteMessage('#b', 'm1'), 0, 'another target');
    assert.equal(await s.history.deleteMessage('#a', 'm1'), 1);
    assert.equal(await s.history.deleteMessage('#a', 'm1'), 0, 'only once');
    const check = async (st: Storage): Promise<void> => {
      assert.deepEqual(nums(await st.history.range({ target: '#a', after: null, before: null, from: 'oldest', limit: 10, kinds: 'all' })), [2]);
      assert.equal(await st.history.locate('#a', 'm1'), null);
      assert.deepEqual(nums(await st.history.search({ targets: ['#a'], words: ['please'], limit: 10 })), [2]);
    };
    await checkAgain(s, reopen, check);
  });

  it('renameTarget moves a room\'s events (merged in order with what the new name held), search follows', async (s, reopen) => {
    await s.history.append([ev(1, { target: '#new', params: ['#new', 'older room word'] }), ev(2, { params: ['#A', 'renamed word'] }), ev(3, { target: '#new', params: ['#new', 'later word'] }), ev(4, { params: ['#A', 'more word'] })]);
    assert.equal(await s.history.renameTarget('#a', '#new'), 2);
    assert.equal(await s.history.renameTarget('#gone', '#x'), 0);
    const check = async (st: Storage): Promise<void> => {
      assert.deepEqual(nums(await st.history.range({ target: '#new', after: null, before: null, from: 'oldest', limit: 10, kinds: 'all' })), [1, 2, 3, 4]);
      assert.deepEqual(await st.history.range({ target: '#a', after: null, before: null, from: 'oldest', limit: 10, kinds: 'all' }), []);
      assert.deepEqual(nums(await st.history.search({ targets: ['#new'], words: ['word'], limit: 10 })), [4, 3, 2, 1]);
      assert.deepEqual(await st.history.search({ targets: ['#a'], words: ['word'], limit: 10 }), []);
      assert.notEqual(await st.history.locate('#new', 'm2'), null);
    };
    await checkAgain(s, reopen, check);
  });

  it('private targets: targets(prefix) lists them; deleteTargets removes them (up to a time), search and locate included', async (s, reopen) => {
    const ab = privateTarget('alice', 'bob');
    assert.equal(ab, privateTarget('bob', 'alice'), 'one key from either side');
    assert.deepEqual(privateParties(ab), ['alice', 'bob']);
    assert.equal(privateParties('#room'), null);
    const ac = privateTarget('alice', 'carol');
    const wait = waitingTarget('bob');
    await s.history.append([
      ev(1, { target: ab, params: ['bob', 'secret plan'] }),
      ev(2, { target: ab, params: ['alice', 'secret reply'] }),
      ev(3, { target: ac, params: ['carol', 'secret other'] }),
      ev(4, { target: '#a', params: ['#A', 'secret public'] }),
      ev(5, { target: wait, params: ['bob', 'waiting one'] }),
      ev(6, { target: wait, params: ['bob', 'waiting two'] }),
    ]);
    assert.deepEqual(await s.history.targets('@', 100), [ab, ac].sort());
    assert.deepEqual(await s.history.targets('@alice ', 1), [ab].sort().slice(0, 1));
    assert.deepEqual(await s.history.targets('%', 100), [wait]);
    assert.deepEqual(await s.history.targets('@zzz', 100), []);
    // delivered waiting messages: only those before the time go
    assert.equal(await s.history.deleteTargets([wait], T0 + 6000), 1);
    const left = await s.history.range({ target: wait, after: null, before: null, from: 'oldest', limit: 10, kinds: 'all' });
    assert.deepEqual(nums(left), [6]);
    // a dropped account: every conversation it had, gone, also from search
    assert.equal(await s.history.deleteTargets([ab, ac, '@nobody here'], null), 3);
    assert.deepEqual(await s.history.range({ target: ab, after: null, before: null, from: 'oldest', limit: 10, kinds: 'all' }), []);
    assert.equal(await s.history.locate(ab, 'm1'), null);
    assert.deepEqual(nums(await s.history.search({ targets: [ab, ac, '#a'], words: ['secret'], limit: 10 })), [4]);
    assert.deepEqual(await s.history.targets('@', 100), []);
    if (reopen !== undefined) {
      await s.close();
      const again = await reopen();
      try {
        assert.deepEqual(await again.history.targets('@', 100), [], 'deleted for good');
        assert.deepEqual(nums(await again.history.search({ targets: [ab, '#a'], words: ['secret'], limit: 10 })), [4]);
        await again.history.append([ev(7, { target: ab, params: ['bob', 'after'] })]);
        assert.deepEqual(nums(await again.history.search({ targets: [ab], words: ['after'], limit: 10 })), [7], 'the index still works');
      } finally {
        await again.close();
      }
      // the suite closes `s` again: a second close must be harmless
    }
  });

  it('sanctions round-trip, replace by id, delete, and survive a reopen', async (s, reopen) => {
    const ban = { id: 'ban * ip 10.0.0.0/8', kind: 'ban' as const, scope: '*', match: 'ip' as const, value: '10.0.0.0/8', reason: 'spam', setBy: 'console', setAt: T0, expiresAt: T0 + 60_000 };
    const mute = { id: 'mute #a mask *!*@h', kind: 'mute' as const, scope: '#a', match: 'mask' as const, value: '*!*@h', reason: '', setBy: 'admin', setAt: T0, expiresAt: null };
    await s.sanctions.saveSanction(ban);
    await s.sanctions.saveSanction(mute);
    await s.sanctions.saveSanction({ ...ban, reason: 'more spam' });
    await s.sanctions.deleteSanction('nope');
    const sorted = async (st: Storage) => (await st.sanctions.loadSanctions()).sort((a, b) => (a.id < b.id ? -1 : 1));
    assert.deepEqual(await sorted(s), [{ ...ban, reason: 'more spam' }, mute]);
    await s.sanctions.deleteSanction(mute.id);
    assert.deepEqual(await sorted(s), [{ ...ban, reason: 'more spam' }]);
    if (reopen !== undefined) {
      await s.close();
      const again = await reopen();
      try {
        assert.deepEqual(await sorted(again), [{ ...ban, reason: 'more spam' }]);
      } finally {
        await again.close();
      }
    }
  });

  it('channel state round-trips, replaces by name, deletes', async (s, reopen) => {
    const st = { folded: '#a', name: '#A', createdAt: T0, topic: 'hi', topicBy: 'a!b@c', topicAt: T0 + 1, flags: 'int', key: 'k', limit: 5, bans: [{ mask: '*!*@x', setBy: 'a', setAt: T0 }] };
    await s.channels.saveChannel(st);
    await s.channels.saveChannel({ ...st, folded: '#b', name: '#b', key: null, limit: null, bans: [] });
    await s.channels.saveChannel({ ...st, topic: 'changed' });
    await s.channels.deleteChannel('#b');
    await s.channels.deleteChannel('#zzz');
    assert.deepEqual(await s.channels.loadChannels(), [{ ...st, topic: 'changed' }]);
    if (reopen !== undefined) {
      await s.history.append([ev(1)]);
      await s.close();
      const again = await reopen();
      try {
        assert.deepEqual(await again.channels.loadChannels(), [{ ...st, topic: 'changed' }]);
        assert.deepEqual(texts(await again.history.range({ target: '#a', after: null, before: null, from: 'oldest', limit: 5, kinds: 'all' })), ['message 1']);
      } finally {
        await again.close();
      }
    }
  });
}
