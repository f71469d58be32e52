// The browser composer's /register and /login (src/clients/web/commands.ts) and the
// device-token replies of the shared model: the token goes to the 'auth' event only,
// never into a window or the wire view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IrcClient, type AuthEvent, type TransportHandlers } from '../../../src/clients/shared/irc-client.js';
import { runInput } from '../../../src/clients/web/commands.js';

function connected() {
  let h!: TransportHandlers;
  const sent: string[] = [];
  const wire: string[] = [];
  const auth: AuthEvent[] = [];
  const c = new IrcClient({ nick: 'ann', serverLabel: 't', reconnect: false, transport: (x) => ((h = x), { send: (l) => sent.push(l), close: () => {} }) });
  c.on('wire', (d, l) => wire.push(`${d} ${l}`));
  c.on('auth', (e) => auth.push(e));
  c.connect();
  h.onOpen();
  for (const l of [':s CAP * LS :sasl draft/account-registration', ':s CAP * ACK :draft/account-registration', ':s 001 ann :hi']) h.onLine(l);
  return { c, sent, wire, auth, recv: (l: string) => h.onLine(l) };
}

test('web /register PASSWORD and /login ACCOUNT PASSWORD drive the model; bare ones show usage', () => {
  const f = connected();
  runInput(f.c, '/register');
  assert.match(f.c.active.lines.at(-1)!.text, /^Usage: \/register PASSWORD$/);
  runInput(f.c, '/register a long password');
  assert.equal(f.sent.at(-1), 'REGISTER * * :a long password');
  runInput(f.c, '/login ann');
  assert.match(f.c.active.lines.at(-1)!.text, /^Usage: \/login ACCOUNT PASSWORD$/);
  runInput(f.c, '/login ann pw pw');
  assert.equal(f.sent.at(-1), 'CAP REQ sasl');
  assert.ok(!f.c.active.lines.some((l) => /a long password|pw pw/.test(l.text)));
});

test('NOTE TOKEN CREATED: the token reaches the auth event only; REVOKED and FAIL TOKEN too', () => {
  const f = connected();
  f.recv(':s 900 ann ann!a@h ann :You are now logged in as ann');
  assert.equal(f.c.requestDeviceToken('Chromium (web)'), null);
  assert.equal(f.sent.at(-1), 'TOKEN NEW :Chromium (web)');
  const token = 'tct1_' + 'x'.repeat(43);
  f.recv(`:s NOTE TOKEN CREATED 0a1b2c3d ${token} :Device token 0a1b2c3d for Chromium (web): keep it secret`);
  const created = f.auth.find((e) => e.kind === 'token-created');
  assert.deepEqual(created?.token, { id: '0a1b2c3d', token });
  for (const b of f.c.buffers) assert.ok(!b.lines.some((l) => l.text.includes(token)), 'the token is in no window');
  assert.ok(!f.wire.some((l) => l.includes(token)), 'nor in the wire view');
  assert.ok(f.wire.includes('in :s NOTE TOKEN CREATED 0a1b2c3d *** :Device token 0a1b2c3d for Chromium (web): keep it secret'), f.wire.join('\n'));
  assert.equal(f.c.revokeDeviceToken('0a1b2c3d'), null);
  f.recv(':s NOTE TOKEN REVOKED 0a1b2c3d :Device token 0a1b2c3d revoked');
  assert.equal(f.auth.at(-1)?.kind, 'token-revoked');
  f.recv(':s FAIL TOKEN NO_SUCH_TOKEN 0a1b2c3d :There is no device token 0a1b2c3d');
  assert.equal(f.auth.at(-1)?.kind, 'token-failed');
  assert.equal(f.auth.at(-1)?.code, 'NO_SUCH_TOKEN');
});
