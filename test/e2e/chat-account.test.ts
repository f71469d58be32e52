/**
 * Accounts in the real `tincan chat` (full-screen, in tmux) against a real tincan:
 * `/register` asks for the password twice without showing it, `--save-login` keeps it
 * in $XDG_CONFIG_HOME/tincan/logins.json with mode 0600, the next start logs in with
 * SASL by itself, a wrong `/login` says so, and a logins file other users can read is
 * refused with a clear message. The password never appears on screen or in Up history.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../helpers/server.js';
import { Tmux, eventually, haveCommand } from '../helpers/tmux.js';
import { chatCommand, dump, inputLine } from './chat-helpers.js';

const skip = haveCommand('tmux') ? false : 'tmux is needed (apt-get install tmux)';

let srv: RunningServer;
let tmux: Tmux;
let home = '';

before(async () => {
  if (skip) return;
  srv = await startServer({ flood: { enabled: false } });
  tmux = new Tmux();
  home = mkdtempSync(join(tmpdir(), 'tincan-chat-acct-'));
});

after(async () => {
  if (skip) return;
  tmux.kill();
  await srv.stop();
  rmSync(home, { recursive: true, force: true });
});

const SECRET = 'erins-secret-9';

function start(name: string, flags: string): void {
  tmux.start(name, chatCommand(`127.0.0.1:${srv.port} --nick erin ${flags}`), { TERM: 'xterm-256color', XDG_CONFIG_HOME: home }, 120, 30);
}

async function exitChat(name: string): Promise<void> {
  tmux.type(name, '/quit');
  await eventually(() => !tmux.alive(name), `${name} to exit`);
  await eventually(() => srv.server.findNick('erin') === undefined, 'erin gone from the server');
}

test('tincan chat: /register without echo, --save-login (0600), the next start logs in by itself; wrong /login; unsafe file refused', { skip, timeout: 60000 }, async (t) => {
  t.after(() => {
    if (process.env['TINCAN_TEST_DUMP']) console.log(dump(tmux, 'one', 'two', 'three', 'four'));
  });
  const file = join(home, 'tincan', 'logins.json');

  start('one', '--save-login');
  await eventually(() => srv.server.findNick('erin')?.registered, 'erin to register', 15000);
  tmux.type('one', '/register');
  await eventually(() => inputLine(tmux.screen('one')) === 'Password for erin (not shown):', 'the password prompt');
  tmux.type('one', SECRET, false);
  // nothing of it is drawn
  await eventually(() => inputLine(tmux.screen('one')) === 'Password for erin (not shown):', 'the typed password stays hidden');
  tmux.keys('one', 'Enter');
  await eventually(() => inputLine(tmux.screen('one')) === 'The same password again:', 'the confirmation prompt');
  tmux.type('one', SECRET);
  await eventually(() => srv.server.findNick('erin')?.account === 'erin', 'erin logged in on the server', 15000);
  await eventually(() => /Saved the login for erin in .*logins\.json/.test(tmux.screen('one')), 'the client says it saved the login');
  assert.doesNotMatch(tmux.screen('one'), new RegExp(SECRET));
  assert.equal(statSync(file).mode & 0o777, 0o600, 'logins.json is mode 0600');
  assert.equal(statSync(join(home, 'tincan')).mode & 0o777, 0o700, 'its directory is mode 0700');
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { [`127.0.0.1:${srv.port}`]: { account: 'erin', password: SECRET } });
  // Up does not bring back anything with the password (nothing was typed with it here either)
  tmux.keys('one', 'Up');
  await eventually(() => inputLine(tmux.screen('one')).endsWith('/register'), 'Up recalls /register, not the password');
  tmux.keys('one', 'C-u');
  await exitChat('one');

  // next start, without the flag: SASL with the saved login, before anything else
  start('two', '');
  await eventually(() => srv.server.findNick('erin')?.account === 'erin', 'the saved login used on start', 15000);
  await eventually(() => /You are logged in as erin/.test(tmux.screen('two')), 'the client shows the login');
  // a wrong password typed as an argument: a clear line, and Up does not recall it
  tmux.type('two', '/login erin not-my-password');
  await eventually(() => /You are already logged in as erin/.test(tmux.screen('two')), 'already logged in');
  tmux.keys('two', 'Up');
  await eventually(() => !inputLine(tmux.screen('two')).includes('not-my-password'), 'the password line is not in history');
  await exitChat('two');

  // a different nick, no saved login for it: /login with the wrong password, then the right one
  tmux.start('three', chatCommand(`127.0.0.1:${srv.port} --nick frank`), { TERM: 'xterm-256color', XDG_CONFIG_HOME: join(home, 'empty') }, 120, 30);
  await eventually(() => srv.server.findNick('frank')?.registered, 'frank to register', 15000);
  tmux.type('three', '/login erin');
  await eventually(() => inputLine(tmux.screen('three')) === 'Password for erin (not shown):', 'the login prompt');
  tmux.type('three', 'wrong-wrong-1');
  await eventually(() => /Login as erin failed: wrong account name or password/.test(tmux.screen('three')), 'the wrong password is said so');
  // straight after a wrong password the server's brute-force brake may ask to wait: do as it says
  const loggedIn = () => srv.server.findNick('frank')?.account === 'erin' || srv.server.findNick('erin')?.account === 'erin';
  for (let attempt = 0; attempt < 4 && !loggedIn(); attempt++) {
    const braked = (tmux.screen('three').match(/Too many failed logins: wait \d+ seconds?/g) ?? []).length;
    tmux.type('three', '/login erin');
    await eventually(() => inputLine(tmux.screen('three')) === 'Password for erin (not shown):', 'the login prompt again');
    tmux.type('three', SECRET);
    await eventually(() => loggedIn() || (tmux.screen('three').match(/Too many failed logins: wait \d+ seconds?/g) ?? []).length > braked, 'logged in, or told to wait', 15000);
    const wait = /Too many failed logins: wait (\d+) seconds?(?![\s\S]*Too many failed logins)/.exec(tmux.screen('three'));
    if (!loggedIn() && wait !== null) await new Promise((r) => setTimeout(r, Number(wait[1]) * 1000 + 100));
  }
  await eventually(loggedIn, 'frank logged in as erin', 15000);
  assert.doesNotMatch(tmux.screen('three'), new RegExp(SECRET));
  tmux.type('three', '/quit');
  await eventually(() => !tmux.alive('three'), 'three to exit');

  // a logins file other users can read is refused, with the fix
  chmodSync(file, 0o644);
  start('four', '');
  await eventually(() => /can be read by other users \(mode 0644\): saved logins not used\.? Fix it with: chmod 600/.test(tmux.screen('four').replace(/\s+/g, ' ')), 'the unsafe file is refused', 15000);
  await eventually(() => srv.server.findNick('erin')?.registered, 'erin registered anyway');
  assert.equal(srv.server.findNick('erin')?.account, null, 'not logged in from an unsafe file');
  await exitChat('four');
});
