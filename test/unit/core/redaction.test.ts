// draft/message-redaction (issue 16): who may delete what, the exact FAILs, the relay
// and its fallback NOTICE, history, and the bounded window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, msgs, parseLine, src, until } from './util.js';
import { REDACT_REMEMBERED, REDACT_WINDOW_MS, rememberedCount } from '../../../src/core/commands/redact.js';
import type { FakeConnection } from '../../helpers/fake-conn.js';

const RC = ['draft/message-redaction', 'message-tags', 'echo-message'];
const lastMsgid = (c: FakeConnection): string => parseLine(c.lines.filter((l) => / PRIVMSG | NOTICE | TAGMSG /.test(l)).at(-1)!).tags!.get('msgid')!;

test('the author deletes a message: REDACT to capable members (and the author), a NOTICE to the others', () =>
  using({}, (h) => {
    const a = h.client('alice', RC);
    const b = h.client('bob', ['draft/message-redaction', 'message-tags']);
    const c = h.client('carol');
    for (const x of [a, b, c]) x.recv('JOIN #c');
    for (const x of [a, b, c]) x.take();
    a.recv('PRIVMSG #c :oops wrong room');
    const id = lastMsgid(a);
    for (const x of [a, b, c]) x.take();
    a.recv(`REDACT #c ${id} :typo`);
    const rb = parseLine(b.take()[0]!);
    assert.equal(rb.command, 'REDACT');
    assert.equal(rb.source, src('alice'));
    assert.deepEqual(rb.params, ['#c', id, 'typo']);
    assert.ok(rb.tags!.has('msgid'));
    assert.deepEqual(a.take().map((l) => parseLine(l).command), ['REDACT']);
    assert.deepEqual(c.take(), [':test.server NOTICE #c :*** alice deleted a message (typo)']);
    a.recv(`REDACT #c ${id}`);
    assert.deepEqual(a.take(), [`:test.server FAIL REDACT UNKNOWN_MSGID #c ${id} :This message does not exist or is too old`], 'only once');
  }));

test('FAIL REDACT: INVALID_TARGET, UNKNOWN_MSGID, REDACT_FORBIDDEN (exact texts); an op and an admin may', () =>
  using({}, (h) => {
    const op = h.client('opal', RC);
    const a = h.client('alice', RC);
    const b = h.client('bob', RC);
    for (const x of [op, a, b]) x.recv('JOIN #c');
    for (const x of [op, a, b]) x.take();
    a.recv('PRIVMSG #c :one');
    const id1 = lastMsgid(a);
    a.recv('PRIVMSG #c :two');
    const id2 = lastMsgid(a);
    for (const x of [op, a, b]) x.take();
    b.recv(`REDACT #c ${id1}`);
    assert.deepEqual(b.take(), [`:test.server FAIL REDACT REDACT_FORBIDDEN #c ${id1} :You are not authorised to delete this message`]);
    b.recv(`REDACT #nowhere ${id1}`);
    assert.deepEqual(b.take(), [':test.server FAIL REDACT INVALID_TARGET #nowhere :You cannot delete messages from #nowhere']);
    const out = h.client('outsider', RC);
    out.recv('JOIN #other');
    out.take();
    out.recv(`REDACT #c ${id1}`);
    assert.deepEqual(out.take(), [':test.server FAIL REDACT INVALID_TARGET #c :You cannot delete messages from #c'], 'not a member');
    out.recv(`REDACT #other ${id1}`);
    assert.deepEqual(out.take(), [`:test.server FAIL REDACT UNKNOWN_MSGID #other ${id1} :This message does not exist or is too old`], 'a msgid of another room');
    b.recv('REDACT #c nosuchid');
    assert.deepEqual(b.take(), [':test.server FAIL REDACT UNKNOWN_MSGID #c nosuchid :This message does not exist or is too old']);
    // the channel operator (first comer)
    op.recv(`REDACT #c ${id1} :spam`);
    assert.deepEqual(msgs(b.take(), 'REDACT').map((m) => [m.source, ...m.params]), [[src('opal'), '#c', id1, 'spam']]);
    // a server admin, even from outside the room
    h.server.findNick('outsider')!.admin = true; // what OPER or the join card's code sets
    out.recv(`REDACT #c ${id2}`);
    assert.deepEqual(msgs(a.take(), 'REDACT').map((m) => m.params), [['#c', id1, 'spam'], ['#c', id2]]);
    assert.deepEqual(msgs(out.take(), 'REDACT').length, 1, 'the admin sees its own redaction');
  }));

test('private messages: only the author, in that conversation; the fallback NOTICE names who deleted', () =>
  using({}, (h) => {
    const a = h.client('alice', RC);
    const b = h.client('bob');
    a.recv('PRIVMSG bob :secret');
    const id = lastMsgid(a);
    a.take();
    b.take();
    b.recv(`REDACT alice ${id}`);
    assert.deepEqual(b.take(), [`:test.server FAIL REDACT UNKNOWN_MSGID alice ${id} :This message does not exist or is too old`]);
    a.recv(`REDACT bob ${id}`);
    assert.deepEqual(b.take(), [':test.server NOTICE bob :*** alice deleted a message']);
    assert.deepEqual(msgs(a.take(), 'REDACT').map((m) => m.params), [['bob', id]]);
  }));

