/**
 * UTF8ONLY on real sockets: an IRC client's invalid UTF-8 gets FAIL * INVALID_UTF8 and is
 * dropped; a netcat user's Latin-1 is still relayed (replaced), and a UTF-8 NICK as the
 * first line is answered as IRC (432), never a guest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2eScope } from '../helpers/serve-inprocess.js';

const T = { timeout: 20_000 };
const { serve, connect } = e2eScope('utf8');

test('invalid UTF-8 from an IRC client: FAIL and dropped; from a netcat user: relayed with U+FFFD', T, async () => {
  const h = await serve();
  const bob = await connect(h.port);
  await bob.register('bob');
  bob.send('JOIN #lobby');
  await bob.waitFor(/ 366 bob #lobby /);

  const alice = await connect(h.port);
  await alice.register('alice');
  alice.send('JOIN #lobby');
  await alice.waitFor(/ 366 alice #lobby /);
  alice.socket.write(Buffer.concat([Buffer.from('PRIVMSG #lobby :caf'), Buffer.from([0xe9]), Buffer.from('\r\nPRIVMSG #lobby :after\r\n')]));
  assert.equal(await alice.waitFor(/ FAIL /), ':test.local FAIL * INVALID_UTF8 :Message rejected: it was not valid UTF-8, and this server only accepts UTF-8');
  await bob.waitFor(/PRIVMSG #lobby :?after$/);
  assert.equal(bob.lines.filter((l) => l.includes('caf')).length, 0, 'the invalid line was not relayed');

  const nc = await connect(h.port);
  nc.socket.write(Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' au lait\n')]));
  await bob.waitFor(/PRIVMSG #lobby :caf\ufffd au lait$/);
});

test('NICK with a UTF-8 nick as the first line is IRC: 432, then registration works', T, async () => {
  const h = await serve();
  const c = await connect(h.port);
  c.socket.write('NICK Işıl\r\n');
  assert.equal(await c.waitFor(/ 432 /), ':test.local 432 * Işıl :Erroneous nickname');
  c.send('NICK isil');
  c.send('USER isil 0 * :Işıl');
  await c.waitFor(/ 001 isil /);
  assert.equal(c.lines.filter((l) => l.startsWith('*')).length, 0, 'no plain-text greeting');
});
