/**
 * The `tincan chat` screen: long lines wrap at the terminal width (emoji counted as two
 * columns), a resize re-lays out everything, PgUp/PgDn scroll back and forth, and a
 * mention rings the bell and is highlighted.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, type RunningServer } from '../helpers/server.js';
import { Tmux, eventually, haveCommand } from '../helpers/tmux.js';
import { RawClient } from '../helpers/raw-client.js';
import { chatCommand, dump, inputLine, statusLine } from './chat-helpers.js';
import stringWidth from 'string-width';

const skip = haveCommand('tmux') ? false : 'tmux is needed (apt-get install tmux)';

let srv: RunningServer;
let tmux: Tmux;
let alice: RawClient;

before(async () => {
  if (skip) return;
  srv = await startServer();
  tmux = new Tmux();
  tmux.start('bob', chatCommand(`127.0.0.1:${srv.port} --nick bob`), { TERM: 'xterm-256color' }, 80, 20);
  alice = await RawClient.connect(srv.port);
});

after(async () => {
  if (skip) return;
  alice.socket.destroy();
  tmux.kill();
  await srv.stop();
});

function rows(s: string): string[] {
  return s.replace(/\n+$/, '').split('\n');
}

test('wrapping, resize and scrollback', { skip, timeout: 28000 }, async (t) => {
  t.after(() => {
    if (process.env['TINCAN_TEST_DUMP']) console.log(dump(tmux, 'bob'));
  });
  await eventually(() => srv.server.findNick('bob'), 'bob registers', 15000);
  tmux.type('bob', '/join #wide');
  await eventually(() => srv.server.findChannel('#wide')?.members.size === 1, 'bob in #wide');
  alice.send('NICK alice');
  alice.send('USER alice 0 * :Alice');
  alice.send('JOIN #wide');
  await eventually(() => srv.server.findChannel('#wide')?.members.size === 2, 'alice in #wide');

  const words = Array.from({ length: 30 }, (_, i) => `w${String(i).padStart(2, '0')}🎉`);
  alice.send(`PRIVMSG #wide :${words.join(' ')}`);
  const wrapped = (cols: number): boolean => {
    const s = tmux.screen('bob');
    const body = rows(s).slice(1, -2).join(' ');
    return words.every((w) => body.includes(w)) && rows(s).every((r) => stringWidth(r) <= cols);
  };
  await eventually(() => wrapped(80), 'the long line wrapped within 80 columns, no word split');
  // continuation rows are indented under the text
  const first = rows(tmux.screen('bob')).findIndex((r) => r.includes('<alice> w00'));
  assert.ok(first > 0);
  const indent = rows(tmux.screen('bob'))[first]!.indexOf('w00');
  assert.match(rows(tmux.screen('bob'))[first + 1]!, new RegExp(`^ {${indent}}w\\d\\d`), 'hanging indent');

  tmux.resize('bob', 44, 16);
  await eventually(() => rows(tmux.screen('bob')).length === 16 && wrapped(44), 'after resize: re-wrapped to 44 columns');
  await eventually(() => inputLine(tmux.screen('bob')) === '[#wide]' && /bob@/.test(statusLine(tmux.screen('bob'))), 'status and input at the new bottom');

  // scrollback: 40 numbered lines, the first ones scroll out of view
  for (let i = 1; i <= 40; i++) alice.send(`PRIVMSG #wide :line ${String(i).padStart(2, '0')}`);
  await eventually(() => /line 40/.test(tmux.screen('bob')), 'the last line is shown');
  assert.doesNotMatch(tmux.screen('bob'), /line 20/);
  tmux.keys('bob', 'PageUp');
  await eventually(() => /MORE/.test(statusLine(tmux.screen('bob'))) && !/line 40/.test(tmux.screen('bob')), 'PgUp scrolls back');
  for (let i = 0; i < 6 && !/line 01/.test(tmux.screen('bob')); i++) {
    tmux.keys('bob', 'PageUp');
    await new Promise((r) => setTimeout(r, 150));
  }
  await eventually(() => /line 01/.test(tmux.screen('bob')), 'PgUp reaches line 01');
  // a line arriving while scrolled back does not move the view
  const before = rows(tmux.screen('bob')).slice(1, -2).join('\n');
  alice.send('PRIVMSG #wide :arrives while reading');
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(rows(tmux.screen('bob')).slice(1, -2).join('\n'), before, 'view stays put while scrolled back');
  for (let i = 0; i < 10 && /MORE/.test(statusLine(tmux.screen('bob'))); i++) {
    tmux.keys('bob', 'PageDown');
    await new Promise((r) => setTimeout(r, 150));
  }
  await eventually(() => /arrives while reading/.test(tmux.screen('bob')) && !/MORE/.test(statusLine(tmux.screen('bob'))), 'PgDn back to the newest line');

  // a mention: bell + highlight (bold yellow)
  alice.send('PRIVMSG #wide :hey bob, look');
  await eventually(() => /hey bob, look/.test(tmux.screen('bob')), 'mention shown');
  const ansi = execFileSync('tmux', ['-L', tmux.socket, 'capture-pane', '-e', '-p', '-t', 'bob'], { encoding: 'utf8' });
  assert.match(ansi, /(\x1b\[1;33m|\x1b\[1m\x1b\[33m)hey bob, look/, 'the mention is highlighted (bold yellow)');
  const bell = execFileSync('tmux', ['-L', tmux.socket, 'display-message', '-p', '-t', 'bob', '#{window_bell_flag}'], { encoding: 'utf8' }).trim();
  assert.equal(bell, '1', 'the mention rang the bell');
});
