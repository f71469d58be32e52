/**
 * `tincan chat` survives a server restart: `tincan serve` runs as a child process, is
 * stopped and started again on the same port; the client (in tmux) says it was
 * disconnected, reconnects with backoff, rejoins its room and chats again.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tmux, eventually, haveCommand } from '../helpers/tmux.js';
import { RawClient } from '../helpers/raw-client.js';
import { chatCommand, dump, freePort, spawnServe, statusLine } from './chat-helpers.js';

const skip = haveCommand('tmux') ? false : 'tmux is needed (apt-get install tmux)';

let tmux: Tmux;
let port = 0;
let dataDir = '';
let server: { stop(): Promise<void> } | null = null;

async function startServe(): Promise<void> {
  server = await spawnServe(port, dataDir);
}

async function stopServe(): Promise<void> {
  const s = server;
  server = null;
  await s?.stop();
}

before(async () => {
  if (skip) return;
  port = await freePort();
  dataDir = mkdtempSync(join(tmpdir(), 'tincan-chat-reconnect-'));
  await startServe();
  tmux = new Tmux();
  tmux.start('carol', chatCommand(`127.0.0.1:${port} --nick carol`), { TERM: 'xterm-256color' }, 100, 24);
});

after(async () => {
  if (skip) return;
  tmux.kill();
  await stopServe();
  rmSync(dataDir, { recursive: true, force: true });
});

test('reconnects after the server restarts and rejoins its room', { skip, timeout: 29000 }, async (t) => {
  t.after(() => {
    if (process.env['TINCAN_TEST_DUMP']) console.log(dump(tmux, 'carol'));
  });
  await eventually(() => /Connected to 127\.0\.0\.1/.test(tmux.screen('carol')), 'carol connects', 15000);
  tmux.type('carol', '/join #steady');
  await eventually(() => /You joined #steady/.test(tmux.screen('carol')), 'carol in #steady');

  await stopServe();
  await eventually(() => /disconnected/.test(statusLine(tmux.screen('carol'))) && /Disconnected/.test(tmux.screen('carol')), 'carol sees the disconnect');
  // what she types while offline is kept, shown as pending, and sent once she is back
  tmux.type('carol', 'anyone?');
  await eventually(() => /<carol> anyone\? \(not sent yet\)/.test(tmux.screen('carol')) && /will be sent when the connection is back/.test(tmux.screen('carol')), 'offline message kept as pending');

  await startServe();
  const watcher = await RawClient.connect(port);
  t.after(() => watcher.socket.destroy());
  watcher.send('NICK watcher');
  watcher.send('USER watcher 0 * :w');
  await watcher.waitFor(/ 001 /, 10000);
  watcher.send('JOIN #steady');
  // carol's client rejoins by itself (backoff: about 1 s, 2 s, 4 s ...)
  await watcher.waitFor(/:carol!\S+ JOIN :?#steady|353 .*#steady :.*carol/, 15000);
  await eventually(() => !/disconnected/.test(statusLine(tmux.screen('carol'))), 'status no longer says disconnected');
  // the kept message reached the room: live if the watcher was in first, else in its history
  // (or live after all, while HISTORY answered; a one-word trailing parameter may come
  // without its ':')
  if (!watcher.lines.some((l) => /:carol!\S+ PRIVMSG #steady :?anyone\?$/.test(l))) {
    watcher.send('HISTORY #steady 10');
    await watcher.waitFor(/PRIVMSG #steady :?(\[[^\]]+\] )?anyone\?$/, 8000);
  }
  await eventually(() => /Sent 1 message typed while disconnected/.test(tmux.screen('carol')), 'carol is told it was sent');
  assert.doesNotMatch(tmux.screen('carol'), /not sent yet/);
  assert.equal((tmux.screen('carol').match(/You joined #steady/g) ?? []).length >= 1, true);

  tmux.type('carol', 'back again');
  const got = await watcher.waitFor(/PRIVMSG #steady :back again/, 8000);
  assert.match(got, /^:carol!/);
});
