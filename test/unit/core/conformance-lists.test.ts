// +e (ban exceptions), +I (invite exceptions), +C (no CTCP), the m: mute extban: issue 16.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { using, one, msgs, pair, src } from './util.js';
import { harness, makeConfig } from '../../helpers/harness.js';
import { MemoryStorage } from '../../../src/storage/memory/memory-storage.js';
import { History } from '../../../src/core/history.js';
import { IrcServer } from '../../../src/core/server.js';

test('+e: 348/349 list; an excepted user joins past a matching ban', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('JOIN #c');
    a.take();
    a.recv('MODE #c +b *!*@127.0.0.1');
    a.recv('MODE #c +e bob!*@*');
    assert.deepEqual(a.take(), [`:${src('alice')} MODE #c +b *!*@127.0.0.1`, `:${src('alice')} MODE #c +e bob!*@*`]);
    a.recv('MODE #c e');
    assert.deepEqual(a.take(), [
      `:test.server 348 alice #c bob!*@* ${src('alice')} :${Math.floor(h.clock.now / 1000)}`,
      ':test.server 349 alice #c :End of channel exception list',
    ]);
    const b = h.client('bob');
    b.recv('JOIN #c');
    assert.equal(msgs(b.take(), 'JOIN').length, 1, 'excepted: joins');
    const c = h.client('carol');
    c.recv('JOIN #c');
    assert.deepEqual(c.take(), [':test.server 474 carol #c :Cannot join channel (+b)']);
    a.take();
    a.recv('MODE #c -e bob!*@*');
    assert.deepEqual(a.take(), [`:${src('alice')} MODE #c -e bob!*@*`]);
  }));

test('+I: 346/347 list; a matching user joins +i without an INVITE, others get 473', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('JOIN #c');
    a.recv('MODE #c +iI bob!*@*');
    a.take();
    a.recv('MODE #c I');
    assert.deepEqual(a.take(), [
      `:test.server 346 alice #c bob!*@* ${src('alice')} :${Math.floor(h.clock.now / 1000)}`,
      ':test.server 347 alice #c :End of channel invite list',
    ]);
    const b = h.client('bob');
    b.recv('JOIN #c');
    assert.equal(msgs(b.take(), 'JOIN').length, 1);
    const c = h.client('carol');
    c.recv('JOIN #c');
    assert.deepEqual(c.take(), [':test.server 473 carol #c :Cannot join channel (+i)']);
  }));

test('+e and +I lists are bounded by limits.banListSize (478), each on its own', () =>
  using({ limits: { banListSize: 2 } }, (h) => {
    const a = h.client('alice');
    a.recv('JOIN #c');
    a.recv('MODE #c +ee x!*@* y!*@*');
    a.take();
    a.recv('MODE #c +e z!*@*');
    assert.deepEqual(a.take(), [':test.server 478 alice #c z!*@* :Channel +e list is full']);
    a.recv('MODE #c +I z!*@*');
    assert.deepEqual(a.take(), [`:${src('alice')} MODE #c +I z!*@*`]);
    a.recv('MODE #c +b z!*@*');
    assert.deepEqual(a.take(), [`:${src('alice')} MODE #c +b z!*@*`]);
  }));

test('+e and +I need a channel operator to change (482) and are hidden with a private room', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    b.recv('MODE #c +e x!*@*');
    assert.deepEqual(b.take(), [":test.server 482 bob #c :You're not channel operator"]);
    a.recv('MODE #c +sI x!*@*');
    a.take();
    const c = h.client('carol');
    c.recv('MODE #c I');
    assert.deepEqual(c.take(), [':test.server 347 carol #c :End of channel invite list']);
  }));

test('+C: a CTCP but ACTION to the channel is 404 (PRIVMSG) or dropped (NOTICE); ACTION passes', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    a.recv('MODE #c +C');
    a.take();
    b.take();
    b.recv('PRIVMSG #c :\x01VERSION\x01');
    assert.deepEqual(b.take(), [':test.server 404 bob #c :Cannot send CTCP to channel (+C)']);
    b.recv('NOTICE #c :\x01PING 123\x01');
    assert.deepEqual(b.take(), []);
    assert.deepEqual(a.take(), [], 'nothing relayed');
    b.recv('PRIVMSG #c :\x01ACTION waves\x01');
    assert.deepEqual(a.take(), [`:${src('bob')} PRIVMSG #c :\x01ACTION waves\x01`]);
    b.recv('PRIVMSG #c :plain text');
    assert.deepEqual(a.take(), [`:${src('bob')} PRIVMSG #c :plain text`]);
    // a CTCP to a nick is not the channel's business
    b.recv('PRIVMSG alice :\x01VERSION\x01');
    assert.deepEqual(a.take(), [`:${src('bob')} PRIVMSG alice \x01VERSION\x01`]);
  }));

test('ISUPPORT: CHANMODES=beI,k,l,Cimnpst, EXCEPTS, INVEX, MAXLIST per list; 004 lists the modes', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('NICK zed');
    c.recv('USER zed 0 * :z');
    const got = c.take();
    const tokens = msgs(got, '005').flatMap((m) => m.params.slice(1, -1));
    for (const t of ['CHANMODES=beI,k,l,Cimnpst', 'EXCEPTS=e', 'INVEX=I', 'MAXLIST=b:100,e:100,I:100']) assert.ok(tokens.includes(t), `${t} in ${tokens.join(' ')}`);
    assert.deepEqual(one(got, '004').slice(4), ['CIbeiklmnopstv', 'Ibeklov']);
  }));

test('+e, +I and the m: mute extban are kept with the room state and restored after a restart', async () => {
  const storage = new MemoryStorage();
  const h = harness({}, undefined, { storage });
  const a = h.client('alice');
  a.recv('JOIN #room');
  a.recv('MODE #room +eIb ok!*@* friend!*@* m:loud!*@*');
  a.recv('PART #room');
  assert.ok(h.server.findChannel('#room') !== undefined, 'kept while empty for its lists');
  await h.server.shutdown('restart');
  const history = new History({ storage: Object.assign(Object.create(storage) as MemoryStorage, { close: async () => {} }), logger: pino({ level: 'silent' }) });
  const srv = new IrcServer(makeConfig({}), pino({ level: 'silent' }), { history, tickMs: 3_600_000, now: () => h.clock.now });
  try {
    assert.equal(await history.restoreChannels(srv), 1);
    const ch = srv.findChannel('#room')!;
    assert.deepEqual(ch.excepts.map((b) => [b.mask, b.setBy]), [['ok!*@*', src('alice')]]);
    assert.deepEqual(ch.invex.map((b) => b.mask), ['friend!*@*']);
    assert.ok(ch.isMuted('loud!x@y') && !ch.isBanned('loud!x@y'), 'the mute is still a mute');
    assert.ok(ch.isInviteExempt('friend!x@y'));
  } finally {
    await srv.shutdown('done');
  }
});
