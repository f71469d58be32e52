/**
 * Accounts and channel founders survive `kill -9` and a restart (a real `tincan serve`
 * child process, SQLite in its data directory): after the restart a stranger who joins
 * first gets no op; the founder and the operator the founder named get theirs back;
 * the accounts still log in with SASL PLAIN.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { spawnServe, type CliServer } from '../helpers/cli-server.js';
import { RawClient } from '../helpers/raw-client.js';

const dirs: string[] = [];
const procs: CliServer[] = [];
const clients: RawClient[] = [];
after(() => {
  for (const c of clients) c.end();
  for (const p of procs) p.proc.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(dir: string): Promise<CliServer> {
  const s = await spawnServe(['--host', '127.0.0.1', '--port', '0', '--config', join(dir, 'tincan.yaml'), '--data', join(dir, 'data')]);
  procs.push(s);
  return s;
}

async function raw(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  clients.push(c);
  return c;
}

/** Waits (polling a read-only connection, as a second process would) until the room's saved state passes `ok`. */
async function committed(file: string, folded: string, ok: (st: { ops?: string[] }) => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT state FROM channels WHERE folded = ?').get(folded) as { state: string } | undefined;
      if (row !== undefined && ok(JSON.parse(row.state) as { ops?: string[] })) return;
    } finally {
      db.close();
    }
    if (Date.now() > deadline) throw new Error(`channel ${folded} never reached the expected state on disk`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Registers `nick` with SASL PLAIN as account `nick`. */
async function saslLogin(port: number, nick: string, password: string): Promise<RawClient> {
  const c = await raw(port);
  await c.saslRegister(nick, nick, password);
  return c;
}

test('founder and named operator get op back after kill -9 and a restart; accounts still log in', { timeout: 60000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-acct-restart-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'tincan.yaml'), 'flood: { enabled: false }\ntls: { enabled: false }\n');
  const first = await start(dir);
  for (const nick of ['alice', 'bob']) {
    const c = await raw(first.port);
    await c.register(nick);
    c.send('REGISTER * * :a good password');
    await c.waitFor(/ REGISTER SUCCESS /);
    c.send('JOIN #mine');
    await c.waitFor(new RegExp(` 366 ${nick} #mine `));
  }
  const alice = clients[0]!;
  alice.send('MODE #mine +o bob');
  await alice.waitFor(/MODE #mine \+o bob/);
  // channel state is written by the writer thread, shortly after the change (docs/history.md):
  // wait until the named operator is on disk, then kill
  await committed(join(dir, 'data', 'tincan.db'), '#mine', (st) => (st.ops ?? []).includes('bob'));
  first.proc.kill('SIGKILL');
  await new Promise((r) => first.proc.once('exit', r));

  const second = await start(dir);
  const eve = await raw(second.port);
  await eve.register('eve');
  eve.send('JOIN #mine');
  const names = await eve.waitFor(/ 353 eve /);
  assert.match(names, / 353 eve = #mine :eve$/, 'the first comer after a restart is not made operator');
  const a = await saslLogin(second.port, 'alice', 'a good password');
  a.send('JOIN #mine');
  const b = await saslLogin(second.port, 'bob', 'a good password');
  b.send('JOIN #mine');
  const bn = await b.waitFor(/ 353 bob /);
  assert.match(bn, /@alice/);
  assert.match(bn, /@bob/);
  assert.match(bn, /(^|[ :])eve( |$)/);
});
