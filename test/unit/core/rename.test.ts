// draft/channel-rename (issue 16): RENAME by operators, RENAME or PART+JOIN to members,
// exact errors, redirection of the old name, history and state under the new name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, msgs, one, src, until } from './util.js';
import { RENAME_COOLDOWN_MS, RENAME_REDIRECTS, redirectCount } from '../../../src/core/commands/rename.js';

const RN = ['draft/channel-rename'];

test('RENAME: capable members get RENAME (with an empty reason too); others a NOTICE, PART, JOIN, topic and names', () =>
  using({}, (h) => {
    const a = h.client('alice', RN);
    const b = h.client('bob');
    for (const x of [a, b]) x.recv('JOIN #boaring');
    a.recv('TOPIC #boaring :boring things');
    a.recv('MODE #boaring +m');
    for (const x of [a, b]) x.take();
    a.recv('RENAME #boaring #boring :Typo fix');
    assert.deepEqual(a.take(), [`:${src('alice')} RENAME #boaring #boring :Typo fix`]);
    const got = b.take();
    assert.deepEqual(got.slice(0, 3), [
      ':test.server NOTICE #boaring :*** alice renamed #boaring to #boring (Typo fix)',
      `:${src('bob')} PART #boaring :Typo fix`,
      `:${src('bob')} JOIN #boring`,
    ]);
    assert.deepEqual(one(got, '332'), ['bob', '#boring', 'boring things']);
    assert.deepEqual(one(got, '353'), ['bob', '=', '#boring', '@alice bob']);
    const ch = h.server.findChannel('#boring')!;
    assert.equal(ch.name, '#boring');
    assert.ok(ch.flags.has('m'), 'modes kept');
    assert.equal(h.server.findChannel('#boaring'), undefined);
    a.recv('PRIVMSG #boring :hi');
    assert.deepEqual(b.take(), [`:${src('alice')} PRIVMSG #boring hi`]);
    h.clock.now += RENAME_COOLDOWN_MS;
    a.recv('RENAME #boring #plain');
    assert.deepEqual(a.take(), [`:${src('alice')} RENAME #boring #plain :`]);
  }));

test('RENAME errors: 403, 442, 482, CHANNEL_NAME_IN_USE, CANNOT_RENAME (prefix, invalid, default room, cooldown), 461', () =>
  using({}, (h) => {
    const a = h.client('alice', RN);
    const b = h.client('bob', RN);
    a.recv('JOIN #a');
    a.recv('JOIN #taken');
    b.recv('JOIN #a');
    b.recv('JOIN #lobby');
    a.take();
    b.take();
    a.recv('RENAME #nope #x');
    assert.deepEqual(a.take(), [':test.server 403 alice #nope :No such channel']);
    a.recv('RENAME #lobby #x');
    assert.deepEqual(a.take(), [":test.server 442 alice #lobby :You're not on that channel"]);
    b.recv('RENAME #a #b');
    assert.deepEqual(b.take(), [":test.server 482 bob #a :You're not channel operator"]);
    a.recv('RENAME #a #Taken :collide');
    assert.deepEqual(a.take(), [':test.server FAIL RENAME CHANNEL_NAME_IN_USE #a #Taken :The channel name is already taken']);
    a.recv('RENAME #a &a');
    assert.deepEqual(a.take(), [':test.server FAIL RENAME CANNOT_RENAME #a &a :You cannot change a channel prefix type']);
    a.recv('RENAME #a #bad,name');
    assert.deepEqual(a.take(), [':test.server FAIL RENAME CANNOT_RENAME #a #bad,name :That is not a valid channel name']);
    a.recv('RENAME #a #Lobby');
    assert.deepEqual(a.take(), [':test.server FAIL RENAME CHANNEL_NAME_IN_USE #a #Lobby :The channel name is already taken']);
    a.recv('RENAME #a');
    assert.deepEqual(a.take(), [':test.server 461 alice RENAME :Not enough parameters']);
    h.server.findNick('bob')!.admin = true;
    b.recv('RENAME #lobby #elsewhere');
    assert.deepEqual(b.take(), [':test.server FAIL RENAME CANNOT_RENAME #lobby #elsewhere :The default room cannot be renamed']);
    a.recv('RENAME #a #b');
    a.take();
    b.take();
    a.recv('RENAME #b #c');
    assert.deepEqual(a.take(), [':test.server FAIL RENAME CANNOT_RENAME #b #c :This channel has been renamed recently'], 'cooldown: no rename flood');
    // a case-only rename is allowed (the cooldown aside) and needs no PART/JOIN
    h.clock.now += RENAME_COOLDOWN_MS;
    a.recv('RENAME #b #B');
    assert.deepEqual(a.take(), [`:${src('alice')} RENAME #b #B :`]);
    a.recv('RENAME #B #B');
    assert.deepEqual(a.take(), [":test.server FAIL RENAME CANNOT_RENAME #B #B :That is the channel's name already"]);
  }));

