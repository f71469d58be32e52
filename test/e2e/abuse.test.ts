/**
 * Bad peers over real sockets: a flood, an over-long line, a reader that never reads,
 * random bytes. Each is dealt with, and a bystander in the same channel keeps chatting.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/raw-client.js';
import { closedBy, quitBy } from '../helpers/codes.js';

let srv: RunningServer;
let alice: RawClient;
let bob: RawClient;

before(async () => {
  srv = await startServer({
    flood: { enabled: true, linesPerSecond: 5, burst: 10, maxQueued: 40 },
    limits: { sendQBytes: 64 * 1024 },
  });
  alice = await RawClient.connect(srv.port);
  await alice.register('alice');
  bob = await RawClient.connect(srv.port);
  await bob.register('bob');
  alice.send('JOIN #lobby');
  bob.send('JOIN #lobby');
  await bob.waitFor(/ 366 bob #lobby /);
});

after(async () => {
  alice.end();
  bob.end();
  await srv.stop();
});

/** Proves the server still relays between the two bystanders. */
async function bystandersOk(tag: string): Promise<void> {
  alice.send(`PRIVMSG #lobby :still here ${tag}`);
  await bob.next(new RegExp(`PRIVMSG #lobby :still here ${tag}`));
}

test('an over-long line gets 417 and the connection carries on', async () => {
  const c = await RawClient.connect(srv.port);
  await c.register('longline');
  c.send('PRIVMSG #lobby :' + 'x'.repeat(20000));
  await c.waitFor(/ 417 longline :Input line was too long/);
  c.send('PING :after');
  await c.waitFor(/PONG \S+ :?after/);
  await bystandersOk('long');
  c.end();
});

test('a flood is delayed, then a sustained flood is disconnected', async () => {
  const c = await RawClient.connect(srv.port);
  await c.register('flooder');
  c.send('JOIN #lobby');
  await c.waitFor(/ 366 flooder /);
  // a burst just over the bucket is delivered, late but complete
  const start = bob.lines.length;
  for (let i = 0; i < 15; i++) c.send(`PRIVMSG #lobby :burst ${i}`);
  await bob.waitFor(/burst 14$/, 8000, start);
  const burst = bob.lines.slice(start).filter((l) => /:burst \d+$/.test(l));
  assert.equal(burst.length, 15, 'every line of a short burst arrives');
  // a sustained flood fills the queue and is cut off
  for (let i = 0; i < 500; i++) c.send(`PRIVMSG #lobby :flood ${i}`);
  await c.waitFor(closedBy('TINCAN_ERR_FLOOD'), 8000);
  await c.closed;
  await bob.waitFor(quitBy('flooder', 'TINCAN_ERR_FLOOD'));
  await bystandersOk('flood');
});

test('a reader that never reads is dropped with SendQ exceeded, others unaffected', async () => {
  // its own server without flood control, so one sender can outpace the reader
  const srv = await startServer({ flood: { enabled: false }, limits: { sendQBytes: 512 * 1024 } });
  const alice = await RawClient.connect(srv.port);
  await alice.register('alice');
  const bob = await RawClient.connect(srv.port);
  await bob.register('bob');
  alice.send('JOIN #lobby');
  bob.send('JOIN #lobby');
  await bob.waitFor(/ 366 bob #lobby /);
  const sock = net.connect({ port: srv.port, host: '127.0.0.1' });
  await new Promise<void>((r) => sock.once('connect', () => r()));
  sock.write('NICK sleepy\r\nUSER sleepy 0 * :sleepy\r\nJOIN #lobby\r\n');
  // never read: pause straight away so the kernel buffers fill up
  sock.pause();
  await new Promise((r) => setTimeout(r, 200));
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  sock.on('error', () => {});
  // 1 KB lines from alice until sleepy's queue overflows
  const big = 'y'.repeat(400);
  // (loopback kernel buffers hold several MB before the server's own queue grows)
  for (let round = 0; round < 1000 && srv.server.findNick('sleepy') !== undefined; round++) {
    for (let i = 0; i < 100; i++) alice.send(`PRIVMSG #lobby :${big}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(srv.server.findNick('sleepy'), undefined, 'sleepy was dropped');
  await bob.waitFor(quitBy('sleepy', 'TINCAN_ERR_SENDQ'), 30000);
  sock.destroy();
  await closed;
  alice.send('PRIVMSG #lobby :still here sendq');
  await bob.next(/PRIVMSG #lobby :still here sendq/);
  alice.end();
  bob.end();
  await srv.stop();
});

test('random bytes and invalid UTF-8 never crash anything', async () => {
  for (let i = 0; i < 20; i++) {
    const s = net.connect({ port: srv.port, host: '127.0.0.1' });
    s.on('error', () => {});
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.write(randomBytes(3000));
    s.write(Buffer.from([0xff, 0xfe, 0x0d, 0x0a, 0x00, 0xc3, 0x28, 0x0a]));
    s.end();
  }
  const c = await RawClient.connect(srv.port);
  await c.register('utf8');
  c.send('JOIN #lobby');
  await c.waitFor(/ 366 utf8 /);
  c.socket.write(Buffer.concat([Buffer.from('PRIVMSG #lobby :bad '), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(' end\r\n')]));
  // UTF8ONLY (issue 16): refused with FAIL and dropped, not replaced and relayed
  await c.waitFor(/ FAIL \* INVALID_UTF8 /);
  c.send('PRIVMSG #lobby :good end');
  await bob.next(/PRIVMSG #lobby :good end$/);
  assert.equal(bob.lines.filter((l) => l.includes(':bad ')).length, 0, 'the invalid line was not relayed');
  await bystandersOk('random');
  c.end();
});
