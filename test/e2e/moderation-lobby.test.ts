/**
 * The default room cannot be taken, end to end (`tincan serve`'s wiring, SQLite in a
 * temporary data directory): a netcat guest and an IRC guest first into #lobby cannot
 * lock it; first-comer operator status is never stored, so a restart undoes it; a lock
 * on #lobby kept by older data is cleared at load; bans and mutes set over the admin
 * socket survive a restart and expire on time.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveInProcess } from '../helpers/serve-inprocess.js';
import { RawClient } from '../helpers/raw-client.js';
import type { ServeHandle } from '../../src/cli/serve.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const T = { timeout: 30_000 };
const dirs: string[] = [];
const handles: ServeHandle[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  while (handles.length > 0) await handles.pop()!.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tincan-mod-'));
  dirs.push(d);
  return d;
}

async function serve(data: string): Promise<ServeHandle> {
  const h = await serveInProcess({ data, config: { tls: { enabled: false } } });
  handles.push(h);
  return h;
}

async function stop(h: ServeHandle): Promise<void> {
  handles.splice(handles.indexOf(h), 1);
  await h.close();
}

async function irc(port: number, nick: string, localAddress?: string): Promise<RawClient> {
  const c =
    localAddress === undefined
      ? await RawClient.connect(port)
      : await new Promise<RawClient>((resolve, reject) => {
          const s = netConnect({ port, host: '127.0.0.1', localAddress }, () => resolve(RawClient.fromSocket(s)));
          s.once('error', reject);
        });
  clients.push(c);
  await c.register(nick);
  return c;
}

/** One admin command over the socket, as `tincan admin` sends it. */
function adminSocket(path: string, line: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const s = netConnect(path);
    let buf = '';
    s.setEncoding('utf8');
    s.on('connect', () => s.write(line + '\n'));
    s.on('data', (d: string) => {
      buf += d;
      if (buf.includes('\n')) {
        s.end();
        resolve((JSON.parse(buf.slice(0, buf.indexOf('\n'))) as { lines: string[] }).lines);
      }
    });
    s.on('error', reject);
  });
}

test('a netcat guest first into #lobby is its operator but cannot lock it', T, async () => {
  const h = await serve(dataDir());
  const c = await RawClient.connect(h.port);
  clients.push(c);
  c.socket.write('hello\r\n');
  await c.waitFor(/^\* Type a message and press Enter/);
  c.send('/who');
  await c.waitFor(/^\* In #lobby: @guest/);
  c.send('/mode +ik secret');
  await c.waitFor(/^! Only an admin can change \+i in #lobby: it is the server's default room\.$/);
  const other = await irc(h.port, 'other');
  other.send('JOIN #lobby');
  await other.waitFor(/:other!\S+ JOIN #lobby/);
});

test('an IRC guest first into #lobby cannot lock it either; first-comer @ is undone by a restart', T, async () => {
  const data = dataDir();
  let h = await serve(data);
  const guest = await irc(h.port, 'guest');
  guest.send('JOIN #lobby');
  await guest.waitFor(/ 353 guest = #lobby :@guest/);
  guest.send('MODE #lobby +ik secret');
  await guest.waitFor(/ 482 guest #lobby :Only an admin can change \+i/);
  guest.send('MODE #lobby +b *!*@*');
  await guest.waitFor(/ 482 guest #lobby :Only an admin can change \+b/);
  guest.send('JOIN #hers');
  await guest.waitFor(/ 353 guest = #hers :@guest/);
  guest.send('TOPIC #hers :kept across restarts'); // state worth storing: the room stays
  await guest.waitFor(/TOPIC #hers :kept/);
  guest.end();
  await stop(h);

  h = await serve(data);
  for (const room of ['#lobby', '#hers']) {
    const bob = await irc(h.port, 'bob' + room.slice(1));
    bob.send(`JOIN ${room}`);
    await bob.waitFor(new RegExp(` 353 \\S+ = ${room} :@bob`)); // first in after the restart
  }
  const back = await irc(h.port, 'guest');
  back.send('JOIN #lobby,#hers');
  const lobby = await back.waitFor(/ 353 guest = #lobby :/);
  const hers = await back.waitFor(/ 353 guest = #hers :/);
  assert.match(lobby, /:@boblobby guest$/, 'the old first-comer is an ordinary member now');
  assert.match(hers, /:@bobhers guest$/);
});

test('a +i/+k on #lobby stored by older data is cleared at load', T, async () => {
  const data = dataDir();
  // what an earlier version let the first guest do: lock the default room, on disk
  const old = new SqliteStorage(join(data, 'tincan.db'));
  await old.channels.saveChannel({ folded: '#lobby', name: '#lobby', createdAt: 1, topic: '', topicBy: '', topicAt: 0, flags: 'int', key: 'mine', limit: null, bans: [], emptySince: null });
  await old.close();
  const h = await serve(data);
  const kid = await irc(h.port, 'kid');
  kid.send('JOIN #lobby');
  await kid.waitFor(/:kid!\S+ JOIN #lobby/);
});

test('bans and mutes set through the admin socket survive a restart and expire on time', T, async () => {
  const data = dataDir();
  let h = await serve(data);
  assert.ok(h.adminSocket !== null);
  const out = await adminSocket(h.adminSocket, 'ban *!*@127.0.0.3 forever spam');
  assert.match(out[0]!, /^Done: banned \*!\*@127\.0\.0\.3 on the server until lifted \(spam\)/);
  await adminSocket(h.adminSocket, 'mute *!*@127.0.0.4 3s');
  await stop(h);

  h = await serve(data);
  const refused = await RawClient.fromSocket(
    await new Promise((resolve) => {
      const s = netConnect({ port: h.port, host: '127.0.0.1', localAddress: '127.0.0.3' }, () => resolve(s));
    }),
  );
  clients.push(refused);
  refused.send('NICK troll');
  refused.send('USER troll 0 * :t');
  await refused.waitFor(/^ERROR :Closing link: .*Banned from this server \(spam, until lifted\)/);

  const quiet = await irc(h.port, 'quiet', '127.0.0.4');
  const ear = await irc(h.port, 'ear');
  for (const c of [quiet, ear]) {
    c.send('JOIN #room');
    await c.waitFor(/ 366 \S+ #room /);
  }
  quiet.send('PRIVMSG #room :can anyone hear me?');
  await quiet.waitFor(/ 404 quiet #room :Cannot send to channel: you are muted until/);
  // the 3 s mute ends on the server's once-a-second housekeeping, which says so
  await quiet.waitFor(/NOTICE quiet :\*\*\* Your mute on this server has ended/, 10_000);
  quiet.send('PRIVMSG #room :heard now?');
  await ear.waitFor(/:quiet!\S+ PRIVMSG #room :heard now\?/);
  const list = await adminSocket(h.adminSocket!, 'bans');
  assert.ok(list.some((l) => /127\.0\.0\.3/.test(l)) && !list.some((l) => /127\.0\.0\.4/.test(l)), list.join('\n'));
});
