/**
 * PostgreSQL search agrees with the reference (memory) store on random messages and
 * queries: accents, case, punctuation, quotes and backslashes (the tsvector/tsquery
 * quoting), prefixes, several rooms. Skipped, saying why, without PostgreSQL.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryStorage } from '../../../src/storage/memory/memory-storage.js';
import { PostgresStorage } from '../../../src/storage/postgres/postgres-storage.js';
import { parseSearchWords } from '../../../src/storage/search-text.js';
import type { NewEvent } from '../../../src/storage/types.js';
import { postgresUnavailable, startPostgres, type PgServer } from '../../helpers/postgres.js';

const skip = postgresUnavailable() ?? false;
let server: PgServer | null = null;
let store: PostgresStorage | null = null;
before(async () => {
  if (skip !== false) return;
  server = await startPostgres();
  store = await PostgresStorage.open({ url: await server.createDatabase() });
});
after(async () => {
  await store?.close();
  await server?.stop();
});

// few distinct words, so queries hit; accents, case, punctuation and quoting in between
const WORDS = ['café', 'Cafe', 'naïve', 'NAIVE', "o'brien", 'back\\slash', 'über', 'uber', 'x1', 'émile', 'straße', '日本', 'a-b', 'it’s', 'zz'];
const ROOMS = ['#a', '#b', "#q'uote", '#back\\'];
const word = fc.constantFrom(...WORDS);
const sep = fc.constantFrom(' ', ', ', '! ', ' - ', '\x02 ');
const text = fc.array(fc.tuple(word, sep), { minLength: 1, maxLength: 6 }).map((ws) => ws.map(([w, s]) => w + s).join('').trim());
const message = fc.record({ room: fc.constantFrom(...ROOMS), text, action: fc.boolean() });
const query = fc.array(
  fc.record({ w: word, prefix: fc.nat(3) }).map(({ w, prefix }) => (prefix > 0 && w.length > prefix ? w.slice(0, w.length - prefix) + '*' : w)),
  { minLength: 1, maxLength: 3 },
);

let run = 0;

test('search on PostgreSQL finds exactly what the reference store finds', { skip, timeout: 120_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 25 }), fc.array(query, { minLength: 1, maxLength: 5 }), fc.subarray(ROOMS, { minLength: 1 }), async (msgs, queries, rooms) => {
      run++;
      await store!.pool.query('TRUNCATE events');
      const mem = new MemoryStorage();
      const events: NewEvent[] = msgs.map((m, i) => ({
        target: m.room,
        msgid: `r${run}m${i}`,
        time: 1_700_000_000_000 + i,
        command: 'PRIVMSG',
        source: 'a!b@c',
        params: [m.room, m.action ? `\x01ACTION ${m.text}\x01` : m.text],
        tags: '',
      }));
      await mem.history.append(events);
      await store!.history.append(events);
      for (const q of queries) {
        const words = parseSearchWords(q.join(' '));
        const want = (await mem.history.search({ targets: rooms, words, limit: 50 })).map((e) => e.msgid);
        const got = (await store!.history.search({ targets: rooms, words, limit: 50 })).map((e) => e.msgid);
        assert.deepEqual(got, want, `query ${JSON.stringify(q)} in ${JSON.stringify(rooms)}`);
      }
    }),
    { numRuns: 40 },
  );
});
