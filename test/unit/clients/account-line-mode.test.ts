// `tincan chat` in a pipe (line mode): /register and /login without the password take
// it from the next stdin line, which is neither echoed nor sent as a message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { IrcClient, type TransportHandlers } from '../../../src/clients/shared/irc-client.js';
import { runLineMode } from '../../../src/clients/tui/line-mode.js';

async function until(f: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 3000;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('line mode: the password is the next stdin line, never printed or sent as a message', async () => {
  let h!: TransportHandlers;
  const sent: string[] = [];
  const c = new IrcClient({ nick: 'pat', serverLabel: 't', reconnect: false, transport: (x) => ((h = x), { send: (l) => sent.push(l), close: () => queueMicrotask(() => x.onClose()) }) });
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = runLineMode(c, { stdin, stdout, stderr });
  c.connect();
  h.onOpen();
  for (const l of [':s CAP * LS :sasl draft/account-registration', ':s CAP * ACK :draft/account-registration', ':s 001 pat :hi']) h.onLine(l);
  stdin.write('/register\nsecret-one-1\nsecret-one-1\n');
  await until(() => sent.includes('REGISTER * * secret-one-1'), 'REGISTER sent');
  assert.match(out, /Password for pat \(not shown\): \n/);
  assert.match(out, /The same password again: \n/);
  stdin.write('/login other\n');
  await until(() => /Password for other \(not shown\)/.test(out), 'the login prompt');
  stdin.write('secret-two-2\n');
  await until(() => sent.includes('CAP REQ sasl'), 'login started');
  assert.ok(!out.includes('secret-one-1') && !out.includes('secret-two-2'), out);
  assert.ok(!sent.some((l) => l.startsWith('PRIVMSG')), 'no password sent as a message');
  stdin.end();
  await done;
});
