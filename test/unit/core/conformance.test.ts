// Exact replies that a conformance run found wrong (issue 16), each asserted line for line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, msgs, inRoom, src } from './util.js';
import { INVALID_UTF8_MARK } from '../../../src/transports/line-reader.js';

test('KICK #a,#b nick1,nick2 kicks in pairs (RFC 2812 3.2.8); a count mismatch is 461', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    const c = h.client('carol');
    inRoom('#a', a, b);
    inRoom('#b', a, c);
    a.recv('KICK #a,#b bob,carol :out');
    assert.deepEqual(a.take(), [`:${src('alice')} KICK #a bob out`, `:${src('alice')} KICK #b carol out`]);
    assert.deepEqual(b.take(), [`:${src('alice')} KICK #a bob out`]);
    assert.deepEqual(c.take(), [`:${src('alice')} KICK #b carol out`]);
    a.recv('KICK #a,#b bob');
    assert.deepEqual(a.take(), [':test.server 461 alice KICK :Not enough parameters']);
  }));

test('a PRIVMSG, NOTICE or TAGMSG to your own nick with echo-message: the delivery, then the echo', () =>
  using({}, (h) => {
    const a = h.client('alice', ['echo-message', 'message-tags']);
    // both copies carry the one msgid the message got
    const twice = (line: string): void => {
      const got = a.take();
      const id = /^@msgid=([^ ;]+)/.exec(got[0] ?? '')?.[1];
      assert.ok(id !== undefined, got.join('\n'));
      assert.deepEqual(got, [line.replace('ID', id), line.replace('ID', id)]);
    };
    a.recv('PRIVMSG alice :me');
    twice(`@msgid=ID :${src('alice')} PRIVMSG alice me`);
    a.recv('NOTICE alice :me');
    twice(`@msgid=ID :${src('alice')} NOTICE alice me`);
    a.recv('@+typing=active TAGMSG alice');
    twice(`@msgid=ID;+typing=active :${src('alice')} TAGMSG alice`);
    const b = h.client('bob');
    b.recv('PRIVMSG bob :me');
    assert.deepEqual(b.take(), [`:${src('bob')} PRIVMSG bob me`], 'without echo-message: once');
  }));

test('421 for an invalid command name carries the label of a labeled line', () =>
  using({}, (h) => {
    const a = h.client('alice', ['labeled-response', 'batch', 'message-tags']);
    a.recv('@label=x1 FOO_BAR baz');
    assert.deepEqual(a.take(), ['@label=x1 :test.server 421 alice FOO_BAR :Unknown command']);
    a.recv('FOO_BAR baz');
    assert.deepEqual(a.take(), [':test.server 421 alice FOO_BAR :Unknown command']);
  }));

test('a tag section over 4,094 bytes gets 417, counting every tag (not only client-only ones)', () =>
  using({}, (h) => {
    const a = h.client('alice', ['message-tags']);
    const b = h.client('bob', ['message-tags']);
    const big = 'x'.repeat(4094 - 'label='.length - 1); // 'label=' + value + ';' ... made to land on the limit
    a.recv(`@label=${big.slice(0, 4094 - 'label='.length - '+a=b;'.length)};+a=b PRIVMSG bob :fits`);
    assert.equal(msgs(b.take(), 'PRIVMSG').length, 1, '4,094 bytes of tags is allowed');
    a.recv(`@label=${big};+a=b PRIVMSG bob :hi`);
    assert.deepEqual(a.take(), [':test.server 417 alice :Input line was too long']);
    assert.deepEqual(b.take(), [], 'not relayed');
    a.recv(`@draft/x=${'é'.repeat(2100)} PING t`);
    assert.deepEqual(a.take(), [':test.server 417 alice :Input line was too long'], 'bytes, not characters');
  }));

test('UTF8ONLY: a line that was not valid UTF-8 gets FAIL * INVALID_UTF8 and is dropped', () =>
  using({}, (h) => {
    const [a, b] = [h.client('alice'), h.client('bob')];
    a.recv(INVALID_UTF8_MARK + 'PRIVMSG bob :caf\ufffd');
    assert.deepEqual(a.take(), [':test.server FAIL * INVALID_UTF8 :Message rejected: it was not valid UTF-8, and this server only accepts UTF-8']);
    assert.deepEqual(b.take(), []);
    a.recv('PRIVMSG bob :a real \ufffd is fine');
    assert.deepEqual(b.take(), [`:${src('alice')} PRIVMSG bob :a real \ufffd is fine`]);
  }));

test('696 for an invalid +k shows * instead of the key', () =>
  using({}, (h) => {
    const a = h.client('alice');
    inRoom('#c', a);
    a.recv('MODE #c +k ' + 'k,'.repeat(200));
    assert.deepEqual(a.take(), [':test.server 696 alice #c k * :Invalid key']);
  }));

test('ISUPPORT TARGMAX says what NAMES does: several channels', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('NICK a');
    c.recv('USER a 0 * :A');
    const targmax = msgs(c.take(), '005').flatMap((m) => m.params).find((p) => p.startsWith('TARGMAX='));
    assert.ok(targmax !== undefined && targmax.split('=')[1]!.split(',').includes('NAMES:'), targmax);
    const a = h.client('alice');
    const b = h.client('bob');
    inRoom('#x', a);
    inRoom('#y', b);
    b.recv('NAMES #x,#y');
    assert.deepEqual(b.take(), [
      ':test.server 353 bob = #x :@alice',
      ':test.server 366 bob #x :End of /NAMES list.',
      ':test.server 353 bob = #y :@bob',
      ':test.server 366 bob #y :End of /NAMES list.',
    ]);
  }));
