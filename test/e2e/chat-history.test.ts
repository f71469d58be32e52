/**
 * History in `tincan chat` against a tincan with history on (a `tincan serve` child
 * with a data directory): joining a room loads what was said before (CHATHISTORY over
 * draft/chathistory, shown in time order, without unread counts), `/history N` asks
 * again, and `/search words` lists matching messages.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tmux, eventually, haveCommand } from '../helpers/tmux.js';
import { RawClient } from '../helpers/raw-client.js';
import { chatCommand, dump, freePort, spawnServe } from './chat-helpers.js';

const skip = haveCommand('tmux') ? false : 'tmux is needed (apt-get install tmux)';

let tmux: Tmux;
let dataDir = '';
let serve: Awaited<ReturnType<typeof spawnServe>> | null = null;
let port = 0;

before(async () => {
  if (skip) return;
  port = await freePort();
  dataDir = mkdtempSync(join(tmpdir(), 'tincan-chat-history-'));
  serve = await spawnServe(port, dataDir);
  tmux = new Tmux();
});

after(async () => {
  if (skip) return;
  tmux.kill();
  await serve?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('history on join, /history N and /search', { skip, timeout: 28000 }, async (t) => {
  t.after(() => {
    if (process.env['TINCAN_TEST_DUMP']) console.log(dump(tmux, 'dave'));
  });
  const early = await RawClient.connect(port);
  t.after(() => early.socket.destroy());
  await early.register('early');
  early.send('JOIN #hist');
  await early.waitFor(/ 366 /);
  for (const text of ['first: who wants pizza', 'second: the meeting moved', 'third: pizza on friday']) early.send(`PRIVMSG #hist :${text}`);
  // the messages are stored once the server answers a later command
  early.send('PING sync');
  await early.waitFor(/PONG .*sync/);

  tmux.start('dave', chatCommand(`127.0.0.1:${port} --nick dave`), { TERM: 'xterm-256color' }, 100, 24);
  await eventually(() => /Connected to 127\.0\.0\.1/.test(tmux.screen('dave')), 'dave connects', 15000);
  tmux.type('dave', '/join #hist');
  await eventually(() => /<early> third: pizza on friday/.test(tmux.screen('dave')), 'history is loaded on join', 8000);
  const s = tmux.screen('dave');
  assert.ok(s.indexOf('first: who wants pizza') < s.indexOf('second: the meeting') && s.indexOf('second: the meeting') < s.indexOf('third: pizza'), 'in time order');
  assert.match(s, /3 earlier messages from history/);

  tmux.type('dave', '/search pizza');
  await eventually(() => /Search: 2 results/.test(tmux.screen('dave')), 'search answers', 8000);
  const after = tmux.screen('dave').slice(tmux.screen('dave').indexOf('Searching'));
  assert.match(after, /\[#hist [^\]]*\] <early> first: who wants pizza/);
  assert.match(after, /\[#hist [^\]]*\] <early> third: pizza on friday/);
  assert.doesNotMatch(after, /meeting moved/);

  tmux.type('dave', '/history 1');
  await eventually(() => /--- 1 earlier message from history ---/.test(tmux.screen('dave')), '/history 1 answers with one message');
});
