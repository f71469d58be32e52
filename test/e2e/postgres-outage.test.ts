/**
 * PostgreSQL goes away mid-conversation and comes back, end to end: `tincan serve
 * --postgres` as a real process, a real PostgreSQL (test/helpers/postgres.ts) stopped
 * while two people chat. Chat goes on, both are told once that history is paused and
 * once that it resumed, the server never exits, and what was said during the outage is
 * in the database afterwards (rows counted in PostgreSQL itself, and CHATHISTORY).
 * The backlog's bound (events, bytes) is tested at the unit level with an injected clock
 * (test/unit/storage/history-outage.test.ts): it is not configurable from outside.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { spawnServe, type CliServer } from '../helpers/cli-server.js';
import { RawClient } from '../helpers/raw-client.js';
import { postgresUnavailable, startPostgres, type PgServer } from '../helpers/postgres.js';

const skip = postgresUnavailable() ?? false;
let db: PgServer | null = null;
let dir = '';
let node: CliServer | null = null;
const clients: RawClient[] = [];
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tincan-pg-outage-'));
  if (skip === false) db = await startPostgres();
});
after(async () => {
  for (const c of clients) c.socket.destroy();
  node?.proc.kill('SIGKILL');
  await db?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function client(port: number, nick: string, caps: string[] = []): Promise<RawClient> {
  const c = await RawClient.connect(port);
  clients.push(c);
  await c.register(nick, caps);
  return c;
}

async function count(url: string, like: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE target = '#outage' AND command = 'PRIVMSG' AND params LIKE $1`, [`%${like}%`]);
    return Number(r.rows[0]!.n);
  } finally {
    await c.end();
  }
}

test('PostgreSQL stopped and restarted mid-conversation: chat goes on, users are told, the backlog is saved', { skip, timeout: 90_000 }, async () => {
  const url = await db!.createDatabase();
  node = await spawnServe(['--host', '127.0.0.1', '--port', '0', '--no-mdns', '--quiet', '--data', join(dir, 'data'), '--postgres', url]);
  const port = node.port;
  const alice = await client(port, 'alice');
  const bob = await client(port, 'bob', ['batch', 'server-time', 'message-tags', 'draft/chathistory']);
  alice.send('JOIN #outage');
  await alice.waitFor(/ 366 alice #outage /);
  bob.send('JOIN #outage');
  await bob.waitFor(/ 366 bob #outage /);
  alice.send('PRIVMSG #outage :before the outage');
  await bob.waitFor(/PRIVMSG #outage :before the outage/);

  await db!.halt('fast');
  const during = Array.from({ length: 30 }, (_, i) => `during the outage ${i}`);
  for (const text of during) alice.send(`PRIVMSG #outage :${text}`);
  // delivered at once, PostgreSQL or not
  await bob.waitFor(/PRIVMSG #outage :during the outage 29$/, 10_000);
  const paused = /NOTICE (alice|bob|#outage) :\*\*\* History is paused/;
  await alice.waitFor(paused, 20_000);
  await bob.waitFor(paused, 20_000);
  bob.send('PRIVMSG #outage :still chatting');
  await alice.waitFor(/PRIVMSG #outage :still chatting/);
  assert.equal(node.proc.exitCode, null, 'the server is still running');

  await db!.start();
  // the retry backs off up to 30 s: wait for it to find the database again
  const resumed = /NOTICE (alice|bob|#outage) :\*\*\* History resumed: the messages sent while it was paused are saved\./;
  await alice.waitFor(resumed, 45_000);
  await bob.waitFor(resumed, 10_000);
  const told = (c: RawClient, re: RegExp): number => c.lines.filter((l) => re.test(l)).length;
  assert.equal(told(bob, paused), 1, 'told once that history is paused');
  assert.equal(told(bob, /History resumed/), 1, 'told once that it resumed');

  // every line is in PostgreSQL itself, once
  assert.equal(await count(url, 'during the outage'), during.length);
  assert.equal(await count(url, 'still chatting'), 1);
  assert.equal(await count(url, 'before the outage'), 1);
  // and in CHATHISTORY, in order
  bob.send('CHATHISTORY LATEST #outage * 50');
  await bob.waitFor(/BATCH -/, 10_000);
  const texts = bob.lines.filter((l) => /batch=/.test(l) && / PRIVMSG #outage /.test(l)).map((l) => l.slice(l.lastIndexOf(' :') + 2));
  assert.deepEqual(texts, ['before the outage', ...during, 'still chatting']);
  // chat still works after
  alice.send('PRIVMSG #outage :after');
  await bob.waitFor(/PRIVMSG #outage :?after$/);
  assert.equal(node.proc.exitCode, null);
});
