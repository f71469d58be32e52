// draft/metadata-2 (issue 16), user metadata in memory: exact replies, notifications to
// subscribed peers, and the bounds (keys, value length, subscriptions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, src } from './util.js';
import { META } from '../../../src/core/commands/metadata.js';
import { findCap } from '../../../src/core/caps.js';

const MD = ['draft/metadata-2', 'batch'];
/** Lines with batch tags and ids made comparable: BATCH +ID / @batch=ID. */
const plain = (lines: string[]): string[] => lines.map((l) => l.replace(/BATCH ([+-])\S+/, 'BATCH $1ID').replace(/^@batch=\S+ /, '@batch=ID '));

test('the cap value matches the bounds; REQ gets an empty metadata batch', () =>
  using({}, (h) => {
    assert.equal(findCap('draft/metadata-2')!.value, `maxsub=${META.maxSubs},maxkey=${META.maxKeys}`);
    const c = h.connect();
    c.recv('CAP LS 302');
    c.take();
    c.recv('CAP REQ :draft/metadata-2 batch');
    assert.deepEqual(plain(c.take()), [':test.server CAP * ACK :draft/metadata-2 batch', ':test.server BATCH +ID metadata', ':test.server BATCH -ID']);
  }));

test('SET / GET / LIST / CLEAR on self, exact numerics; others may read but not write', () =>
  using({}, (h) => {
    const a = h.client('alice', MD);
    const b = h.client('bob', MD);
    a.recv('METADATA * SET avatar :https://example.org/a.png');
    assert.deepEqual(a.take(), [':test.server 761 alice alice avatar * :https://example.org/a.png']);
    a.recv('METADATA * SET Status :on a train');
    assert.deepEqual(a.take(), [':test.server 761 alice alice status * :on a train']);
    b.recv('METADATA alice GET avatar status nope $bad');
    assert.deepEqual(plain(b.take()), [
      ':test.server BATCH +ID metadata',
      '@batch=ID :test.server 761 bob alice avatar * :https://example.org/a.png',
      '@batch=ID :test.server 761 bob alice status * :on a train',
      '@batch=ID :test.server 766 bob alice nope :no matching key',
      '@batch=ID :test.server FAIL METADATA INVALID_KEY $bad :invalid key',
      ':test.server BATCH -ID',
    ]);
    b.recv('METADATA alice LIST');
    assert.equal(b.take().filter((l) => l.includes(' 761 ')).length, 2);
    b.recv('METADATA alice SET status :hacked');
    assert.deepEqual(b.take(), [':test.server FAIL METADATA KEY_NO_PERMISSION alice status :permission denied']);
    b.recv('METADATA nobody LIST');
    assert.deepEqual(b.take(), [':test.server FAIL METADATA INVALID_TARGET nobody :invalid metadata target']);
    b.recv('METADATA * DESTROY');
    assert.deepEqual(b.take(), [':test.server FAIL METADATA INVALID_SUBCOMMAND DESTROY :invalid subcommand']);
    a.recv('METADATA * SET status');
    assert.deepEqual(a.take(), [':test.server 761 alice alice status :*']);
    a.recv('METADATA * SET status');
    assert.deepEqual(a.take(), [':test.server 768 alice alice status :key not set']);
    a.recv('METADATA * CLEAR');
    assert.deepEqual(plain(a.take()), [':test.server BATCH +ID metadata', '@batch=ID :test.server 761 alice alice avatar *', ':test.server BATCH -ID']);
    a.recv('METADATA #nochan SET url :x');
    assert.deepEqual(a.take(), [':test.server FAIL METADATA INVALID_TARGET #nochan :invalid metadata target']);
    a.recv('JOIN #c');
    a.take();
    a.recv('METADATA #c SET url :x');
    assert.deepEqual(a.take(), [':test.server FAIL METADATA KEY_NO_PERMISSION #c url :permission denied'], 'no channel metadata');
  }));

test('peers sharing a channel who subscribed hear changes; SYNC gives the room\'s values', () =>
  using({}, (h) => {
    const a = h.client('alice', MD);
    const b = h.client('bob', MD);
    const c = h.client('carol', MD);
    const d = h.client('dave');
    for (const x of [a, b, c, d]) x.recv('JOIN #c');
    for (const x of [a, b, c, d]) x.take();
    b.recv('METADATA * SUB avatar display-name');
    assert.deepEqual(b.take(), [':test.server 770 bob :avatar display-name']);
    a.recv('METADATA * SET display-name :Alice A.');
    a.take();
    assert.deepEqual(b.take(), [`:${src('alice')} METADATA alice display-name * :Alice A.`]);
    assert.deepEqual(c.take(), [], 'not subscribed');
    assert.deepEqual(d.take(), [], 'no cap');
    b.recv('METADATA #c SYNC');
    assert.deepEqual(plain(b.take()), [':test.server BATCH +ID metadata', '@batch=ID :test.server METADATA alice display-name * :Alice A.', ':test.server BATCH -ID']);
    b.recv('METADATA * SUBS');
    assert.deepEqual(b.take(), [':test.server 772 bob :avatar display-name']);
    b.recv('METADATA * UNSUB display-name');
    assert.deepEqual(b.take(), [':test.server 771 bob :display-name']);
    a.recv('METADATA * SET display-name :A');
    assert.deepEqual(b.take(), []);
  }));

test('bounds: maxkey (LIMIT_REACHED), value length (VALUE_INVALID), key length, maxsub (TOO_MANY_SUBS)', () =>
  using({}, (h) => {
    const a = h.client('alice', MD);
    for (let i = 0; i < META.maxKeys; i++) a.recv(`METADATA * SET k${i} :v`);
    assert.equal(a.take().length, META.maxKeys);
    a.recv('METADATA * SET one-more :v');
    assert.deepEqual(a.take(), [':test.server FAIL METADATA LIMIT_REACHED alice :metadata limit reached']);
    a.recv('METADATA * SET k0 :replacing is fine');
    assert.deepEqual(a.take(), [':test.server 761 alice alice k0 * :replacing is fine']);
    a.recv('METADATA * SET k1 :' + 'x'.repeat(META.maxValueBytes + 1));
    assert.deepEqual(a.take(), [`:test.server FAIL METADATA VALUE_INVALID k1 :value longer than ${META.maxValueBytes} bytes`]);
    a.recv('METADATA * SET ' + 'k'.repeat(META.maxKeyLength + 1) + ' :v');
    assert.deepEqual(a.take(), [`:test.server FAIL METADATA INVALID_KEY ${'k'.repeat(META.maxKeyLength + 1)} :invalid key`]);
    const keys = Array.from({ length: META.maxSubs + 3 }, (_, i) => 's' + i);
    a.recv('METADATA * SUB ' + keys.join(' '));
    assert.deepEqual(a.take(), [`:test.server FAIL METADATA TOO_MANY_SUBS s${META.maxSubs} :too many subscriptions`, `:test.server 770 alice :${keys.slice(0, META.maxSubs).join(' ')}`]);
  }));
