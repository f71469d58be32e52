/**
 * `tincan chat --save-login`'s file (src/clients/shared/saved-logins.ts): created 0600
 * in a 0700 directory, refused when others can read it (or it is not a regular file, or
 * oversized), merged per server; and the /register and /login commands asking for the
 * password through the UI, never keeping it in the input history.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgetSavedLogin, MAX_LOGINS_BYTES, readSavedLogin, saveLogin, savedLoginsPath, UnsafeLoginsFile } from '../../../src/clients/shared/saved-logins.js';
import { IrcClient, type TransportHandlers } from '../../../src/clients/shared/irc-client.js';
import { hasSecret, runInput, type CommandUi } from '../../../src/clients/shared/commands.js';

const root = mkdtempSync(join(tmpdir(), 'tincan-logins-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, String(++n), 'tincan', 'logins.json');

test('the path follows XDG_CONFIG_HOME, next to known_servers', () => {
  assert.equal(savedLoginsPath({ XDG_CONFIG_HOME: '/x/cfg' }), '/x/cfg/tincan/logins.json');
});

test('saved with mode 0600 in a 0700 directory; read back per server; forgotten', () => {
  const p = fresh();
  assert.equal(readSavedLogin(p, 'h:1'), null, 'no file: no login');
  saveLogin(p, 'h:1', { account: 'ann', password: 'pw one' });
  saveLogin(p, '[::1]:2', { account: 'bo', password: 'pw2' });
  assert.equal(statSync(p).mode & 0o777, 0o600);
  assert.equal(statSync(join(p, '..')).mode & 0o777, 0o700);
  assert.deepEqual(readSavedLogin(p, 'h:1'), { account: 'ann', password: 'pw one' });
  assert.deepEqual(readSavedLogin(p, '[::1]:2'), { account: 'bo', password: 'pw2' });
  saveLogin(p, 'h:1', { account: 'ann', password: 'new' });
  assert.deepEqual(readSavedLogin(p, 'h:1'), { account: 'ann', password: 'new' });
  assert.equal(forgetSavedLogin(p, 'h:1'), true);
  assert.equal(readSavedLogin(p, 'h:1'), null);
  assert.equal(forgetSavedLogin(p, 'h:1'), false);
  assert.equal(statSync(p).mode & 0o777, 0o600);
});

test('a file others can read is refused with the chmod that fixes it; saving replaces it with a 0600 one', () => {
  const p = fresh();
  saveLogin(p, 'h:1', { account: 'ann', password: 'pw' });
  for (const mode of [0o644, 0o640, 0o604, 0o660]) {
    chmodSync(p, mode);
    assert.throws(
      () => readSavedLogin(p, 'h:1'),
      (e: unknown) => e instanceof UnsafeLoginsFile && e.message === `${p} can be read by other users (mode 0${mode.toString(8)}): saved logins not used. Fix it with: chmod 600 ${p}`,
    );
  }
  saveLogin(p, 'h:2', { account: 'cy', password: 'x' });
  assert.equal(statSync(p).mode & 0o777, 0o600);
  assert.deepEqual(readSavedLogin(p, 'h:2'), { account: 'cy', password: 'x' });
});

test('not a regular file, oversized, or not JSON: refused; malformed entries ignored', () => {
  const d = fresh();
  mkdirSync(d, { recursive: true });
  assert.throws(() => readSavedLogin(d, 'h:1'), /is not a regular file/);
  const big = fresh();
  mkdirSync(join(big, '..'), { recursive: true });
  writeFileSync(big, ' '.repeat(MAX_LOGINS_BYTES + 1), { mode: 0o600 });
  assert.throws(() => readSavedLogin(big, 'h:1'), /is larger than/);
  const bad = fresh();
  mkdirSync(join(bad, '..'), { recursive: true });
  writeFileSync(bad, '{nope', { mode: 0o600 });
  assert.throws(() => readSavedLogin(bad, 'h:1'), /is not valid JSON/);
  writeFileSync(bad, JSON.stringify({ 'h:1': { account: 'a' }, 'h:2': { account: 'b', password: 'p' } }), { mode: 0o600 });
  assert.equal(readSavedLogin(bad, 'h:1'), null);
  assert.deepEqual(readSavedLogin(bad, 'h:2'), { account: 'b', password: 'p' });
});

function connected() {
  let h!: TransportHandlers;
  const sent: string[] = [];
  const c = new IrcClient({ nick: 'ann', serverLabel: 't', reconnect: false, transport: (x) => ((h = x), { send: (l) => sent.push(l), close: () => {} }) });
  c.connect();
  h.onOpen();
  for (const l of [':s CAP * LS :sasl draft/account-registration', ':s CAP * ACK :draft/account-registration', ':s 001 ann :hi']) h.onLine(l);
  return { c, sent };
}

test('/register asks twice through the UI and sends REGISTER only when both match', () => {
  const { c, sent } = connected();
  const prompts: string[] = [];
  const answers = ['pw-12345', 'pw-12345', 'one', 'two'];
  const ui: CommandUi = { switchTo: () => {}, exit: () => {}, askSecret: (p, then) => (prompts.push(p), then(answers.shift() ?? null)) };
  runInput(c, '/register', ui);
  assert.deepEqual(prompts, ['Password for ann (not shown): ', 'The same password again: ']);
  assert.equal(sent.at(-1), 'REGISTER * * pw-12345');
  runInput(c, '/register', ui);
  assert.equal(sent.filter((l) => l.startsWith('REGISTER')).length, 1, 'different passwords: nothing sent');
  assert.match(c.server.lines.at(-1)!.text, /The two passwords differ/);
  assert.ok(!c.server.lines.some((l) => l.text.includes('pw-12345')), 'the password is never shown');
  // /login ACCOUNT asks for the password; /login ACCOUNT PW takes it
  runInput(c, '/login bob', { ...ui, askSecret: (p, then) => (prompts.push(p), then('bobpw')) });
  assert.equal(prompts.at(-1), 'Password for bob (not shown): ');
  assert.equal(sent.at(-1), 'CAP REQ sasl');
  // no UI prompt available (a UI without askSecret): the password must be an argument
  const g = connected();
  runInput(g.c, '/register', { switchTo: () => {}, exit: () => {} });
  assert.match(g.c.server.lines.at(-1)!.text, /^Usage: \/register \[PASSWORD\]$/);
});

test('hasSecret: lines with a password are not kept in history', () => {
  assert.equal(hasSecret('/register hunter2'), true);
  assert.equal(hasSecret('/login ann hunter2'), true);
  assert.equal(hasSecret('/IDENTIFY ann hunter2'), true);
  assert.equal(hasSecret('/register'), false);
  assert.equal(hasSecret('/login ann'), false);
  assert.equal(hasSecret('/registered x'), false);
  assert.equal(hasSecret('hello /register x'), false);
});
