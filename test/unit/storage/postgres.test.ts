/**
 * What the PostgreSQL store does beyond the shared contract (test/contract/): its
 * migrations, its bounds (pool, statement timeout), and connection loss: a dead
 * connection is replaced, a dead server makes calls reject (not hang), and when it comes
 * back the same store works again; end to end, a server on it keeps delivering while the
 * database is down and saves every line afterwards. One throwaway PostgreSQL for the
 * file (test/helpers/postgres.ts); skipped, saying why, without one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import pino from 'pino';
import { PostgresStorage, redactUrl } from '../../../src/storage/postgres/postgres-storage.js';
import { MIGRATIONS, migrate } from '../../../src/storage/postgres/migrations.js';
import { parseSearchWords } from '../../../src/storage/search-text.js';
import type { NewEvent } from '../../../src/storage/types.js';
import { IrcServer } from '../../../src/core/server.js';
import { History } from '../../../src/core/history.js';
import { startTcpListener } from '../../../src/transports/tcp.js';
import { makeConfig } from '../../helpers/harness.js';
import { RawClient } from '../../helpers/raw-client.js';
import { postgresUnavailable, startPostgres, type PgServer } from '../../helpers/postgres.js';

const skip = postgresUnavailable() ?? false;
let server: PgServer | null = null;
before(async () => {
  if (skip === false) server = await startPostgres();
});
after(async () => {
  await server?.stop();
});
const srv = (): PgServer => server!;

const T0 = 1_700_000_000_000;
const ev = (i: number, over: Partial<NewEvent> = {}): NewEvent => ({
  target: '#a', msgid: 'm' + i, time: T0 + i, command: 'PRIVMSG', source: 'a!~a@h', params: ['#a', 'line ' + i], tags: '', ...over,
});
const all = (s: PostgresStorage) => s.history.range({ target: '#a', after: null, before: null, from: 'oldest', limit: 1000, kinds: 'all' });

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function withPool<T>(url: string, fn: (p: pg.Pool) => Promise<T>): Promise<T> {
  const p = new pg.Pool({ connectionString: url, max: 2 });
  try {
    return await fn(p);
  } finally {
    await p.end();
  }
}

test('migrations: a fresh database gets every one once; reopening changes nothing', { skip }, async () => {
  const url = await srv().createDatabase();
  const s = await PostgresStorage.open({ url });
  await s.close();
  const s2 = await PostgresStorage.open({ url });
  try {
    const v = await s2.pool.query<{ version: number }>('SELECT version FROM schema_version');
    assert.deepEqual(v.rows, [{ version: MIGRATIONS.length }]);
    assert.equal(await withPool(url, (p) => migrate(p)), MIGRATIONS.length, 'already at the latest: nothing to do');
  } finally {
    await s2.close();
  }
});

test('migrations: several nodes starting at once migrate exactly once', { skip }, async () => {
  const url = await srv().createDatabase();
  const opened = await Promise.all([1, 2, 3, 4].map(() => PostgresStorage.open({ url, poolMax: 2 })));
  try {
    const v = await opened[0]!.pool.query<{ version: number }>('SELECT version FROM schema_version');
    assert.deepEqual(v.rows, [{ version: MIGRATIONS.length }], 'one row, the latest version');
    await opened[1]!.history.append([ev(1)]);
    assert.equal((await all(opened[2]!)).length, 1, 'they share one store');
  } finally {
    await Promise.all(opened.map((s) => s.close()));
  }
});

test('migrations: a newer schema is refused, a failing migration rolls back whole', { skip }, async () => {
  const url = await srv().createDatabase();
  await withPool(url, async (p) => {
    const steps = ['CREATE TABLE one (x INT)', 'CREATE TABLE two (x INT); SELECT 1 / 0'];
    await assert.rejects(migrate(p, steps), /schema migration 2 failed: division by zero/);
    const v = await p.query<{ version: number }>('SELECT version FROM schema_version');
    assert.deepEqual(v.rows, [{ version: 1 }], 'the first one stays applied');
    const two = await p.query("SELECT to_regclass('two') AS t");
    assert.equal(two.rows[0].t, null, 'nothing of the failed one is left');
    await p.query('UPDATE schema_version SET version = 99');
  });
  await assert.rejects(PostgresStorage.open({ url }), /schema version 99 is newer than this tincan understands/);
});

test('migrations: a step longer than the pool\'s statement timeouts still completes', { skip }, async () => {
  const url = await srv().createDatabase();
  const p = new pg.Pool({ connectionString: url, max: 2, statement_timeout: 100, query_timeout: 300 });
  try {
    await assert.rejects(p.query('SELECT pg_sleep(0.6)'), /timeout/i, 'the pool itself cuts it off');
    assert.equal(await migrate(p, ['SELECT pg_sleep(0.6)', 'CREATE TABLE after_sleep (x INT)']), 0);
    const v = await p.query<{ version: number }>('SELECT version FROM schema_version');
    assert.deepEqual(v.rows, [{ version: 2 }]);
    const st = await p.query<{ statement_timeout: string }>('SHOW statement_timeout');
    assert.equal(st.rows[0]!.statement_timeout, '100ms', 'pooled connections keep their timeout');
  } finally {
    await p.end();
  }
});

test('open: an unreachable server is a clear error naming it, without the password', { skip }, async () => {
  const url = `postgres://tincan:secret@127.0.0.1:${srv().port}/no_such_db`;
  await assert.rejects(PostgresStorage.open({ url, connectTimeoutMs: 2000 }), (e: Error) => {
    assert.match(e.message, /PostgreSQL at postgres:\/\/tincan:\*\*\*@127\.0\.0\.1:\d+\/no_such_db: .*no_such_db/);
    assert.doesNotMatch(e.message, /secret/);
    return true;
  });
  assert.equal(redactUrl('postgres://u@h/db'), 'postgres://u@h/db');
});

test('bounds: the pool never opens more than poolMax connections; a slow statement is cut off', { skip }, async () => {
  const url = await srv().createDatabase();
  const s = await PostgresStorage.open({ url, poolMax: 2, statementTimeoutMs: 300 });
  try {
    await s.history.append(Array.from({ length: 50 }, (_, i) => ev(i)));
    await Promise.all(Array.from({ length: 40 }, () => all(s)));
    const n = await srv().admin("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'tincan'", [url.split('/').pop()]);
    assert.ok(n.rows[0].n >= 1 && n.rows[0].n <= 2, `connections: ${n.rows[0].n}`);
    const t = Date.now();
    await assert.rejects(s.pool.query('SELECT pg_sleep(5)'), /statement timeout/);
    assert.ok(Date.now() - t < 4000, 'cut off well before it would have ended');
  } finally {
    await s.close();
  }
});

test('search: a huge "word" is stored (prefix-searchable), never breaking the batch it is in', { skip }, async () => {
  const url = await srv().createDatabase();
  const s = await PostgresStorage.open({ url });
  try {
    const huge = 'é'.repeat(5000);
    await s.history.append([ev(1, { params: ['#a', `x ${huge} y`] }), ev(2, { params: ['#a', "it's O'Brien\\n"] })]);
    assert.equal((await all(s)).length, 2);
    const find = async (q: string) => (await s.history.search({ targets: ['#a'], words: parseSearchWords(q), limit: 5 })).map((e) => e.msgid);
    assert.deepEqual(await find('eee*'), ['m1']);
    assert.deepEqual(await find('y'), ['m1']);
    assert.deepEqual(await find("o'brien"), ['m2'], 'quotes and backslashes in words and targets are data');
    await s.history.append([ev(3, { target: "#it's\\", params: ["#it's\\", 'quoted room'] })]);
    assert.deepEqual((await s.history.search({ targets: ["#it's\\"], words: ['quoted'], limit: 5 })).map((e) => e.msgid), ['m3']);
  } finally {
    await s.close();
  }
});

test('search: a word common in one busy room, searched in another busy room, never scans the table', { skip, timeout: 60_000 }, async () => {
  const url = await srv().createDatabase();
  const a = await PostgresStorage.open({ url });
  for (const [room, word] of [['#one', 'alpha'], ['#two', 'beta']] as const) {
    for (let k = 0; k < 10; k++) {
      await a.history.append(Array.from({ length: 2000 }, (_, i) => ev(k * 2000 + i, { target: room, params: [room, `${word} number ${i}`] })));
    }
  }
  await a.pool.query('ANALYZE events');
  await a.close(); // its statistics are flushed when its connections end
  const seqScans = async (): Promise<number> =>
    withPool(url, async (p) => Number((await p.query("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'events'")).rows[0].seq_scan));
  const before = await seqScans();
  const b = await PostgresStorage.open({ url });
  const stats = { examined: -1, complete: false };
  try {
    assert.deepEqual(await b.history.search({ targets: ['#two'], words: ['alpha'], limit: 20, stats }), []);
    assert.deepEqual(stats, { examined: 0, complete: true });
  } finally {
    await b.close();
  }
  assert.equal(await seqScans(), before, 'the GIN index answered alone');
});

test('append is idempotent per (target, msgid): a retried batch is stored once, in order', { skip }, async () => {
  const url = await srv().createDatabase();
  const s = await PostgresStorage.open({ url });
  try {
    await s.history.append([ev(1), ev(2)]);
    await s.history.append([ev(1), ev(2), ev(3)]);
    await s.history.append([ev(1, { target: '#b', params: ['#b', 'same msgid, other room'] })]);
    assert.deepEqual((await all(s)).map((e) => e.msgid), ['m1', 'm2', 'm3']);
    const b = await s.history.range({ target: '#b', after: null, before: null, from: 'oldest', limit: 10, kinds: 'all' });
    assert.deepEqual(b.map((e) => e.params[1]), ['same msgid, other room']);
  } finally {
    await s.close();
  }
});

test('connection loss: killed connections are replaced; a stopped server rejects calls, a restarted one serves the same store', { skip, timeout: 60_000 }, async () => {
  const url = await srv().createDatabase();
  const idle: Error[] = [];
  const s = await PostgresStorage.open({ url, poolMax: 3, connectTimeoutMs: 1000, onIdleError: (e) => idle.push(e) });
  try {
    await s.history.append([ev(1)]);
    // the server ends every connection of ours (an admin, a failover): the pool notices
    await srv().admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tincan' AND pid <> pg_backend_pid()");
    await until(() => idle.length > 0 || s.pool.idleCount === 0, 'the pool to see its connection die');
    await s.history.append([ev(2)]);
    assert.deepEqual((await all(s)).map((e) => e.msgid), ['m1', 'm2']);

    // the server goes away: every call rejects promptly, nothing hangs or crashes
    await srv().halt('immediate');
    const t = Date.now();
    await assert.rejects(s.history.append([ev(3)]));
    await assert.rejects(all(s));
    await assert.rejects(s.channels.loadChannels());
    assert.ok(Date.now() - t < 5000, `rejected in ${Date.now() - t} ms`);

    // back: the same store object works, and the rejected batch was not half-written
    await srv().start();
    await s.history.append([ev(4)]);
    assert.deepEqual((await all(s)).map((e) => e.msgid), ['m1', 'm2', 'm4']);
  } finally {
    await s.close();
  }
});

test('a hung server (nothing answers, connections open): calls reject within the timeouts, and it serves again once thawed', { skip, timeout: 60_000 }, async () => {
  const url = await srv().createDatabase();
  const s = await PostgresStorage.open({ url, poolMax: 2, statementTimeoutMs: 300, connectTimeoutMs: 1000 });
  let thaw: (() => void) | null = null;
  try {
    await s.history.append([ev(1)]);
    thaw = srv().freeze();
    const t = Date.now();
    // a pooled connection: the client-side query timeout (statement timeout + 2 s)
    await assert.rejects(s.history.append([ev(2)]), /timeout/i);
    // every connection busy or new ones hanging: the connect timeout
    await Promise.all([1, 2, 3].map(() => assert.rejects(all(s), /timeout/i)));
    assert.ok(Date.now() - t < 10_000, `rejected in ${Date.now() - t} ms`);
    thaw();
    thaw = null;
    await until(async () => s.history.append([ev(3)]).then(() => true, () => false), 'the thawed server to take appends');
    // the timed-out append may have committed after the thaw: retried, it adds nothing
    await s.history.append([ev(2)]);
    assert.deepEqual((await all(s)).map((e) => e.msgid), ['m1', 'm2', 'm3']);
  } finally {
    thaw?.();
    await s.close();
  }
});

test('a server on PostgreSQL keeps delivering while the database is down, tells the room, and saves every line after', { skip, timeout: 60_000 }, async () => {
  const url = await srv().createDatabase();
  const logger = pino({ level: process.env['TINCAN_TEST_LOG'] ?? 'silent' });
  const storage = await PostgresStorage.open({ url, connectTimeoutMs: 1000 });
  const history = new History({ storage, logger });
  const irc = new IrcServer(makeConfig({ history: { maxQuery: 1000 } }), logger, { tickMs: 200, history });
  const listener = await startTcpListener({ host: '127.0.0.1', port: 0, config: () => irc.config, logger, onConnection: (c) => irc.accept(c) });
  const port = listener.address().port;
  const clients: RawClient[] = [];
  const client = async (nick: string, caps: string[] = []): Promise<RawClient> => {
    const c = await RawClient.connect(port);
    clients.push(c);
    await c.register(nick, caps);
    c.send('JOIN #a');
    await c.waitFor(new RegExp(` 366 ${nick} `));
    return c;
  };
  try {
    const alice = await client('alice');
    const bob = await client('bob');
    const reader = await client('reader', ['batch', 'server-time', 'message-tags', 'draft/chathistory']);
    const say = async (from: number, to: number): Promise<void> => {
      for (let i = from; i <= to; i++) bob.send(`PRIVMSG #a :line ${i}`);
      await alice.waitFor(new RegExp(`PRIVMSG #a :line ${to}$`));
    };
    await say(1, 5);
    await srv().halt('immediate');
    await say(6, 20);
    await alice.waitFor(/NOTICE alice :\*\*\* History is paused: the server cannot write to its history store/);
    assert.equal(history.failing, true);
    // reading meanwhile: a clear failure, and the session carries on
    reader.send('CHATHISTORY LATEST #a * 10');
    await reader.waitFor(/FAIL CHATHISTORY MESSAGE_ERROR LATEST #a :Messages could not be retrieved/);
    reader.send('PING :still-here');
    await reader.waitFor(/PONG \S+ :?still-here/);
    await srv().start();
    await say(21, 25);
    // the retry timer (0.25 s, doubling) finds the database back
    await alice.waitFor(/NOTICE alice :\*\*\* History resumed: the messages sent while it was paused are saved/, 40_000);
    const late = await client('late', ['batch', 'server-time', 'message-tags', 'draft/chathistory']);
    late.send('CHATHISTORY LATEST #a * 1000');
    await late.waitFor(/BATCH -/);
    const got = late.lines.map((l) => /batch=\S* :bob!\S+ PRIVMSG #a :line (\d+)$/.exec(l)?.[1]).filter((x) => x !== undefined).map(Number);
    assert.deepEqual(got, Array.from({ length: 25 }, (_, i) => i + 1), 'every line anyone saw is stored, in order');
  } finally {
    for (const c of clients) c.socket.destroy();
    await irc.shutdown('done');
    await listener.close();
  }
});