test('the old name redirects: FAIL JOIN CHANNEL_RENAMED with the cap, 470 and a join of the new name without', () =>
  using({}, (h) => {
    const a = h.client('alice', RN);
    a.recv('JOIN #foo');
    a.recv('RENAME #foo #bar');
    a.take();
    const c = h.client('carol', RN);
    c.recv('JOIN #foo');
    assert.deepEqual(c.take(), [':test.server FAIL JOIN CHANNEL_RENAMED #foo #bar :The channel has been renamed']);
    const d = h.client('dave');
    d.recv('JOIN #foo');
    const got = d.take();
    assert.equal(got[0], ':test.server 470 dave #foo #bar :The channel has been renamed');
    assert.equal(got[1], `:${src('dave')} JOIN #bar`);
    // once a new room takes the old name, it is just that room
    const e = h.client('erin', RN);
    e.recv('JOIN #bar');
    e.take();
    a.recv('PART #bar');
    d.recv('PART #bar');
    e.recv('PART #bar');
    const f = h.client('fay', RN);
    f.recv('JOIN #foo');
    assert.equal(msgs(f.take(), 'JOIN').length, 1, 'the renamed room is gone: #foo is a new room');
  }));

test('history and saved state follow the rename: CHATHISTORY of the new name has the old lines, under the new name', () =>
  using({}, async (h) => {
    const a = h.client('alice', [...RN, 'batch', 'draft/chathistory', 'message-tags', 'server-time']);
    a.recv('JOIN #old');
    a.recv('TOPIC #old :kept topic');
    a.recv('PRIVMSG #old :said before');
    a.recv('RENAME #old #new');
    a.recv('PRIVMSG #new :said after');
    a.take();
    a.recv('CHATHISTORY LATEST #new * 10');
    await until(() => a.lines.some((l) => / BATCH -/.test(l)), 'history');
    assert.deepEqual(msgs(a.take(), 'PRIVMSG').map((m) => m.params), [['#new', 'said before'], ['#new', 'said after']]);
    await h.history!.flushNow();
    const states = await h.history!.storage.channels.loadChannels();
    assert.deepEqual(states.map((s) => [s.folded, s.topic]), [['#new', 'kept topic']]);
  }));

test('admin room mutes move with the room', () =>
  using({}, (h) => {
    const a = h.client('alice', RN);
    const b = h.client('bob');
    a.recv('JOIN #m');
    b.recv('JOIN #m');
    const r = h.server.admin.sanctions.add({ kind: 'mute', scope: '#m', target: '*!*@127.0.0.2', reason: '', setBy: 'x', setAt: 0, expiresAt: null });
    assert.notEqual(typeof r, 'string');
    a.recv('RENAME #m #n');
    assert.deepEqual(h.server.admin.sanctions.list().map((s) => [s.scope, s.value]), [['#n', '*!*@127.0.0.2']]);
  }));

test('the redirect memory is bounded (RENAME_REDIRECTS old names)', () =>
  using({ limits: { channelsPerUser: 5000, maxChannels: 5000, channelsCreatedPerUser: 5000, channelCreateBurst: 5000 } }, (h) => {
    const a = h.client('alice', RN);
    a.recv('JOIN #r0');
    for (let i = 0; i < RENAME_REDIRECTS + 20; i++) {
      h.clock.now += RENAME_COOLDOWN_MS;
      a.recv(`RENAME #r${i} #r${i + 1}`);
    }
    assert.equal(redirectCount(h.server), RENAME_REDIRECTS);
    assert.equal(h.server.findChannel(`#r${RENAME_REDIRECTS + 20}`)!.members.size, 1);
  }));
