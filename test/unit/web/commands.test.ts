/** The browser's slash commands and view helpers over the shared client model. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IrcClient, type TransportHandlers } from '../../../src/clients/shared/irc-client.js';
import { complete, orderedBuffers, runInput, sortedMembers, wantedChannels } from '../../../src/clients/web/commands.js';

function client() {
  let h: TransportHandlers | null = null;
  const sent: string[] = [];
  const c = new IrcClient({
    nick: 'me',
    serverLabel: 'test',
    reconnect: false,
    transport: (hh) => {
      h = hh;
      return { send: (l) => sent.push(l), close: () => queueMicrotask(() => hh.onClose()) };
    },
  });
  c.connect();
  const recv = (...ls: string[]): void => ls.forEach((l) => h!.onLine(l));
  h!.onOpen();
  recv(':srv CAP * LS :batch', ':srv CAP me ACK :batch', ':srv 001 me :hi', ':srv 005 me CHANTYPES=# PREFIX=(ov)@+ :ok');
  return { c, sent, recv, drop: () => h!.onClose(new Error('reset')) };
}

test('plain text goes to the window; /join, /msg and /me send what they should', () => {
  const { c, sent, recv } = client();
  runInput(c, 'hello');
  assert.match(c.server.lines.at(-1)!.text, /server window/);
  runInput(c, '/join lobby');
  assert.equal(sent.at(-1), 'JOIN #lobby');
  recv(':me!u@h JOIN #lobby', ':srv 353 me = #lobby :@op +voice me zed', ':srv 366 me #lobby :End');
  assert.equal(c.active.name, '#lobby');
  runInput(c, 'hi all');
  assert.equal(sent.at(-1), 'PRIVMSG #lobby :hi all');
  runInput(c, '/me waves');
  assert.equal(sent.at(-1), 'PRIVMSG #lobby :\x01ACTION waves\x01');
  runInput(c, '/msg bob psst');
  assert.equal(sent.at(-1), 'PRIVMSG bob psst');
  assert.equal(c.active.name, 'bob');
  assert.deepEqual(orderedBuffers(c).map((b) => b.name), ['test', '#lobby', 'bob']);
  const lobby = c.find('#lobby')!;
  assert.deepEqual(sortedMembers(c, lobby).map((m) => m.prefix + m.nick), ['@op', '+voice', 'me', 'zed']);
  assert.deepEqual(wantedChannels(c), ['#lobby']);
});

test('a message typed while disconnected waits for the reconnect instead of being lost', () => {
  const { c, recv, drop } = client();
  recv(':me!u@h JOIN #lobby');
  c.setActive(c.find('#lobby')!);
  drop();
  runInput(c, 'are you there?');
  assert.equal(c.pendingCount, 1);
  assert.ok(c.active.lines.some((l) => l.pending && l.text === 'are you there?'));
});

test('Tab completes nicks of the room, commands and rooms', () => {
  const { c, recv } = client();
  recv(':me!u@h JOIN #lobby', ':srv 353 me = #lobby :me zed', ':srv 366 me #lobby :End');
  c.setActive(c.find('#lobby')!);
  assert.deepEqual(complete(c, 'ze', 2), { text: 'zed: ', cursor: 5 });
  assert.deepEqual(complete(c, '/jo', 3), { text: '/join ', cursor: 6 });
  assert.deepEqual(complete(c, 'go to #lo', 9), { text: 'go to #lobby ', cursor: 13 });
});
