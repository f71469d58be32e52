/**
 * Two `tincan chat` terminal clients (in tmux, typed into with send-keys, read with
 * capture-pane) talk through a real tincan: in a room and in private; a message that
 * arrives while bob is mid-word leaves his input line and cursor where they were;
 * Tab completes a nick; Up recalls what was sent; Alt+N switches windows.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.js';
import { Tmux, eventually, haveCommand } from '../helpers/tmux.js';
import { chatCommand, dump, inputLine, statusLine } from './chat-helpers.js';

const skip = haveCommand('tmux') ? false : 'tmux is needed (apt-get install tmux)';

let srv: RunningServer;
let tmux: Tmux;

before(async () => {
  if (skip) return;
  srv = await startServer();
  tmux = new Tmux();
  for (const nick of ['alice', 'bob']) {
    tmux.start(nick, chatCommand(`127.0.0.1:${srv.port} --nick ${nick}`), { TERM: 'xterm-256color' }, 100, 24);
  }
});

after(async () => {
  if (skip) return;
  tmux.kill();
  await srv.stop();
});

test('two clients chat in a room and in private; typing survives arriving messages', { skip, timeout: 28000 }, async (t) => {
  const screens = (): string => dump(tmux, 'alice', 'bob');
  t.after(() => {
    if (process.env['TINCAN_TEST_DUMP']) console.log(screens());
  });
  await eventually(() => srv.server.findNick('alice') && srv.server.findNick('bob'), 'both clients to register', 15000);

  tmux.type('alice', '/join #lobby');
  await eventually(() => srv.server.findChannel('#lobby')?.members.size === 1, 'alice in #lobby');
  tmux.type('bob', '/join #lobby');
  await eventually(() => srv.server.findChannel('#lobby')?.members.size === 2, 'bob in #lobby');
  await eventually(() => /bob joined #lobby/.test(tmux.screen('alice')), "alice sees bob's join");
  // bob's window switched to the room: top bar and prompt say so
  await eventually(() => inputLine(tmux.screen('bob')) === '[#lobby]' && /#lobby/.test(statusLine(tmux.screen('bob'))), "bob's prompt in #lobby");

  tmux.type('alice', 'hello from alice 😀');
  await eventually(() => /\d\d:\d\d <alice> hello from alice 😀/.test(tmux.screen('bob')), 'bob sees alice in #lobby');

  // bob is mid-word when a message arrives
  tmux.type('bob', 'half-typ', false);
  await eventually(() => inputLine(tmux.screen('bob')) === '[#lobby] half-typ', 'bob has typed half a word');
  tmux.type('alice', 'interrupting you, bob');
  await eventually(() => /<alice> interrupting you, bob/.test(tmux.screen('bob')), 'the message reaches bob');
  const s = tmux.screen('bob');
  assert.equal(inputLine(s), '[#lobby] half-typ', `input line intact:\n${s}`);
  const cur = tmux.cursor('bob');
  assert.deepEqual(cur, { x: '[#lobby] half-typ'.length, y: 23 }, 'cursor stays after what bob typed');
  tmux.type('bob', 'ed');
  await eventually(() => /<bob> half-typed/.test(tmux.screen('alice')), 'alice gets the completed word');
  await eventually(() => inputLine(tmux.screen('bob')) === '[#lobby]', "bob's input cleared after Enter");

  // Tab completes alice's nick at the start of the line; Up recalls the last line
  tmux.type('bob', 'ali', false);
  tmux.keys('bob', 'Tab');
  await eventually(() => inputLine(tmux.screen('bob')) === '[#lobby] alice:', 'Tab completes "alice: "');
  tmux.type('bob', 'tab works');
  await eventually(() => /<bob> alice: tab works/.test(tmux.screen('alice')), 'completed line arrives');
  tmux.keys('bob', 'Up');
  await eventually(() => inputLine(tmux.screen('bob')) === '[#lobby] alice: tab works', 'Up recalls the last line');
  tmux.keys('bob', 'C-u');
  await eventually(() => inputLine(tmux.screen('bob')) === '[#lobby]', 'Ctrl+U clears the line');

  // private: alice writes to bob; bob's status line counts it as unread + mention
  tmux.type('alice', '/msg bob psst, private');
  await eventually(() => /3:alice\(1,1!\)/.test(statusLine(tmux.screen('bob'))), "bob's status counts the private message");
  assert.doesNotMatch(tmux.screen('bob'), /psst/, 'not shown in the room window');
  tmux.keys('bob', 'M-3');
  await eventually(() => /<alice> psst, private/.test(tmux.screen('bob')) && /Private conversation with alice/.test(tmux.screen('bob')), 'Alt+3 opens the query');
  assert.doesNotMatch(statusLine(tmux.screen('bob')), /alice\(1/, 'reading it clears the count');
  tmux.type('bob', 'got it');
  tmux.type('alice', '/query bob');
  await eventually(() => /<bob> got it/.test(tmux.screen('alice')) && inputLine(tmux.screen('alice')) === '[bob]', "alice's query with bob");
  assert.doesNotMatch(tmux.screen('alice'), /hello from alice/, "the query window does not show the room's lines");

  // /me and /topic in the room, back on window 2
  tmux.keys('alice', 'M-2');
  tmux.type('alice', '/topic chat about tincan');
  await eventually(() => /#lobby: chat about tincan/.test(tmux.screen('alice')), 'topic bar shows the new topic');
  tmux.type('alice', '/me waves');
  tmux.keys('bob', 'C-p');
  await eventually(() => /\* alice waves/.test(tmux.screen('bob')), 'bob (Ctrl+P back to #lobby) sees the action');
  // no raw protocol on screen
  assert.doesNotMatch(tmux.screen('bob') + tmux.screen('alice'), /PRIVMSG|JOIN #|:\S+!\S+@/, 'no raw IRC lines');

  tmux.type('bob', '/quit bye');
  await eventually(() => !tmux.alive('bob'), '/quit ends the program');
  await eventually(() => /bob quit/.test(tmux.screen('alice')), 'alice sees bob quit');
});
