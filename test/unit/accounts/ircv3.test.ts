// IRCv3 that comes with accounts: account-tag, WHOX with the account field, standard-replies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from '../../helpers/harness.js';
import { registeredClient, waitLine } from './util.js';


test('account-tag: messages from a logged-in user carry account= to those with the cap, only them', async () => {
  const h = harness();
  try {
    const alice = await registeredClient(h, 'alice');
    const tagged = h.client('bob', ['account-tag']);
    const both = h.client('carol', ['account-tag', 'server-time']);
    const plain = h.client('dave');
    for (const c of [alice, tagged, both, plain]) c.recv('JOIN #room');
    for (const c of [alice, tagged, both, plain]) c.take();
    alice.recv('PRIVMSG #room :hello');
    alice.recv('PRIVMSG bob :psst');
    assert.deepEqual(tagged.take(), ['@account=alice :alice!~alice@127.0.0.1 PRIVMSG #room hello', '@account=alice :alice!~alice@127.0.0.1 PRIVMSG bob psst']);
    assert.match(both.take()[0]!, /^@time=[^ ;]+;account=alice :alice!\S+ PRIVMSG #room :?hello$/);
    assert.deepEqual(plain.take(), [':alice!~alice@127.0.0.1 PRIVMSG #room hello']);
    // not logged in: no tag
    plain.recv('PRIVMSG #room :hi');
    assert.deepEqual(tagged.take(), [':dave!~dave@127.0.0.1 PRIVMSG #room hi']);
    // JOIN carries it too
    alice.recv('PART #room');
    tagged.take();
    alice.recv('JOIN #room');
    assert.equal(tagged.take()[0], '@account=alice :alice!~alice@127.0.0.1 JOIN #room');
  } finally {
    await h.close();
  }
});

test('WHOX: WHO #c %tcuhnfar,42 answers 354 with the account (0 when none); WHOX in ISUPPORT', async () => {
  const h = harness();
  try {
    const c = h.connect();
    c.recv('NICK alice');
    c.recv('USER alice 0 * :Alice Smith');
    assert.match(c.take().join('\n'), / 005 alice .*\bWHOX\b/);
    c.recv('REGISTER * * :correct horse');
    await waitLine(c, / REGISTER SUCCESS /);
    const bob = h.client('bob');
    c.recv('JOIN #c');
    bob.recv('JOIN #c');
    c.take();
    c.recv('WHO #c %tcuhnfar,42');
    const got = c.take();
    assert.ok(got.includes(':test.server 354 alice 42 #c ~alice 127.0.0.1 alice H@ alice :Alice Smith'), got.join('\n'));
    assert.ok(got.includes(':test.server 354 alice 42 #c ~bob 127.0.0.1 bob H 0 :bob Realname'), got.join('\n'));
    assert.match(got[got.length - 1]!, / 315 alice #c :End of \/WHO list\./);
    // fields come in the fixed order whatever order they were asked in; a bad token becomes 0
    c.recv('WHO bob %an,abcd');
    assert.equal(c.take()[0], ':test.server 354 alice bob :0');
    c.recv('WHO alice %nat,7');
    assert.equal(c.take()[0], ':test.server 354 alice 7 alice :alice');
    // plain WHO unchanged
    c.recv('WHO bob');
    assert.match(c.take()[0]!, / 352 alice #c ~bob 127\.0\.0\.1 test\.server bob H :0 bob Realname/);
  } finally {
    await h.close();
  }
});

test('standard-replies is offered and can be requested', async () => {
  const h = harness();
  try {
    const c = h.connect();
    c.recv('CAP REQ :standard-replies');
    assert.match(c.take().join('\n'), /ACK :standard-replies/);
  } finally {
    await h.close();
  }
});
