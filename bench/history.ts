/**
 * History store benchmark (SQLite, the embedded default, in a temp dir):
 *  - append throughput: batches of 500 (about one event-loop tick of a busy server),
 *    each one transaction, as src/core/history.ts commits them (the events rows only:
 *    full-text indexing is deferred to background batches);
 *  - full-text indexing throughput: the appended rows indexed in transactions of 5,000
 *    rows, as the store's background batches do, and append + index together;
 *  - LATEST 100 (newest 100 messages of one room) on a room holding 1,000,000 messages.
 * Usage: node --import tsx bench/history.ts [messages=1000000]
 * Output: one `name: value unit` line per result (stable, for docs/performance.md).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import type { NewEvent } from '../src/storage/types.js';

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const BATCH = 500;
const WORDS = ['hello', 'pizza', 'friday', 'meeting', 'lunch', 'tincan', 'server', 'message', 'history', 'search', 'coffee', 'later'];

const dir = mkdtempSync(join(tmpdir(), 'tincan-bench-'));
const storage = new SqliteStorage(join(dir, 'bench.db'));
try {
  const t0 = Date.now() - TOTAL;
  let n = 0;
  const batch = (target: string, size: number): NewEvent[] =>
    Array.from({ length: size }, () => {
      n++;
      const text = `${WORDS[n % 12]} ${WORDS[(n * 7) % 12]} number ${n} ${WORDS[(n * 5) % 12]}`;
      return { target, msgid: 'bench' + n.toString(36), time: t0 + n, command: 'PRIVMSG', source: `user${n % 50}!~u@192.168.1.${n % 250}`, params: [target, text], tags: '' };
    });

  const start = process.hrtime.bigint();
  for (let done = 0; done < TOTAL; done += BATCH) await storage.history.append(batch('#big', Math.min(BATCH, TOTAL - done)));
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const is = process.hrtime.bigint();
  const indexTx = storage.indexSearchNow();
  const indexSecs = Number(process.hrtime.bigint() - is) / 1e9;

  // a second, small room so queries are not the only target
  await storage.history.append(batch('#small', 1000));

  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const s = process.hrtime.bigint();
    const rows = await storage.history.range({ target: '#big', after: null, before: null, from: 'newest', limit: 100, kinds: 'messages' });
    samples.push(Number(process.hrtime.bigint() - s) / 1e6);
    if (rows.length !== 100) throw new Error('LATEST returned ' + rows.length);
  }
  samples.sort((a, b) => a - b);
  const before: number[] = [];
  for (let i = 0; i < 200; i++) {
    const cur = await storage.history.locate('#big', 'bench' + (1 + ((i * 4999) % TOTAL)).toString(36));
    const s = process.hrtime.bigint();
    await storage.history.range({ target: '#big', after: null, before: cur, from: 'newest', limit: 100, kinds: 'messages' });
    before.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  before.sort((a, b) => a - b);
  const ss = process.hrtime.bigint();
  const found = await storage.history.search({ targets: ['#big'], words: ['pizza', 'number'], limit: 20 });
  const searchMs = Number(process.hrtime.bigint() - ss) / 1e6;
  if (found.length !== 20) throw new Error('search returned ' + found.length);

  const p = (xs: number[], q: number): string => xs[Math.min(xs.length - 1, Math.floor(xs.length * q))]!.toFixed(3);
  const size = statSync(join(dir, 'bench.db')).size + (statSync(join(dir, 'bench.db-wal'), { throwIfNoEntry: false })?.size ?? 0);
  console.log(`history.messages: ${TOTAL}`);
  console.log(`history.append: ${Math.round(TOTAL / secs)} msg/s (batches of ${BATCH}, one transaction each)`);
  console.log(`history.index: ${Math.round(TOTAL / indexSecs)} msg/s (${indexTx} background batches of up to 5000 rows)`);
  console.log(`history.append+index: ${Math.round(TOTAL / (secs + indexSecs))} msg/s`);
  console.log(`history.latest100.median: ${p(samples, 0.5)} ms`);
  console.log(`history.latest100.p99: ${p(samples, 0.99)} ms`);
  console.log(`history.before100.median: ${p(before, 0.5)} ms (msgid reference, random positions)`);
  console.log(`history.search.2words: ${searchMs.toFixed(3)} ms ("pizza number": 20 newest of ~83k matches)`);
  console.log(`history.db.size: ${(Number(size) / 1e6).toFixed(0)} MB`);
} finally {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
}
