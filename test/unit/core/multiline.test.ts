// draft/multiline (issue 16): batches in, batches or separate lines out, history, and
// every bound (max-bytes, max-lines, one batch per session, the timeout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, msgs, parseLine, src, until } from './util.js';
import { MULTILINE } from '../../../src/core/caps.js';
import { partsOf, combine } from '../../../src/core/multiline.js';

const ML = ['draft/multiline', 'batch', 'message-tags', 'echo-message', 'server-time'];
const FAIL = (code: string, ...rest: string[]): string => [':test.server FAIL BATCH', code, ...rest].join(' ');

test('CAP LS 302 advertises draft/multiline with max-bytes and max-lines', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('CAP LS 302');
    const ls = c.take().join('\n');
    assert.match(ls, new RegExp(`draft/multiline=max-bytes=${MULTILINE.maxBytes},max-lines=${MULTILINE.maxLines}( |$)`, 'm'));
  }));

test('a channel batch: one batch (one msgid, client tags on the opener) to multiline clients, the echo too; lines to others', () =>
  using({}, (h) => {
    const a = h.client('alice', ML);
    const b = h.client('bob', ['draft/multiline', 'batch', 'message-tags']);
    const c = h.client('carol', ['message-tags', 'server-time']);
    const d = h.client('dave');
    for (const x of [a, b, c, d]) x.recv('JOIN #c');
    for (const x of [a, b, c, d]) x.take();
    a.recv('@+draft/reply=x1 BATCH +r1 draft/multiline #c');
    a.recv('@batch=r1 PRIVMSG #c hello');
    a.recv('@batch=r1 PRIVMSG #c :');
    a.recv('@batch=r1 PRIVMSG #c :how is ');
    a.recv('@batch=r1;draft/multiline-concat PRIVMSG #c :everyone?');
    assert.deepEqual(b.take(), [], 'nothing is delivered before BATCH -');
    a.recv('BATCH -r1');
    const got = b.take();
    const open = parseLine(got[0]!);
    const id = open.params[0]!.slice(1);
    const msgid = open.tags!.get('msgid')!;
    assert.equal(open.command, 'BATCH');
    assert.deepEqual(open.params, ['+' + id, 'draft/multiline', '#c']);
    assert.equal(open.tags!.get('+draft/reply'), 'x1');
    assert.deepEqual(got.slice(1), [
      `@batch=${id} :${src('alice')} PRIVMSG #c hello`,
      `@batch=${id} :${src('alice')} PRIVMSG #c :`,
      `@batch=${id} :${src('alice')} PRIVMSG #c :how is `,
      `@batch=${id};draft/multiline-concat :${src('alice')} PRIVMSG #c everyone?`,
      `:${src('alice')} BATCH -${id}`,
    ]);
    // the echo: the same batch, the same msgid
    const echo = a.take();
    assert.equal(parseLine(echo[0]!).tags!.get('msgid'), msgid);
    assert.equal(echo.length, 6);
    // fallback: no blank line, msgid and client tags on the first line only
    const cl = c.take().map(parseLine);
    assert.deepEqual(cl.map((m) => m.params), [['#c', 'hello'], ['#c', 'how is '], ['#c', 'everyone?']]);
    assert.equal(cl[0]!.tags!.get('msgid'), msgid);
    assert.equal(cl[0]!.tags!.get('+draft/reply'), 'x1');
    assert.equal(cl[1]!.tags!.has('msgid'), false);
    assert.equal(cl[1]!.tags!.has('+draft/reply'), false);
    assert.ok(cl[1]!.tags!.has('time'));
    assert.deepEqual(d.take(), [`:${src('alice')} PRIVMSG #c hello`, `:${src('alice')} PRIVMSG #c :how is `, `:${src('alice')} PRIVMSG #c everyone?`]);
  }));

test('a private multiline message reaches the nick as a batch; NOTICE batches work too', () =>
  using({}, (h) => {
    const a = h.client('alice', ML);
    const b = h.client('bob', ['draft/multiline', 'batch']);
    a.recv('BATCH +p draft/multiline bob');
    a.recv('@batch=p NOTICE bob :one');
    a.recv('@batch=p NOTICE bob :two');
    a.recv('BATCH -p');
    const got = b.take();
    const id = parseLine(got[0]!).params[0]!.slice(1);
    assert.deepEqual(got.slice(1), [`@batch=${id} :${src('alice')} NOTICE bob one`, `@batch=${id} :${src('alice')} NOTICE bob two`, `:${src('alice')} BATCH -${id}`]);
  }));

