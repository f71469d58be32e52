// draft/no-implicit-names and draft/pre-away: issue 16.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, one, msgs, src } from './util.js';

test('draft/no-implicit-names: JOIN without the NAMES reply; NAMES still answers when asked', () =>
  using({}, (h) => {
    const a = h.client('alice', ['draft/no-implicit-names']);
    a.recv('JOIN #c');
    const joined = a.take();
    assert.deepEqual(msgs(joined, 'JOIN').map((m) => m.source), [src('alice')]);
    assert.deepEqual(msgs(joined, '353'), []);
    assert.deepEqual(msgs(joined, '366'), []);
    a.recv('NAMES #c');
    assert.deepEqual(one(a.take(), '353'), ['alice', '=', '#c', '@alice']);
    const b = h.client('bob');
    b.recv('JOIN #c');
    const got = b.take();
    assert.equal(msgs(got, '353').length, 1, 'without the cap: NAMES as before');
    assert.equal(msgs(got, '366').length, 1);
  }));

test('draft/pre-away: AWAY before registration with the cap (306, away in WHOIS), 451 without', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('CAP LS 302');
    c.recv('CAP REQ :draft/pre-away');
    c.take();
    c.recv('AWAY :on my phone');
    assert.deepEqual(c.take(), [':test.server 306 * :You have been marked as being away']);
    c.recv('NICK phone');
    c.recv('USER phone 0 * :p');
    c.recv('CAP END');
    assert.equal(msgs(c.take(), '001').length, 1);
    const a = h.client('alice');
    a.recv('WHOIS phone');
    assert.deepEqual(one(a.take(), '301'), ['alice', 'phone', 'on my phone']);
    const d = h.connect();
    d.recv('AWAY :early');
    assert.deepEqual(d.take(), [':test.server 451 * :You have not registered']);
  }));

test('CAP LS offers draft/no-implicit-names and draft/pre-away', () =>
  using({}, (h) => {
    const c = h.connect();
    c.recv('CAP LS 302');
    const caps = msgs(c.take(), 'CAP').map((m) => m.params.at(-1)!).join(' ').split(' ');
    assert.ok(caps.includes('draft/no-implicit-names'), caps.join(' '));
    assert.ok(caps.includes('draft/pre-away'), caps.join(' '));
  }));
