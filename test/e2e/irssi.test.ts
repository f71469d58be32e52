/**
 * Two real irssi clients (Debian's irssi, in tmux) use tincan as they would any IRC
 * server: register, join, talk in the channel and in private, set a topic, kick, part
 * and quit. What each one saw is read from irssi's own logs (autolog) and screen.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../helpers/server.js';
import { IrssiHomes, irssiSkip } from '../helpers/irssi.js';
import { Tmux, eventually } from '../helpers/tmux.js';

const skip = irssiSkip;

let srv: RunningServer;
let tmux: Tmux;
const irssi = new IrssiHomes('basic');

before(async () => {
  if (skip) return;
  srv = await startServer();
  tmux = new Tmux();
  for (const nick of ['alice', 'bob']) {
    const home = irssi.create(nick);
    tmux.start(nick, `irssi --home=${home} -c 127.0.0.1 -p ${srv.port} -n ${nick}`, { HOME: home, TERM: 'xterm' });
  }
});

after(async () => {
  if (skip) return;
  tmux.kill();
  await srv.stop();
  irssi.removeAll();
});

test('two irssi clients chat, topic, kick, part and quit', { skip, timeout: 60000 }, async () => {
  await eventually(() => srv.server.findNick('alice') && srv.server.findNick('bob'), 'both irssi clients to register');

  tmux.type('alice', '/join #lobby');
  await eventually(() => srv.server.findChannel('#lobby')?.members.size === 1, 'alice in #lobby');
  tmux.type('bob', '/join #lobby');
  await eventually(() => srv.server.findChannel('#lobby')?.members.size === 2, 'bob in #lobby');
  await eventually(() => /bob.*has joined #lobby/.test(irssi.log('alice', '#lobby')), "alice sees bob's join");

  // channel talk, both ways
  tmux.type('alice', 'hello from alice');
  await eventually(() => /<[ @+]?alice> hello from alice/.test(irssi.log('bob', '#lobby')), 'bob sees alice in #lobby');
  tmux.type('bob', 'hi alice, bob here');
  await eventually(() => /<[ @+]?bob> hi alice, bob here/.test(irssi.log('alice', '#lobby')), 'alice sees bob in #lobby');
  // alice is the channel operator (first in); irssi shows it on screen
  await eventually(() => /@alice/.test(tmux.screen('alice')), "alice's screen shows her as @alice");

  // private messages
  tmux.type('bob', '/msg alice psst, private');
  await eventually(() => /<bob> psst, private/.test(irssi.log('alice', 'bob')), "alice's query window with bob");
  tmux.type('alice', '/msg bob got it');
  await eventually(() => /<alice> got it/.test(irssi.log('bob', 'alice')), "bob's query window with alice");

  // topic
  tmux.type('alice', '/topic #lobby Friday plans');
  await eventually(() => /alice changed the topic of #lobby to: Friday plans/.test(irssi.log('bob', '#lobby')), 'bob sees the topic change');
  assert.equal(srv.server.findChannel('#lobby')?.topic, 'Friday plans');

  // kick, rejoin, part
  tmux.type('alice', '/window goto #lobby');
  tmux.type('alice', '/kick bob too loud');
  await eventually(() => /bob was kicked from #lobby by alice \[too loud\]/.test(irssi.log('bob', '#lobby')), 'bob sees his kick');
  await eventually(() => /bob was kicked from #lobby by alice \[too loud\]/.test(irssi.log('alice', '#lobby')), 'alice sees the kick');
  tmux.type('bob', '/join #lobby');
  await eventually(() => srv.server.findChannel('#lobby')?.members.size === 2, 'bob back in #lobby');
  tmux.type('bob', '/part #lobby bye for now');
  await eventually(() => /bob .*has left #lobby.*bye for now/.test(irssi.log('alice', '#lobby')), 'alice sees bob part');

  // quit, seen in a shared channel
  tmux.type('bob', '/join #lobby');
  await eventually(() => srv.server.findChannel('#lobby')?.members.size === 2, 'bob in #lobby again');
  tmux.type('bob', '/quit see ya');
  await eventually(() => /bob .*has quit.*see ya/.test(irssi.log('alice', '#lobby')), 'alice sees bob quit');
  await eventually(() => srv.server.findNick('bob') === undefined, 'bob gone from the server');
});
