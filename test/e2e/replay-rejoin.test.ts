/**
 * Reconnect-aware JOIN replay end to end: an IRC client with server-time and without
 * draft/chathistory (irssi-like, keeps its own log) reconnects after a network drop and
 * after a server restart, and sees each message exactly once.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServeHandle } from '../../src/cli/serve.js';
import { spawnServe } from '../helpers/cli-server.js';
import { RawClient } from '../helpers/raw-client.js';
import { serveInProcess } from '../helpers/serve-inprocess.js';

const dirs: string[] = [];
const clients: RawClient[] = [];
const handles: ServeHandle[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  while (handles.length > 0) await handles.pop()!.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'tincan-rejoin-'));
  dirs.push(d);
  return d;
}

async function serve(data: string): Promise<ServeHandle> {
  const h = await serveInProcess({ data: data });
  handles.push(h);
  return h;
}

async function client(port: number, nick: string, caps: string[] = []): Promise<RawClient> {
  const c = await RawClient.connect(port);
  clients.push(c);
  await c.register(nick, caps);
  return c;
}

const ST = ['server-time', 'message-tags'];
/** what a client's log shows of #room: the texts, without a replay's "[12:03] " stamp */
const said = (c: RawClient): string[] =>
  c.lines.flatMap((l) => {
    const m = / PRIVMSG #room :?(.*)$/.exec(l);
    return m ? [m[1]!.replace(/^\[[^\]]+\] /, '')] : [];
  });
async function sync(c: RawClient, tag: string): Promise<void> {
  c.send('PING :' + tag);
  await c.waitFor(new RegExp('PONG .*' + tag));
}
async function joinRoom(c: RawClient, nick: string): Promise<void> {
  c.send('JOIN #room');
  await c.waitFor(new RegExp(` 366 ${nick} #room `));
  // a replay comes later (asynchronously): callers wait for the lines they expect
}

test('a server-time client gets each message once across a network drop and a restart', { timeout: 20000 }, async () => {
  const data = join(tmp(), 'data');
  let h = await serve(data);
  const bob = await client(h.port, 'bob');
  await joinRoom(bob, 'bob');
  bob.send('PRIVMSG #room :m1');
  await sync(bob, 'a');
  const log: string[] = [];
  let irc = await client(h.port, 'irssi', ST);
  await joinRoom(irc, 'irssi');
  await irc.waitFor(/PRIVMSG #room :?\S* ?m1$/); // a newcomer: the recent context
  bob.send('PRIVMSG #room :m2');
  await irc.waitFor(/PRIVMSG #room :?m2$/);
  log.push(...said(irc));

  // network drop: the server sees the socket die and records the QUIT
  irc.socket.destroy();
  await bob.waitFor(/^\S+ :?irssi!\S+ QUIT |^:irssi!\S+ QUIT /);
  bob.send('PRIVMSG #room :m3');
  bob.send('PRIVMSG #room :m4');
  await sync(bob, 'b');
  irc = await client(h.port, 'irssi', ST);
  await joinRoom(irc, 'irssi');
  await irc.waitFor(/NOTICE irssi :\*\*\* #room: 2 messages since you were last here/);
  await irc.waitFor(/PRIVMSG #room :\[[^\]]+\] m4$/);
  bob.send('PRIVMSG #room :m5');
  await irc.waitFor(/PRIVMSG #room :?m5$/);
  log.push(...said(irc));

  // restart: a shutdown records no QUITs; the client was in the room until then
  await h.close();
  handles.length = 0;
  h = await serve(data);
  const bob2 = await client(h.port, 'bob');
  await joinRoom(bob2, 'bob');
  bob2.send('PRIVMSG #room :m6');
  await sync(bob2, 'c');
  irc = await client(h.port, 'irssi', ST);
  await joinRoom(irc, 'irssi');
  await irc.waitFor(/PRIVMSG #room :\[[^\]]+\] m6$/);
  bob2.send('PRIVMSG #room :m7');
  await irc.waitFor(/PRIVMSG #room :?m7$/);
  log.push(...said(irc));
  assert.deepEqual(log, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
});

test('the same after a restart of the real CLI (SIGTERM)', { timeout: 30000 }, async () => {
  const dir = tmp();
  const args = ['--host', '127.0.0.1', '--port', '0', '--data', join(dir, 'data')];
  let srv = await spawnServe(args);
  try {
    const bob = await client(srv.port, 'bob');
    await joinRoom(bob, 'bob');
    bob.send('PRIVMSG #room :m1');
    await sync(bob, 'a');
    const irc = await client(srv.port, 'irssi', ST);
    await joinRoom(irc, 'irssi');
    await irc.waitFor(/PRIVMSG #room :\S+ m1$/);
    bob.send('PRIVMSG #room :m2');
    await irc.waitFor(/PRIVMSG #room :?m2$/);
    const log = said(irc);
    srv.proc.kill('SIGTERM');
    await Promise.all([irc.closed, bob.closed]);
    await new Promise<void>((r) => (srv.proc.exitCode !== null ? r() : srv.proc.once('exit', () => r())));
    srv = await spawnServe(args);
    const bob2 = await client(srv.port, 'bob');
    await joinRoom(bob2, 'bob');
    bob2.send('PRIVMSG #room :m3');
    await sync(bob2, 'b');
    const irc2 = await client(srv.port, 'irssi', ST);
    await joinRoom(irc2, 'irssi');
    await irc2.waitFor(/PRIVMSG #room :\S+ m3$/);
    await sync(irc2, 'c');
    log.push(...said(irc2));
    assert.deepEqual(log, ['m1', 'm2', 'm3']);
  } finally {
    srv.proc.kill('SIGKILL');
  }
});
