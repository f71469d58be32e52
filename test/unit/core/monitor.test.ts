// MONITOR and extended-monitor (src/core/commands/monitor.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, withCommand } from '../../helpers/harness.js';

test('ISUPPORT MONITOR=<limit>; + answers 730/731; L, S, -, C; notifications on connect, quit and nick change', async () => {
  const h = harness({ limits: { monitorTargets: 3 } });
  try {
    const w = h.connect();
    w.recv('NICK watcher');
    w.recv('USER w 0 * :w');
    assert.match(w.take().join('\n'), / 005 watcher .*MONITOR=3 /);
    h.client('bob');
    w.recv('MONITOR + bob,Carol,bad!nick');
    assert.deepEqual(w.take(), [':test.server 730 watcher :bob!~bob@127.0.0.1', ':test.server 731 watcher :Carol']);
    w.recv('MONITOR L');
    assert.deepEqual(w.take(), [':test.server 732 watcher :bob,Carol', ':test.server 733 watcher :End of MONITOR list']);
    // carol arrives, bob leaves
    const carol = h.client('carol');
    assert.deepEqual(w.take(), [':test.server 730 watcher :carol!~carol@127.0.0.1']);
    const bob = [...h.server.sessions].find((s) => s.nick === 'bob')!;
    h.server.quit(bob, 'bye');
    assert.deepEqual(w.take(), [':test.server 731 watcher :bob']);
    // a nick change is one going and one coming
    w.recv('MONITOR + dave');
    w.take();
    carol.recv('NICK dave');
    assert.deepEqual(w.take(), [':test.server 731 watcher :carol', ':test.server 730 watcher :dave!~carol@127.0.0.1']);
    w.recv('MONITOR S');
    assert.deepEqual(w.take(), [':test.server 730 watcher :dave!~carol@127.0.0.1', ':test.server 731 watcher :bob,Carol']);
    // full: the rest are refused with 734 and not added
    w.recv('MONITOR + eve,frank');
    assert.deepEqual(w.take(), [':test.server 734 watcher 3 eve,frank :Monitor list is full.']);
    w.recv('MONITOR - dave');
    assert.deepEqual(w.take(), []);
    carol.recv('NICK carol');
    assert.deepEqual(w.take(), [':test.server 730 watcher :carol!~carol@127.0.0.1'], 'dave is no longer watched');
    w.recv('MONITOR C');
    w.recv('MONITOR L');
    assert.deepEqual(w.take(), [':test.server 733 watcher :End of MONITOR list']);
    carol.recv('QUIT');
    assert.deepEqual(withCommand(w.take(), '731'), []);
    w.recv('MONITOR X');
    assert.match(w.take().join('\n'), /FAIL MONITOR INVALID_PARAMS X /);
  } finally {
    await h.close();
  }
});

test('a watcher that leaves is forgotten; long lists are split to fit a line', async () => {
  const h = harness({ limits: { monitorTargets: 1000, nickLength: 30 } });
  try {
    const w = h.client('watcher');
    const nicks = Array.from({ length: 100 }, (_, i) => `someone_with_a_long_name${i}`);
    for (let i = 0; i < nicks.length; i += 10) w.recv('MONITOR + ' + nicks.slice(i, i + 10).join(','));
    w.take();
    w.recv('MONITOR L');
    const lines = withCommand(w.take(), '732');
    assert.ok(lines.length > 1);
    for (const l of lines) assert.ok(Buffer.byteLength(l) <= 510, l);
    assert.deepEqual(lines.flatMap((l) => l.slice(l.lastIndexOf(':') + 1).split(',')), nicks);
    w.recv('QUIT');
    const other = h.client('someone_with_a_long_name0');
    assert.ok(other !== undefined);
    assert.ok(!w.lines.some((l) => / 730 /.test(l)), 'nothing sent to a closed watcher');
  } finally {
    await h.close();
  }
});

test('extended-monitor: AWAY, ACCOUNT and SETNAME of watched nicks, once, only with the matching cap', async () => {
  const h = harness();
  try {
    const ext = h.client('ext', ['extended-monitor', 'away-notify', 'setname']);
    const plain = h.client('plain', ['away-notify']);
    const bob = h.client('bob', ['setname']);
    ext.recv('MONITOR + bob');
    plain.recv('MONITOR + bob');
    ext.take();
    plain.take();
    bob.recv('AWAY :lunch');
    assert.deepEqual(withCommand(ext.take(), 'AWAY'), [':bob!~bob@127.0.0.1 AWAY lunch']);
    assert.deepEqual(withCommand(plain.take(), 'AWAY'), [], 'no extended-monitor: nothing');
    bob.recv('SETNAME :Robert');
    assert.deepEqual(withCommand(ext.take(), 'SETNAME'), [':bob!~bob@127.0.0.1 SETNAME Robert']);
    h.server.setAccount([...h.server.sessions].find((s) => s.nick === 'bob')!, 'bob');
    assert.deepEqual(withCommand(ext.take(), 'ACCOUNT'), [], 'account-notify not negotiated');
    // sharing a channel: still once
    ext.recv('JOIN #c');
    bob.recv('JOIN #c');
    ext.take();
    bob.recv('AWAY');
    assert.deepEqual(withCommand(ext.take(), 'AWAY'), [':bob!~bob@127.0.0.1 AWAY']);
  } finally {
    await h.close();
  }
});

test('MONITOR and one account on many sessions: online with the first, offline with the last', async () => {
  const { plainAuth, waitLine } = await import('../accounts/util.js');
  const h = harness();
  try {
    assert.ok((await h.server.accounts.register('alice', 'correct horse', h.clock.now, 4096)).ok);
    const w = h.client('watcher');
    w.recv('MONITOR + alice');
    w.take();
    const login = async (nick: string) => {
      const c = h.connect();
      for (const l of ['CAP LS 302', 'CAP REQ :sasl', `NICK ${nick}`, `USER ${nick} 0 * :${nick}`, 'AUTHENTICATE PLAIN', 'AUTHENTICATE ' + plainAuth('alice', 'correct horse')]) c.recv(l);
      await waitLine(c, / 903 /);
      c.recv('CAP END');
      await waitLine(c, / 001 /);
      return c;
    };
    const a = await login('alice');
    assert.deepEqual(w.take(), [':test.server 730 watcher :alice!~alice@127.0.0.1']);
    const b = await login('phone');
    assert.deepEqual(w.take(), [], 'a second session is not a new arrival');
    a.recv('QUIT');
    assert.deepEqual(w.take(), []);
    b.recv('QUIT');
    assert.deepEqual(w.take(), [':test.server 731 watcher :alice']);
  } finally {
    await h.close();
  }
});