test('a line too long once the address is added is split on a space with draft/multiline-concat, nothing lost', () =>
  using({}, (h) => {
    const a = h.client('alice', ML);
    const b = h.client('bob', ['draft/multiline', 'batch']);
    const d = h.client('dave');
    for (const x of [a, b, d]) x.recv('JOIN #c');
    for (const x of [a, b, d]) x.take();
    const long = 'abcdefgh '.repeat(55).trim(); // 494 bytes: fits from the client, not with the address
    a.recv('BATCH +l draft/multiline #c');
    a.recv('@batch=l PRIVMSG #c :' + long);
    a.recv('BATCH -l');
    const lines = b.take().map(parseLine).filter((m) => m.command === 'PRIVMSG');
    assert.equal(lines.length, 2);
    assert.equal(lines[1]!.tags!.has('draft/multiline-concat'), true);
    assert.equal(lines.map((m) => m.params[1]).join(''), long);
    assert.ok(lines[0]!.params[1]!.endsWith(' '));
    for (const l of d.take()) assert.ok(Buffer.byteLength(l) <= 510, 'each fallback line fits');
  }));

test('FAIL BATCH: wrong target, max-lines, max-bytes, unknown batch, empty batch, a second open batch, no cap', () =>
  using({}, (h) => {
    const a = h.client('alice', ML);
    a.recv('JOIN #c');
    a.take();
    a.recv('BATCH +t draft/multiline #c');
    a.recv('@batch=t PRIVMSG #other :hi');
    assert.deepEqual(a.take(), [FAIL('MULTILINE_INVALID_TARGET', '#c', '#other', ':Invalid multiline target')]);
    a.recv('@batch=t PRIVMSG #c :dropped silently');
    a.recv('BATCH -t');
    assert.deepEqual(a.take(), [], 'the rest of a failed batch is ignored');

    a.recv('BATCH +n draft/multiline #c');
    for (let i = 0; i < MULTILINE.maxLines; i++) a.recv('@batch=n PRIVMSG #c :x');
    assert.deepEqual(a.take(), []);
    a.recv('@batch=n PRIVMSG #c :one too many');
    assert.deepEqual(a.take(), [FAIL('MULTILINE_MAX_LINES', String(MULTILINE.maxLines), ':Multiline batch max-lines exceeded')]);
    a.recv('BATCH -n');
    assert.deepEqual(a.take(), []);

    a.recv('BATCH +b draft/multiline #c');
    const chunk = 'y'.repeat(400);
    for (let i = 0; i < 10; i++) a.recv('@batch=b PRIVMSG #c :' + chunk); // 4009 bytes with line feeds
    a.recv('@batch=b PRIVMSG #c :' + 'z'.repeat(100));
    assert.deepEqual(a.take(), [FAIL('MULTILINE_MAX_BYTES', String(MULTILINE.maxBytes), ':Multiline batch max-bytes exceeded')]);
    a.recv('BATCH -b');

    a.recv('@batch=nope PRIVMSG #c :hi');
    assert.deepEqual(a.take(), [FAIL('MULTILINE_INVALID', ':Invalid multiline batch')]);
    a.recv('BATCH -nope');
    assert.deepEqual(a.take(), [FAIL('MULTILINE_INVALID', ':Invalid multiline batch')]);

    a.recv('BATCH +e draft/multiline #c');
    a.recv('@batch=e PRIVMSG #c :');
    a.recv('BATCH -e');
    assert.deepEqual(a.take(), [FAIL('MULTILINE_INVALID', ':Invalid multiline batch')], 'only blank lines');

    a.recv('BATCH +c draft/multiline #c');
    a.recv('@batch=c;draft/multiline-concat PRIVMSG #c :first cannot concat');
    assert.deepEqual(a.take(), [FAIL('MULTILINE_INVALID', ':Invalid multiline batch')]);
    a.recv('BATCH -c');

    a.recv('BATCH +o1 draft/multiline #c');
    a.recv('BATCH +o2 draft/multiline #c');
    assert.deepEqual(a.take(), [FAIL('MULTILINE_INVALID', ':A multiline batch is already open')]);
    a.recv('@batch=o2 PRIVMSG #c :ignored');
    a.recv('BATCH -o2');
    assert.deepEqual(a.take(), [], 'neither batch is delivered');
    assert.equal(h.server.findNick('alice')!.multiline, null);

    a.recv('BATCH +q draft/multiline NickServ');
    assert.deepEqual(a.take(), [FAIL('MULTILINE_INVALID', ':Invalid multiline target NickServ')]);
    a.recv('BATCH -q');

    const p = h.client('plainirc');
    p.recv('BATCH +x draft/multiline #c');
    assert.deepEqual(p.take(), [FAIL('MULTILINE_INVALID', ':Invalid multiline batch')], 'without the cap');
  }));