test('history: a deleted message is gone from CHATHISTORY and SEARCH; a TAGMSG (reaction) can be deleted', () =>
  using({}, async (h) => {
    const a = h.client('alice', [...RC, 'batch', 'draft/chathistory', 'server-time']);
    a.recv('JOIN #c');
    a.recv('PRIVMSG #c :keep this line');
    a.recv('PRIVMSG #c :delete this line');
    const id = lastMsgid(a);
    a.recv(`@+draft/react=x;+draft/reply=${id} TAGMSG #c`);
    const react = lastMsgid(a);
    a.take();
    a.recv(`REDACT #c ${id}`);
    a.recv(`REDACT #c ${react}`);
    assert.equal(msgs(a.take(), 'REDACT').length, 2);
    a.recv('CHATHISTORY LATEST #c * 10');
    await until(() => a.lines.some((l) => / BATCH -/.test(l)), 'history');
    assert.deepEqual(msgs(a.take(), 'PRIVMSG').map((m) => m.params[1]), ['keep this line']);
    a.recv('SEARCH #c :line');
    await until(() => a.lines.some((l) => / BATCH -/.test(l)), 'search');
    assert.deepEqual(msgs(a.take(), 'PRIVMSG').map((m) => m.params[1]), ['keep this line']);
  }));

test('a multiline message is deleted as a whole (one msgid)', () =>
  using({}, async (h) => {
    const a = h.client('alice', [...RC, 'batch', 'draft/multiline', 'draft/chathistory']);
    a.recv('JOIN #c');
    a.recv('BATCH +m draft/multiline #c');
    a.recv('@batch=m PRIVMSG #c :a');
    a.recv('@batch=m PRIVMSG #c :b');
    a.recv('BATCH -m');
    const id = parseLine(a.lines.find((l) => / BATCH \+\S+ draft\/multiline/.test(l))!).tags!.get('msgid')!;
    a.take();
    a.recv(`REDACT #c ${id}`);
    assert.equal(msgs(a.take(), 'REDACT').length, 1);
    a.recv('CHATHISTORY LATEST #c * 10');
    await until(() => a.lines.some((l) => / BATCH -/.test(l)), 'history');
    assert.deepEqual(msgs(a.take(), 'PRIVMSG'), []);
  }));

test('the window: older than REDACT_WINDOW_MS is UNKNOWN_MSGID; the index keeps at most REDACT_REMEMBERED', () =>
  using({}, (h) => {
    const a = h.client('alice', RC);
    a.recv('JOIN #c');
    a.recv('PRIVMSG #c :old');
    const id = lastMsgid(a);
    a.take();
    h.clock.now += REDACT_WINDOW_MS + 1;
    a.recv(`REDACT #c ${id}`);
    assert.deepEqual(a.take(), [`:test.server FAIL REDACT UNKNOWN_MSGID #c ${id} :This message does not exist or is too old`]);
    for (let i = 0; i < REDACT_REMEMBERED + 50; i++) a.recv('PRIVMSG #c :x' + i);
    assert.equal(rememberedCount(h.server), REDACT_REMEMBERED);
  }));

test('the ring: a made-up msgid on a used slot, and a message whose slot was reused, are UNKNOWN_MSGID', () =>
  using({}, (h) => {
    const a = h.client('alice', RC);
    a.recv('JOIN #c');
    a.recv('PRIVMSG #c :first');
    const id = lastMsgid(a);
    const seq = h.server.msgidSeq(id);
    assert.ok(seq > 0);
    const prefix = id.slice(0, id.length - seq.toString(36).length);
    const forged = prefix + (seq + REDACT_REMEMBERED).toString(36); // the same slot
    a.take();
    a.recv(`REDACT #c ${forged}`);
    assert.deepEqual(a.take(), [`:test.server FAIL REDACT UNKNOWN_MSGID #c ${forged} :This message does not exist or is too old`]);
    // spellings that parse to the remembered number are not its msgid
    const s36 = seq.toString(36);
    const aliases = [prefix + '0' + s36, id + '!', ...(s36.toUpperCase() !== s36 ? [prefix + s36.toUpperCase()] : [])];
    for (const alias of aliases) {
      assert.equal(h.server.msgidSeq(alias), seq, `${alias} parses to the same number`);
      a.recv(`REDACT #c ${alias}`);
      assert.deepEqual(a.take(), [`:test.server FAIL REDACT UNKNOWN_MSGID #c ${alias} :This message does not exist or is too old`]);
    }
    a.recv(`REDACT #c ${id}`);
    assert.equal(msgs(a.take(), 'REDACT').length, 1, 'the msgid itself still works');
    a.recv('PRIVMSG #c :first again');
    const id2 = lastMsgid(a);
    a.take();
    assert.equal(h.server.msgidSeq('someone-elses-id'), -1);
    for (let i = 0; i < REDACT_REMEMBERED; i++) a.recv('PRIVMSG #c :x' + i);
    a.take();
    a.recv(`REDACT #c ${id2}`);
    assert.deepEqual(a.take(), [`:test.server FAIL REDACT UNKNOWN_MSGID #c ${id2} :This message does not exist or is too old`]);
    a.recv('PRIVMSG #c :last');
    const last = lastMsgid(a);
    a.take();
    a.recv(`REDACT #c ${last}`);
    assert.deepEqual(msgs(a.take(), 'REDACT').length, 1, 'the newest is still there');
  }));

test('a REDACT flood is cut off by flood control like any other command', () =>
  using({ flood: { enabled: true, linesPerSecond: 5, burst: 10, maxQueued: 20 } }, (h) => {
    const a = h.client('alice', RC);
    for (let i = 0; i < 40 && !a.closed; i++) a.recv(`REDACT #c id${i}`);
    assert.equal(a.closed, true);
    assert.match(a.closeLine ?? '', /Excess Flood/);
    assert.ok(msgs(a.lines, 'FAIL').length <= 11, 'only the burst was answered');
  }));
