/**
 * znc.in/playback end to end over real sockets: a client that keeps its own log asks for
 * what came after the last line it saw, across a network drop and a server restart, and
 * gets each message exactly once.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServeHandle } from '../../src/cli/serve.js';
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

const PB = ['batch', 'server-time', 'message-tags', 'znc.in/playback'];
const said = (c: RawClient, from = 0): string[] =>
  c.lines.slice(from).flatMap((l) => {
    const m = / PRIVMSG #room :?(.*)$/.exec(l);
    return m ? [m[1]!] : [];
  });
/** server-time of the last PRIVMSG the client got, as ZNC's unix seconds */
const lastSeen = (c: RawClient): string => {
  const l = c.lines.filter((x) => / PRIVMSG #room /.test(x)).at(-1)!;
  return String(Date.parse(/time=([^; ]+)/.exec(l)![1]!) / 1000);
};
async function sync(c: RawClient, tag: string): Promise<void> {
  c.send('PING :' + tag);
  await c.waitFor(new RegExp('PONG .*' + tag));
}

test('a playback client gets what it missed exactly once, after a drop and after a restart', { timeout: 20000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-playback-'));
  dirs.push(dir);
  const data = join(dir, 'data');
  let h = await serve(data);
  const bob = await client(h.port, 'bob');
  bob.send('JOIN #room');
  await bob.waitFor(/ 366 bob #room /);
  let lounge = await client(h.port, 'lounge', PB);
  lounge.send('JOIN #room');
  await lounge.waitFor(/ 366 lounge #room /);
  for (let i = 1; i <= 3; i++) bob.send(`PRIVMSG #room :m${i}`);
  await lounge.waitFor(/PRIVMSG #room :?m3$/);
  assert.deepEqual(said(lounge), ['m1', 'm2', 'm3']);

  // a network drop: the socket dies, bob goes on talking
  let since = lastSeen(lounge);
  lounge.socket.destroy();
  await sync(bob, 'x'); // the server saw the drop or will; bob's lines are stored either way
  for (let i = 4; i <= 5; i++) bob.send(`PRIVMSG #room :m${i}`);
  await sync(bob, 'y');
  lounge = await client(h.port, 'lounge', PB);
  lounge.send(`PRIVMSG *playback :PLAY * ${since}`); // as clients do on connect, before the JOINs
  lounge.send('JOIN #room');
  await lounge.waitFor(/PRIVMSG #room :?m5$/);
  await sync(lounge, 'a');
  assert.deepEqual(said(lounge), ['m4', 'm5']);
  const open = lounge.lines.find((l) => / BATCH \+/.test(l))!;
  assert.match(open, /BATCH \+\S+ znc\.in\/playback #room$/);

  // a restart: everyone is disconnected, history is on disk
  since = lastSeen(lounge);
  await h.close();
  handles.length = 0;
  h = await serve(data);
  const bob2 = await client(h.port, 'bob');
  bob2.send('JOIN #room');
  await bob2.waitFor(/ 366 bob #room /);
  bob2.send('PRIVMSG #room :m6');
  await sync(bob2, 'z');
  lounge = await client(h.port, 'lounge', PB);
  lounge.send('JOIN #room');
  await lounge.waitFor(/ 366 lounge #room /);
  lounge.send(`PRIVMSG *playback :PLAY #room ${since}`); // or after the JOIN
  await lounge.waitFor(/PRIVMSG #room :?m6$/);
  bob2.send('PRIVMSG #room :m7');
  await lounge.waitFor(/PRIVMSG #room :?m7$/);
  await sync(lounge, 'b');
  assert.deepEqual(said(lounge), ['m6', 'm7']);
  // LIST names the room with its first and last message times
  const mark = lounge.lines.length;
  lounge.send('PRIVMSG *playback :LIST');
  const list = await lounge.waitFor(/^:\*playback!\S+ PRIVMSG lounge :?#room /, 5000, mark);
  const [, first, last] = / :?#room (\S+) (\S+)$/.exec(list)!;
  assert.ok(Number(first) <= Number(last) && Number(last) > Number(since));
});
