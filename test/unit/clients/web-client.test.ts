/**
 * The browser client's model (src/clients/web/client.ts) against a fake transport:
 * the server password prompt on 464 (no reconnect loop), PASS on the next connect,
 * and the nick-change hook the page uses to remember a /nick.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatClient, type TransportHandlers } from '../../../src/clients/web/client.js';

function fake(opts: { password?: string } = {}) {
  const conns: { sent: string[]; h: TransportHandlers; closed: boolean }[] = [];
  const nicks: string[] = [];
  const c = new ChatClient({
    nick: 'alice',
    ...opts,
    backoff: { min: 5, max: 10 },
    random: () => 0.5,
    onNickChange: (n) => nicks.push(n),
    connect: (h) => {
      const conn = { sent: [] as string[], h, closed: false };
      conns.push(conn);
      return {
        send: (l) => conn.sent.push(l),
        close: () => {
          conn.closed = true;
        },
      };
    },
  });
  const cur = () => conns[conns.length - 1]!;
  return { c, conns, nicks, cur, recv: (...ls: string[]) => ls.forEach((l) => cur().h.line(l)) };
}

test('464 asks for the password and stops reconnecting; the answer is sent as PASS on the next connect', async () => {
  const f = fake();
  f.c.start();
  f.cur().h.open();
  assert.ok(!f.cur().sent.some((l) => l.startsWith('PASS')), 'no password yet');
  f.recv(':srv 464 * :Password incorrect', 'ERROR :Closing link: alice (Bad password)');
  f.cur().h.close('closed');
  assert.equal(f.c.status, 'password');
  assert.equal(f.c.passwordError, 'Password incorrect');
  // no retry timer: well past the backoff, still one connection
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(f.conns.length, 1);
  f.c.reconnectNow();
  assert.equal(f.conns.length, 1, 'Retry now does not loop either');

  f.c.submitPassword('s3cret');
  assert.equal(f.conns.length, 2);
  f.cur().h.open();
  const sent = f.cur().sent;
  assert.ok(sent.indexOf('PASS s3cret') >= 0 && sent.indexOf('PASS s3cret') < sent.findIndex((l) => l.startsWith('NICK')), sent.join(' | '));
  f.recv(':srv 001 alice :Welcome');
  assert.equal(f.c.status, 'connected');
  assert.equal(f.c.passwordError, null);
  f.c.stop();
});

test('a password given up front is sent on every connect; a dropped connection still reconnects', async () => {
  const f = fake({ password: 'pw' });
  f.c.start();
  f.cur().h.open();
  assert.ok(f.cur().sent.includes('PASS pw'));
  f.recv(':srv 001 alice :Welcome');
  f.cur().h.close('reset');
  assert.equal(f.c.status, 'waiting');
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(f.conns.length, 2);
  f.cur().h.open();
  assert.ok(f.cur().sent.includes('PASS pw'));
  f.c.stop();
});

test('onNickChange fires for a nick change the server confirmed, not for a fallback at registration', () => {
  const f = fake();
  f.c.start();
  f.cur().h.open();
  f.recv(':srv 433 * alice :Nickname is already in use', ':srv 001 alice_ :Welcome');
  assert.deepEqual(f.nicks, []);
  f.recv(':alice_!u@h NICK :carol');
  assert.deepEqual(f.nicks, ['carol']);
  f.recv(':bob!u@h NICK :dave');
  assert.deepEqual(f.nicks, ['carol']);
  f.c.stop();
});
