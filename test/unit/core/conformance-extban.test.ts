// The mute extban +b m:<mask>: matching users may join but not speak (404). Issue 16.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, msgs, pair, src } from './util.js';

test('+b m:mask: the muted user joins, PRIVMSG is 404, NOTICE silently dropped; -b lifts it', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    a.recv('MODE #c +b m:bob!*@*');
    assert.deepEqual(a.take(), [`:${src('alice')} MODE #c +b m:bob!*@*`]);
    b.take();
    b.recv('PRIVMSG #c :hello');
    assert.deepEqual(b.take(), [':test.server 404 bob #c :Cannot send to channel']);
    b.recv('NOTICE #c :hello');
    assert.deepEqual(b.take(), []);
    assert.deepEqual(a.take(), [], 'nothing relayed');
    // still able to join again: a mute is not a ban
    b.recv('PART #c');
    b.recv('JOIN #c');
    assert.equal(msgs(b.take(), 'JOIN').length, 1);
    a.take();
    // other users speak; the ban list shows the extban as set
    const c = h.client('carol');
    c.recv('JOIN #c');
    c.recv('PRIVMSG #c :hi');
    assert.equal(msgs(a.take(), 'PRIVMSG').length, 1);
    a.recv('MODE #c b');
    assert.deepEqual(msgs(a.take(), '367').map((m) => m.params.slice(1, 3)), [['#c', 'm:bob!*@*']]);
    a.recv('MODE #c -b m:bob!*@*');
    a.take();
    b.recv('PRIVMSG #c :free');
    assert.deepEqual(a.take(), [`:${src('bob')} PRIVMSG #c free`]);
  }));

test('m: masks are normalized (m:bob -> m:bob!*@*), voice and +e get past a mute', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    a.recv('MODE #c +b m:bob');
    assert.deepEqual(a.take(), [`:${src('alice')} MODE #c +b m:bob!*@*`]);
    a.recv('MODE #c +e bob!*@*');
    a.take();
    b.take();
    b.recv('PRIVMSG #c :excepted');
    assert.deepEqual(a.take(), [`:${src('bob')} PRIVMSG #c excepted`]);
    a.recv('MODE #c -e+v bob!*@* bob');
    a.take();
    b.take();
    b.recv('PRIVMSG #c :voiced');
    assert.deepEqual(a.take(), [`:${src('bob')} PRIVMSG #c voiced`]);
    a.recv('MODE #c +b m:');
    assert.deepEqual(a.take(), [':test.server 696 alice #c b m: :Invalid ban mask']);
  }));

test('ISUPPORT advertises EXTBAN=,m', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('NICK zed');
    c.recv('USER zed 0 * :z');
    const tokens = msgs(c.take(), '005').flatMap((m) => m.params.slice(1, -1));
    assert.ok(tokens.includes('EXTBAN=,m'), tokens.join(' '));
  }));