test('a batch that is never closed is dropped after the timeout (housekeeping, injected clock)', () =>
  using({}, (h) => {
    const a = h.client('alice', ML);
    const b = h.client('bob', ['draft/multiline', 'batch']);
    a.recv('JOIN #c');
    b.recv('JOIN #c');
    a.take();
    b.take();
    const sa = h.server.findNick('alice')!;
    a.recv('BATCH +z draft/multiline #c');
    a.recv('@batch=z PRIVMSG #c :never sent');
    assert.deepEqual(sa.idleFootprint(), ['multiline batch']);
    h.clock.now += MULTILINE.timeoutMs - 1000;
    a.recv('@batch=z PRIVMSG #c :a line keeps it alive');
    h.clock.now += MULTILINE.timeoutMs - 1000;
    h.server.housekeeping();
    assert.notEqual(sa.multiline, null, 'the timeout counts from the last line');
    h.clock.now += 2000;
    h.server.housekeeping();
    assert.deepEqual(a.take().filter((l) => !l.startsWith('PING')), [FAIL('MULTILINE_INVALID', ':Multiline batch timed out')]);
    assert.equal(sa.multiline, null);
    assert.deepEqual(sa.idleFootprint(), []);
    a.recv('BATCH -z');
    assert.deepEqual(msgs(b.take(), 'PRIVMSG'), []);
  }));

test('labeled-response: the label of the opening BATCH goes on the echo opener, no ACK before', () =>
  using({}, (h) => {
    const a = h.client('alice', [...ML, 'labeled-response']);
    a.recv('JOIN #c');
    a.take();
    a.recv('@label=L1 BATCH +m draft/multiline #c');
    assert.deepEqual(a.take(), []);
    a.recv('@batch=m PRIVMSG #c :hi');
    a.recv('BATCH -m');
    const echo = a.take();
    assert.equal(parseLine(echo[0]!).tags!.get('label'), 'L1');
    assert.equal(parseLine(echo[0]!).command, 'BATCH');
    assert.equal(echo.filter((l) => l.includes('label=')).length, 1);
  }));

test('history: stored as one event (one msgid); CHATHISTORY gives it back as a nested multiline batch, others get lines', () =>
  using({}, async (h) => {
    const a = h.client('alice', ML);
    const full = h.client('fred', ['draft/multiline', 'batch', 'message-tags', 'server-time', 'draft/chathistory']);
    const old = h.client('olga', ['batch', 'message-tags', 'server-time', 'draft/chathistory']);
    for (const x of [a, full, old]) x.recv('JOIN #c');
    for (const x of [a, full, old]) x.take();
    a.recv('BATCH +h draft/multiline #c');
    a.recv('@batch=h PRIVMSG #c :line one');
    a.recv('@batch=h PRIVMSG #c :line two');
    a.recv('BATCH -h');
    const msgid = parseLine(a.take()[0]!).tags!.get('msgid')!;
    full.take();
    old.take();
    full.recv('CHATHISTORY LATEST #c * 10');
    await until(() => full.lines.some((l) => l.includes('BATCH -') && l.includes('chathistory') === false && full.lines.length > 4), 'history reply');
    const got = full.take().map(parseLine);
    const outer = got.find((m) => m.command === 'BATCH' && m.params[1] === 'chathistory')!;
    const outerId = outer.params[0]!.slice(1);
    const inner = got.find((m) => m.command === 'BATCH' && m.params[1] === 'draft/multiline')!;
    assert.equal(inner.tags!.get('batch'), outerId, 'nested in the chathistory batch');
    assert.equal(inner.tags!.get('msgid'), msgid);
    const innerId = inner.params[0]!.slice(1);
    assert.deepEqual(got.filter((m) => m.command === 'PRIVMSG').map((m) => [m.tags!.get('batch'), m.params[1]]), [[innerId, 'line one'], [innerId, 'line two']]);
    old.recv('CHATHISTORY LATEST #c * 10');
    await until(() => old.lines.some((l) => / BATCH -/.test(l)), 'history reply');
    const lines = old.take().map(parseLine).filter((m) => m.command === 'PRIVMSG');
    assert.deepEqual(lines.map((m) => m.params[1]), ['line one', 'line two']);
    assert.equal(lines[0]!.tags!.get('msgid'), msgid);
    assert.equal(lines[1]!.tags!.has('msgid'), false);
  }));

test('partsOf/combine: a stored text comes back as lines that fit, joined to the same text', () => {
  const text = 'short\n\n' + 'word '.repeat(200).trim() + '\nend';
  const parts = partsOf(text, 100);
  assert.equal(combine(parts), text);
  for (const p of parts) assert.ok(Buffer.byteLength(p.text) <= 100);
  assert.equal(parts[1]!.text, '');
  assert.equal(parts[1]!.concat, false);
});
