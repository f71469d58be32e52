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
import { spawn } from 'node:child_process';
import { chatCommand, dump, freePort, spawnServe, tincanArgv } from './chat-helpers.js';

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
  assert.ok(s.indexOf('3 earlier messages from history') < s.indexOf('first: who wants pizza'), 'the marker comes before the lines it introduces');

  tmux.type('dave', '/search pizza');
  await eventually(() => /Search: 2 results/.test(tmux.screen('dave')), 'search answers', 8000);
  const after = tmux.screen('dave').slice(tmux.screen('dave').indexOf('Searching'));
  assert.match(after, /\[#hist [^\]]*\] <early> first: who wants pizza/);
  assert.match(after, /\[#hist [^\]]*\] <early> third: pizza on friday/);
  assert.doesNotMatch(after, /meeting moved/);

  tmux.type('dave', '/history 1');
  // the answer is shown at the bottom, although the line is already on screen above
  await eventually(() => /--- 1 earlier message from history ---\n.*<early> third: pizza on friday\n/.test(tmux.screen('dave')), '/history 1 shows the marker and the message', 8000);
});

test('line mode (a pipe): /history N prints the marker, then the lines', { skip, timeout: 28000 }, async (t) => {
  const early = await RawClient.connect(port);
  t.after(() => early.socket.destroy());
  await early.register('early2');
  early.send('JOIN #piped');
  await early.waitFor(/ 366 /);
  for (const text of ['alpha line', 'beta line']) early.send(`PRIVMSG #piped :${text}`);
  early.send('PING sync');
  await early.waitFor(/PONG .*sync/);
  const chat = spawn(process.execPath, tincanArgv('chat', `127.0.0.1:${port}`, '--nick', 'piper'), { stdio: ['pipe', 'pipe', 'pipe'] });
  t.after(() => {
    if (chat.exitCode === null) chat.kill('SIGKILL');
  });
  let out = '';
  chat.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  chat.stdin!.write('/join #piped\n');
  const joined = /\[\d\d:\d\d\] #piped -- --- 2 earlier messages from history ---\n\[\d\d:\d\d\] #piped <early2> alpha line\n\[\d\d:\d\d\] #piped <early2> beta line\n/;
  await eventually(() => joined.test(out), 'the join replay, marker first', 10000).catch((e: Error) => assert.fail(`${e.message}\n${out}`));
  const before = out.length;
  chat.stdin!.write('/history 2\n');
  await eventually(() => joined.test(out.slice(before)), '/history 2 prints the marker and both lines', 10000).catch((e: Error) => assert.fail(`${e.message}\n${out}`));
  chat.stdin!.end();
});
