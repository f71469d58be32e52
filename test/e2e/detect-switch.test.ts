/**
 * Detection, second chance (issue 16): a connection first taken for a netcat user that
 * goes on like an IRC client becomes an IRC session, when that is safe (nothing it typed
 * reached anyone yet); a real netcat user is never switched once it has chatted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2eScope } from '../helpers/serve-inprocess.js';
import type { RawClient } from '../helpers/raw-client.js';

const T = { timeout: 20_000 };
const { serve, connect } = e2eScope('switch');

async function observer(port: number): Promise<RawClient> {
  const o = await connect(port);
  await o.register('watcher');
  o.send('JOIN #lobby');
  await o.waitFor(/ 366 watcher #lobby /);
  return o;
}

test('an IRC-looking first line taken for chat, then NICK/USER: the connection becomes IRC (001), the line was never chat', T, async () => {
  const h = await serve();
  const watch = await observer(h.port);
  const c = await connect(h.port);
  c.socket.write('PROTOCTL NAMESX\r\n');
  // the guest session exists (a welcome text came), the line is held back
  await c.waitFor(/tincan|guest/i);
  c.socket.write('CAP LS 302\r\nNICK realirc\r\nUSER realirc 0 * :Real IRC\r\nCAP END\r\n');
  assert.match(await c.waitFor(/ 001 /), /^:test.local 001 realirc :Welcome/);
  assert.ok(c.lines.some((l) => /^:test.local 451 \* :You have not registered$/.test(l)), 'the held line went to the IRC session');
  await watch.waitFor(/ QUIT :Switched to IRC$/);
  c.send('JOIN #lobby');
  await watch.waitFor(/:realirc!\S+ JOIN #lobby/);
  assert.equal(watch.lines.filter((l) => l.includes('PROTOCTL')).length, 0, 'never relayed as chat');
});

test('a netcat user who chatted first stays plain even if it then types NICK bob; an IRC-looking line alone is chat after a second', T, async () => {
  const h = await serve();
  const watch = await observer(h.port);
  const nc = await connect(h.port);
  nc.socket.write('hello there\n');
  await watch.waitFor(/PRIVMSG #lobby :hello there$/);
  nc.socket.write('NICK bob\n');
  await watch.waitFor(/PRIVMSG #lobby :NICK bob$/);
  assert.equal(nc.lines.filter((l) => / 001 /.test(l)).length, 0);

  const shout = await connect(h.port);
  shout.socket.write('LOL\n');
  const sent = Date.now();
  await watch.waitFor(/PRIVMSG #lobby :?LOL$/);
  assert.ok(Date.now() - sent >= 900, 'held for the second-chance window, then chat');
});
