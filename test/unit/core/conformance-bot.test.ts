// Bot mode (IRCv3 bot-mode): user mode +B, BOT=B, 335 in WHOIS, B in WHO, the `bot` tag. Issue 16.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, one, msgs, inRoom, src } from './util.js';

test('+B: 221 shows it, WHOIS has 335, WHO flags carry B, ISUPPORT has BOT=B', () =>
  using({}, (h) => {
    const r = h.client('robo');
    r.recv('MODE robo +B');
    assert.deepEqual(r.take(), [`:${src('robo')} MODE robo :+B`]);
    r.recv('MODE robo');
    assert.deepEqual(one(r.take(), '221'), ['robo', '+B']);
    const a = h.client('alice');
    a.recv('WHOIS robo');
    assert.deepEqual(one(a.take(), '335'), ['alice', 'robo', 'is a bot on tincan']);
    a.recv('WHO robo');
    assert.equal(one(a.take(), '352')[6], 'HB');
    a.recv('WHOIS alice');
    assert.deepEqual(msgs(a.take(), '335'), []);
    a.recv('VERSION');
    assert.ok(msgs(a.take(), '005').some((m) => m.params.includes('BOT=B')));
    r.recv('MODE robo -B');
    r.take();
    a.recv('WHOIS robo');
    assert.deepEqual(msgs(a.take(), '335'), []);
  }));

test('a +B user\'s PRIVMSG, NOTICE and TAGMSG carry the bot tag to message-tags clients only', () =>
  using({}, (h) => {
    const r = h.client('robo', ['message-tags']);
    const a = h.client('alice', ['message-tags']);
    const b = h.client('bob');
    inRoom('#c', r, a, b);
    r.recv('MODE robo +B');
    r.take();
    r.recv('PRIVMSG #c :beep');
    const got = a.take();
    assert.equal(got.length, 1);
    assert.match(got[0]!, /^@msgid=[^ ;]+;bot :robo!~robo@127\.0\.0\.1 PRIVMSG #c beep$/);
    assert.deepEqual(b.take(), [`:${src('robo')} PRIVMSG #c beep`]);
    r.recv('@+typing=active TAGMSG alice');
    assert.match(a.take()[0]!, /^@msgid=[^ ;]+;bot;\+typing=active :robo!~robo@127\.0\.0\.1 TAGMSG alice$/);
    r.recv('NOTICE bob :hi');
    assert.deepEqual(b.take(), [`:${src('robo')} NOTICE bob hi`]);
    // not a bot: no tag
    a.recv('PRIVMSG #c :human');
    assert.doesNotMatch(r.take()[0]!, /bot/);
  }));
