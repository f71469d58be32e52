/**
 * `tincan chat` (in tmux) with client tags, against a real tincan and an IRC client:
 * someone typing shows in the status line and goes on "done"; what bob types sends
 * +typing (active, then done when he empties the line); /reply N sends +draft/reply and
 * shows the parent above the reply; /react N sends a reaction, and received reactions
 * show as a compact "🎉 1" row under the message; a bracketed paste of two lines goes
 * as one draft/multiline batch and a received batch shows as one block.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, type RunningServer } from '../helpers/server.js';
import { Tmux, eventually, haveCommand } from '../helpers/tmux.js';
import { RawClient } from '../helpers/raw-client.js';
import { chatCommand, dump, statusLine } from './chat-helpers.js';

const skip = haveCommand('tmux') ? false : 'tmux is needed (apt-get install tmux)';

let srv: RunningServer;
let tmux: Tmux;
let alice: RawClient;

before(async () => {
  if (skip) return;
  srv = await startServer();
  tmux = new Tmux();
  tmux.start('bob', chatCommand(`127.0.0.1:${srv.port} --nick bob`), { TERM: 'xterm-256color' }, 100, 24);
});

after(async () => {
  if (skip) return;
  alice?.socket.destroy();
  tmux.kill();
  await srv.stop();
});

const rows = (s: string): string[] => s.replace(/\n+$/, '').split('\n');

test('typing, /reply and /react in the terminal client', { skip, timeout: 30000 }, async (t) => {
  t.after(() => {
    if (process.env['TINCAN_TEST_DUMP']) console.log(dump(tmux, 'bob'));
  });
  await eventually(() => srv.server.findNick('bob'), 'bob registers', 15000);
  tmux.type('bob', '/join #t');
  await eventually(() => srv.server.findChannel('#t')?.members.size === 1, 'bob in #t');
  alice = await RawClient.connect(srv.port);
  await alice.register('alice', ['message-tags', 'echo-message']);
  alice.send('JOIN #t');
  await eventually(() => /alice joined #t/.test(tmux.screen('bob')), 'bob sees alice join');

  // alice types: bob's status line says so, until she is done
  alice.send('@+typing=active TAGMSG #t');
  await eventually(() => statusLine(tmux.screen('bob')).includes('alice is typing…'), 'typing shown');
  alice.send('@+typing=done TAGMSG #t');
  await eventually(() => !statusLine(tmux.screen('bob')).includes('typing'), 'typing gone on done');

  // bob types: alice is told (active), and done when he empties the line
  tmux.type('bob', 'hel', false);
  assert.match(await alice.next(/TAGMSG #t/), /[@;]\+typing=active[; ].*:bob!\S+ TAGMSG #t$/);
  tmux.keys('bob', 'C-u');
  assert.match(await alice.next(/TAGMSG #t/), /[@;]\+typing=done[; ].*:bob!\S+ TAGMSG #t$/);

  // /reply 1: answers alice's latest message, quoted above the reply
  alice.send('PRIVMSG #t :lunch?');
  const lunch = await alice.waitFor(/PRIVMSG #t :?lunch\?$/);
  const lunchId = /msgid=([^; ]+)/.exec(lunch)?.[1] ?? '';
  assert.ok(lunchId !== '', lunch);
  await eventually(() => /<alice> lunch\?/.test(tmux.screen('bob')), 'bob sees lunch?');
  tmux.type('bob', '/reply 1 sure, at noon');
  const reply = await alice.waitFor(/PRIVMSG #t :sure, at noon/);
  assert.ok(reply.includes(`+draft/reply=${lunchId}`), reply);
  await eventually(() => {
    const r = rows(tmux.screen('bob'));
    const i = r.findIndex((x) => x.includes('<bob> sure, at noon'));
    return i > 0 && /↪ <alice> lunch\?/.test(r[i - 1]!);
  }, 'the parent quoted above the reply');
  // an unknown message is refused, nothing sent
  tmux.type('bob', '/reply 99 nobody');
  await eventually(() => /No message 99 to reply to here/.test(tmux.screen('bob')), 'refused');

  // /react: bob's 👍 on alice's message goes out; alice's 🎉 on it shows under it
  tmux.type('bob', '/react alice 👍');
  const react = await alice.waitFor(/draft\/react/);
  assert.match(react, new RegExp(`[@;]\\+draft/react=👍;\\+draft/reply=${lunchId} :bob!\\S+ TAGMSG #t$`));
  alice.send(`@+draft/react=🎉;+draft/reply=${lunchId} TAGMSG #t`);
  await eventually(() => {
    const r = rows(tmux.screen('bob'));
    const i = r.findIndex((x) => x.includes('<alice> lunch?'));
    return i >= 0 && /👍 1 {2}🎉 1/.test(r[i + 1] ?? '');
  }, 'a compact reactions row under the message (his own echoed, hers received)');
  // again takes it back
  tmux.type('bob', '/react alice 👍');
  assert.match(await alice.next(/draft\/unreact/), /\+draft\/unreact=👍/);
  await eventually(() => {
    const r = rows(tmux.screen('bob'));
    const i = r.findIndex((x) => x.includes('<alice> lunch?'));
    return i >= 0 && /^\s+🎉 1\s*$/.test(r[i + 1] ?? '');
  }, 'his reaction gone, hers still there');

  // /help tells how (the whole list is longer than the screen: one command each)
  tmux.type('bob', '/help reply');
  await eventually(() => /\/reply N\|NICK text/.test(tmux.screen('bob')), '/help reply');
  tmux.type('bob', '/help react');
  await eventually(() => /\/react N\|NICK emoji/.test(tmux.screen('bob')), '/help react');
});

test('multiline in the terminal client: a bracketed paste goes as one batch, a received batch shows as one block', { skip, timeout: 20000 }, async (t) => {
  t.after(() => {
    if (process.env['TINCAN_TEST_DUMP']) console.log(dump(tmux, 'bob'));
  });
  const carol = await RawClient.connect(srv.port);
  t.after(() => carol.socket.destroy());
  await carol.register('carol', ['message-tags', 'batch', 'draft/multiline']);
  carol.send('JOIN #t');
  await eventually(() => /carol joined #t/.test(tmux.screen('bob')), 'bob sees carol join');

  // a paste of two lines (tmux sends it bracketed: the client asked for that)
  execFileSync('tmux', ['-L', tmux.socket, 'set-buffer', '--', 'pasted one\npasted two']);
  execFileSync('tmux', ['-L', tmux.socket, 'paste-buffer', '-p', '-t', 'bob']);
  await eventually(() => /pasted one␤pasted two/.test(tmux.screen('bob')), 'the paste waits in the input line, its break shown');
  tmux.keys('bob', 'Enter');
  const open = await carol.waitFor(/BATCH \+\S+ draft\/multiline #t$/);
  const ref = /BATCH \+(\S+)/.exec(open)![1]!;
  await carol.waitFor(new RegExp(`batch=${ref}.* PRIVMSG #t :?pasted one$`));
  await carol.waitFor(new RegExp(`batch=${ref}.* PRIVMSG #t :?pasted two$`));
  await carol.waitFor(new RegExp(`BATCH -${ref}$`));
  // bob's own echo: one message, the second line under the first
  await eventually(() => {
    const r = rows(tmux.screen('bob'));
    const i = r.findIndex((x) => x.includes('<bob> pasted one'));
    return i >= 0 && /^\s+pasted two\s*$/.test(r[i + 1] ?? '');
  }, "bob's message as one block");

  // carol sends a batch: one block on bob's screen
  carol.send('BATCH +c1 draft/multiline #t');
  carol.send('@batch=c1 PRIVMSG #t :roses are red');
  carol.send('@batch=c1 PRIVMSG #t :violets are blue');
  carol.send('BATCH -c1');
  await eventually(() => {
    const r = rows(tmux.screen('bob'));
    const i = r.findIndex((x) => x.includes('<carol> roses are red'));
    return i >= 0 && /^\s+violets are blue\s*$/.test(r[i + 1] ?? '');
  }, 'one block of two lines');
  assert.doesNotMatch(tmux.screen('bob'), /<carol> violets/);
});
