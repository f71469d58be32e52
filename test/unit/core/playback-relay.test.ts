// Replayed and relayed lines: the sender's nick as it was, a replay framed for clients
// without batch, and a relayed line cut at 512 bytes never cut silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from '../../helpers/harness.js';
import { msgs, parseLine } from './util.js';

const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

test('a line said before a nick change is replayed under the nick it was said with', async () => {
  const h = harness({});
  try {
    const a = h.client('alice');
    a.recv('JOIN #a');
    a.recv('PRIVMSG #a :before');
    a.recv('NICK alice2');
    a.recv('PRIVMSG #a :after');
    await settle();
    const c = h.client('carol', ['server-time', 'batch']);
    c.recv('JOIN #a');
    await settle();
    const got = msgs(c.take(), 'PRIVMSG').map((m) => [m.source!.split('!')[0], m.params[1]]);
    assert.deepEqual(got, [['alice', 'before'], ['alice2', 'after']]);
  } finally {
    await h.close();
  }
});

test('without batch a replay is framed (start and end NOTICE, time in the text); live lines come after its end', async () => {
  const h = harness({});
  try {
    const b = h.client('bob');
    b.recv('JOIN #a');
    b.recv('PRIVMSG #a :old');
    await settle();
    const c = h.client('carol', ['server-time']);
    c.recv('JOIN #a');
    await settle();
    b.recv('PRIVMSG #a :live');
    const lines = c.take().map(parseLine).filter((m) => m.command === 'NOTICE' || m.command === 'PRIVMSG');
    assert.deepEqual(
      lines.map((m) => `${m.command} ${m.params[1]!.replace(/^\[\d\d:\d\d\] /, '[t] ')}`),
      ['NOTICE *** #a: the last message', 'PRIVMSG [t] old', 'NOTICE *** #a: end of replay', 'PRIVMSG live'],
    );
    // znc.in/playback without batch: the same framing
    const z = h.client('zed', ['server-time', 'znc.in/playback']);
    z.recv('JOIN #a');
    z.recv('PRIVMSG *playback :PLAY #a 0');
    await settle();
    assert.deepEqual(
      msgs(z.take(), 'NOTICE').map((m) => m.params[1]),
      ['*** #a: playback of 2 messages', '*** #a: end of playback'],
    );
  } finally {
    await h.close();
  }
});

test('a relayed line too long once the prefix is added: delivered cut, and the sender gets the rest back', async () => {
  const h = harness({});
  try {
    const nick = 'n'.repeat(30);
    const a = h.client(nick);
    const b = h.client('bob');
    a.recv('JOIN #a');
    b.recv('JOIN #a');
    a.take();
    b.take();
    // as long as the sender could send it (512 bytes with CRLF), in 2-byte characters
    const head = 'PRIVMSG #a :';
    const text = 'é'.repeat(Math.floor((510 - head.length) / 2));
    a.recv(head + text);
    const got = b.take();
    assert.equal(got.length, 1);
    assert.ok(Buffer.byteLength(got[0]! + '\r\n') <= 512, 'the relayed line fits');
    const delivered = parseLine(got[0]!).params[1]!;
    assert.ok(delivered.length < text.length);
    const told = msgs(a.take(), 'NOTICE').map((m) => m.params[1]!);
    assert.equal(told.length, 1);
    assert.match(told[0]!, new RegExp(`^\\*\\*\\* Your message to #a was too long .* cut after ${Buffer.byteLength(delivered)} bytes\\. Not delivered: `));
    assert.equal(delivered + told[0]!.split('Not delivered: ')[1], text, 'nothing lost: the cut-off end is in the NOTICE');
    // a line that fits: no NOTICE
    a.recv('PRIVMSG #a :short');
    assert.equal(msgs(a.take(), 'NOTICE').length, 0);
  } finally {
    await h.close();
  }
});
