/**
 * One node on PostgreSQL, end to end: `tincan serve --postgres URL` as a real process,
 * people chat, the server restarts (from a config file with `storage: postgres` and a
 * different, empty data directory: what comes back can only come from PostgreSQL), and
 * the topic, CHATHISTORY and SEARCH are all there. A database that cannot be opened
 * stops the start with a clear message. Skipped, saying why, without PostgreSQL.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, spawnServe, type CliServer } from '../helpers/cli-server.js';
import { RawClient } from '../helpers/raw-client.js';
import { postgresUnavailable, startPostgres, type PgServer } from '../helpers/postgres.js';

const skip = postgresUnavailable() ?? false;
let pg: PgServer | null = null;
let dir = '';
const procs: CliServer[] = [];
const clients: RawClient[] = [];
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tincan-pg-e2e-'));
  if (skip === false) pg = await startPostgres();
});
after(async () => {
  for (const c of clients) c.socket.destroy();
  for (const p of procs) p.proc.kill('SIGKILL');
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const BASE = ['--host', '127.0.0.1', '--port', '0', '--no-mdns', '--quiet'];
const CH_CAPS = ['batch', 'server-time', 'message-tags', 'draft/chathistory'];

async function client(port: number, nick: string, caps: string[] = []): Promise<RawClient> {
  const c = await RawClient.connect(port);
  clients.push(c);
  await c.register(nick, caps);
  return c;
}

async function stop(s: CliServer): Promise<number | null> {
  const exited = new Promise<number | null>((r) => s.proc.once('exit', (code) => r(code)));
  s.proc.kill('SIGTERM');
  return exited;
}

test('one node on PostgreSQL: chat, restart from a config file with an empty data directory, history and search are there', { skip, timeout: 60_000 }, async () => {
  const url = await pg!.createDatabase();
  const first = await spawnServe([...BASE, '--data', join(dir, 'data1'), '--postgres', url]);
  procs.push(first);
  assert.match(first.output(), /history: postgres store opened/);
  const alice = await client(first.port, 'alice');
  const bob = await client(first.port, 'bob');
  alice.send('JOIN #lobby');
  await alice.waitFor(/ 366 alice #lobby /);
  bob.send('JOIN #lobby');
  await bob.waitFor(/ 366 bob #lobby /);
  alice.send('TOPIC #lobby :kept in postgres');
  alice.send('PRIVMSG #lobby :Pizza on Friday?');
  await bob.waitFor(/PRIVMSG #lobby :Pizza on Friday\?/);
  bob.send('PRIVMSG #lobby :café for me, pizza later');
  alice.send('PRIVMSG bob :a private word');
  await bob.waitFor(/PRIVMSG bob :a private word/);
  await alice.waitFor(/PRIVMSG #lobby :café for me/);
  assert.equal(await stop(first), 0);

  const cfg = join(dir, 'pg.json');
  writeFileSync(cfg, JSON.stringify({ storage: 'postgres', postgres: { url, poolMax: 3 } }));
  const second = await spawnServe([...BASE, '--data', join(dir, 'data2'), '--config', cfg]);
  procs.push(second);
  const carol = await client(second.port, 'carol', CH_CAPS);
  carol.send('JOIN #lobby');
  await carol.waitFor(/ 332 carol #lobby :kept in postgres/);
  carol.send('CHATHISTORY LATEST #lobby * 10');
  await carol.waitFor(/BATCH -/);
  const texts = carol.lines.filter((l) => /batch=/.test(l) && /PRIVMSG/.test(l)).map((l) => l.slice(l.lastIndexOf(' :') + 2));
  assert.deepEqual(texts, ['Pizza on Friday?', 'café for me, pizza later']);
  // SEARCH answers a batch client with a tincan/search batch of the stored lines
  const search = async (words: string): Promise<string[]> => {
    const mark = carol.lines.length;
    carol.send('SEARCH ' + words);
    const open = await carol.waitFor(/BATCH \+(\S+) tincan\/search/, 5000, mark);
    const ref = /BATCH \+(\S+)/.exec(open)![1]!;
    await carol.waitFor(new RegExp(`BATCH -${ref}$`), 5000, mark);
    return carol.lines.slice(mark).filter((l) => l.startsWith(`@batch=${ref};`)).map((l) => l.slice(l.lastIndexOf(' :') + 2));
  };
  assert.deepEqual(await search('CAFE'), ['café for me, pizza later'], 'accents and case ignored');
  assert.deepEqual(await search('piz*'), ['Pizza on Friday?', 'café for me, pizza later'], 'a prefix; shown oldest first, newest nearest the prompt');
  assert.deepEqual(await search('private'), [], 'private messages are not kept');
  assert.equal(await stop(second), 0);
});

test('a PostgreSQL that cannot be opened stops the start with a clear message, without the password', { skip, timeout: 30_000 }, async () => {
  const url = `postgres://tincan:hunter2@127.0.0.1:${pg!.port}/no_such_database`;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', ...BASE, '--data', join(dir, 'data3'), '--postgres', url], {
    cwd: REPO_ROOT,
    env: { ...process.env, TINCAN_LOG: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  assert.equal(code, 1, out);
  assert.match(out, /cannot open the history database: PostgreSQL at postgres:\/\/tincan:\*\*\*@127\.0\.0\.1:\d+\/no_such_database: .*does not exist/);
  assert.doesNotMatch(out, /hunter2/);
});

test('storage: postgres without postgres.url is a config error naming the key', { skip, timeout: 30_000 }, async () => {
  const cfg = join(dir, 'nourl.json');
  writeFileSync(cfg, JSON.stringify({ storage: 'postgres' }));
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', ...BASE, '--data', join(dir, 'data4'), '--config', cfg], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  assert.equal(code, 1, out);
  assert.match(out, /postgres\.url: expected a postgres:\/\/.* with storage: postgres/);
});
