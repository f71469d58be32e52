/**
 * Real irssi (Debian's, in tmux) over TLS with the pinned fingerprint, exactly as the
 * join card prints it: `/connect -tls -tls_pinned_cert FP HOST PORT`. A wrong pin is
 * refused by irssi and never registers.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { runServe, type ServeHandle } from '../../src/cli/serve.js';
import { tlsLines } from '../../src/discovery/join-card.js';
import type { IrcServer } from '../../src/core/server.js';
import { RawClient } from '../helpers/raw-client.js';
import { IrssiHomes, irssiSkip } from '../helpers/irssi.js';
import { Tmux, eventually } from '../helpers/tmux.js';

const skip = irssiSkip;

let h: ServeHandle;
let tmux: Tmux;
const irssi = new IrssiHomes('tls');

before(async () => {
  if (skip) return;
  const data = mkdtempSync(join(tmpdir(), 'tincan-irssi-tls-'));
  writeFileSync(join(data, 'c.json'), JSON.stringify({ storage: 'memory' }));
  h = await runServe(['--host', '127.0.0.1', '--port', '0', '--name', 'test.local', '--data', data, '--config', join(data, 'c.json')], {}, {
    signals: false,
    logger: pino({ level: process.env['TINCAN_TEST_LOG'] ?? 'silent' }),
  });
  tmux = new Tmux();
});

after(async () => {
  if (skip) return;
  tmux.kill();
  await h.close();
  irssi.removeAll();
});

test('irssi connects with -tls and the pinned fingerprint from the join card, and chats', { skip, timeout: 60000 }, async () => {
  const srv = h.server as IrcServer;
  const fp = h.tls!.credentials.fingerprint;
  // the very command the join card prints
  const cmd = tlsLines({ fingerprint: fp, selfSigned: true }, '127.0.0.1', h.port).find((l) => l.includes('/connect -tls'))!.replace(/^\s*irssi:\s*/, '');
  assert.equal(cmd, `/connect -tls -tls_pinned_cert ${fp} 127.0.0.1 ${h.port}`);
  const home = irssi.create('alice');
  tmux.start('alice', `irssi --home=${home} -n alice`, { HOME: home, TERM: 'xterm' });
  await eventually(() => /\[\(status\)\]/.test(tmux.screen('alice')) || tmux.screen('alice').includes('Irssi'), 'irssi started', 10000);
  tmux.type('alice', cmd);
  const alice = await eventually(() => srv.findNick('alice'), 'irssi registered over TLS', 15000);
  assert.equal(alice.conn.secure, true);

  const bob = await RawClient.connect(h.port);
  await bob.register('bob');
  bob.send('JOIN #lobby');
  await bob.waitFor(/ 366 bob #lobby /);
  tmux.type('alice', '/join #lobby');
  await bob.waitFor(/^:alice!\S+ JOIN #lobby/, 10000);
  tmux.type('alice', 'hello over pinned tls');
  await bob.waitFor(/^:alice!\S+ PRIVMSG #lobby :hello over pinned tls$/, 10000);
  bob.send('PRIVMSG #lobby :hi irssi');
  await eventually(() => /<[ @+]?bob> hi irssi/.test(irssi.log('alice', '#lobby')), 'irssi shows what bob said', 10000);
  bob.socket.destroy();
});

test('irssi with a wrong pinned fingerprint refuses the server and never registers', { skip, timeout: 60000 }, async () => {
  const srv = h.server as IrcServer;
  const wrong = h.tls!.credentials.fingerprint.replace(/^../, (b) => (b === '00' ? '11' : '00'));
  const home = irssi.create('eve');
  tmux.start('eve', `irssi --home=${home} -n eve`, { HOME: home, TERM: 'xterm' });
  await eventually(() => tmux.screen('eve').includes('Irssi'), 'irssi started', 10000);
  tmux.type('eve', `/connect -tls -tls_pinned_cert ${wrong} 127.0.0.1 ${h.port}`);
  await eventually(() => /Pinned certificate mismatch/.test(tmux.screen('eve')) && /Connection lost to 127\.0\.0\.1/.test(tmux.screen('eve')), 'irssi reports the mismatch', 15000).catch((e: Error) =>
    assert.fail(e.message + '\n' + tmux.screen('eve')),
  );
  // irssi shows the real fingerprint, the one on the join card
  assert.ok(tmux.screen('eve').replace(/\s+/g, ' ').includes(`Certificate Fingerprint: ${h.tls!.credentials.fingerprint}`), tmux.screen('eve'));
  assert.equal(srv.findNick('eve'), undefined);
});
