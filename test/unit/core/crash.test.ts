// A bug at any stage of serving a line drops that one session, never the server: each
// test injects a throw at one stage and checks that only the victim is dropped (logged,
// ERROR to it, QUIT to its peers) and that two bystanders keep chatting.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS } from '../../../src/core/commands/index.js';
import type { CommandSpec } from '../../../src/core/commands/types.js';
import type { Session } from '../../../src/core/session.js';
import { harness, type Harness } from '../../helpers/harness.js';
import type { FakeConnection } from '../../helpers/fake-conn.js';
import { inRoom, msgs, oneMsg, src, until, parseLine } from './util.js';
import { closedBy } from '../../helpers/codes.js';

// a throw escaping into a timer or a promise would end a real server: catch it here
const escaped: unknown[] = [];
const onEscape = (err: unknown): void => void escaped.push(err);
process.on('uncaughtException', onEscape);
process.on('unhandledRejection', onEscape);
after(() => {
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
});

const CAPS = ['labeled-response', 'batch', 'server-time', 'message-tags', 'draft/chathistory'];

interface Scene {
  h: Harness;
  alice: FakeConnection;
  bob: FakeConnection;
  victim: FakeConnection;
  vs: Session;
}

function scene(overrides: Record<string, unknown> = {}): Scene {
  const h = harness(overrides);
  const alice = h.client('alice');
  const bob = h.client('bob');
  const victim = h.client('victim', CAPS);
  inRoom('#c', alice, bob, victim);
  return { h, alice, bob, victim, vs: victim.handlers as Session };
}

const boom = (): never => {
  throw new Error('injected failure');
};

/** The victim alone was dropped, and the bystanders still talk to each other. */
async function onlyVictimDropped(sc: Scene): Promise<void> {
  await until(() => sc.victim.closed, 'the victim to be dropped');
  assert.match(sc.victim.closeLine ?? '', closedBy('TINCAN_ERR_INTERNAL'));
  assert.equal(sc.h.server.sessions.has(sc.vs), false, 'the victim is forgotten');
  assert.equal(sc.h.server.findNick('victim'), undefined);
  const q = oneMsg(sc.bob.take(), 'QUIT');
  assert.equal(q.source, src('victim'));
  sc.alice.take();
  sc.alice.recv('PRIVMSG #c :still here');
  assert.deepEqual(msgs(sc.bob.take(), 'PRIVMSG').map((m) => m.params), [['#c', 'still here']]);
  sc.bob.recv('PING :alive');
  assert.equal(msgs(sc.bob.take(), 'PONG').length, 1);
  assert.equal(sc.alice.closed || sc.bob.closed, false);
  assert.deepEqual(escaped, [], 'nothing escaped into the event loop');
  await sc.h.close();
}

test('stage: the transport hands a line in (Session.line -> onLine)', async () => {
  const sc = scene();
  sc.vs.onLine = boom;
  sc.victim.recv('PING :x');
  await onlyVictimDropped(sc);
});

test('stage: a line too long (Session.tooLong)', async () => {
  const sc = scene();
  sc.vs.onTooLong = boom;
  sc.victim.handlers!.tooLong();
  await onlyVictimDropped(sc);
});

test('stage: parsing (Session.handleLine)', async () => {
  const sc = scene();
  sc.vs.handleLine = boom;
  sc.victim.recv('PING :x');
  await onlyVictimDropped(sc);
});

test('stage: the flood queue drained by its timer', async () => {
  const sc = scene({ flood: { enabled: true, linesPerSecond: 10, burst: 40, maxQueued: 50 } });
  sc.vs.applyFloodConfig(); // a fresh, full bucket for the victim
  for (let i = 0; i < 45; i++) sc.victim.recv('PING :q' + i);
  assert.equal(sc.victim.closed, false);
  sc.vs.handleLine = boom; // the queued lines fail when the timer drains them
  sc.h.clock.now += 1000;
  await onlyVictimDropped(sc);
});

test('stage: the server dispatch pre-checks (IrcServer.dispatch)', async () => {
  const sc = scene();
  const original = sc.h.server.dispatch.bind(sc.h.server);
  sc.h.server.dispatch = (s, m) => (s === sc.vs ? boom() : original(s, m));
  sc.victim.recv('@label=a PING :x');
  await onlyVictimDropped(sc);
});

test('stage: a command handler, labeled', async () => {
  const sc = scene();
  const spec = COMMANDS.get('TIME') as CommandSpec;
  const original = spec.handler;
  spec.handler = (s, m, srv) => (s === sc.vs ? boom() : original(s, m, srv));
  try {
    sc.victim.recv('@label=a TIME');
    await onlyVictimDropped(sc);
  } finally {
    spec.handler = original;
  }
});

test('stage: the labeled-response flush', async () => {
  const sc = scene();
  const write = sc.victim.write.bind(sc.victim);
  sc.victim.write = (l) => (l.includes('label=') ? boom() : write(l));
  sc.victim.recv('@label=a PING :x');
  await onlyVictimDropped(sc);
});

test('stage: a deferred reply (labeled HISTORY, after the store answers)', async () => {
  const sc = scene();
  sc.alice.recv('PRIVMSG #c :something to replay');
  sc.vs.send = boom;
  sc.victim.recv('@label=a HISTORY #c 5');
  await onlyVictimDropped(sc);
});

test('stage: a deferred reply without a label (SEARCH)', async () => {
  const sc = scene();
  sc.alice.recv('PRIVMSG #c :pizza on friday');
  sc.vs.send = boom;
  sc.victim.recv('SEARCH pizza');
  await onlyVictimDropped(sc);
});

test('stage: a deferred labeled-response flush (CHATHISTORY on a channel)', async () => {
  const sc = scene();
  sc.alice.recv('PRIVMSG #c :hello');
  const write = sc.victim.write.bind(sc.victim);
  sc.victim.write = (l) => (l.includes('label=') ? boom() : write(l));
  sc.victim.recv('@label=a CHATHISTORY LATEST #c * 10');
  await onlyVictimDropped(sc);
});

test('stage: a rejected history promise whose error reply throws', async () => {
  const sc = scene();
  const history = sc.h.server.history!;
  history.range = () => Promise.reject(new Error('disk on fire'));
  sc.vs.send = boom;
  sc.victim.recv('@label=a CHATHISTORY LATEST #c * 10');
  await onlyVictimDropped(sc);
});

test('stage: CHATHISTORY TARGETS answer', async () => {
  const sc = scene();
  sc.alice.recv('PRIVMSG #c :hello');
  sc.vs.send = boom;
  sc.victim.recv('CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2100-01-01T00:00:00.000Z 10');
  await onlyVictimDropped(sc);
});

test('stage: housekeeping (the ping for an idle session)', async () => {
  const sc = scene();
  sc.vs.send = boom;
  sc.h.clock.now += (sc.h.server.config.timeouts.pingInterval + 1) * 1000;
  sc.alice.recv('PING :a'); // the bystanders were active; only the victim is idle
  sc.bob.recv('PING :b');
  sc.h.server.housekeeping();
  await onlyVictimDropped(sc);
});

test("stage: a peer's connection throws while someone else's message is delivered", async () => {
  const sc = scene();
  const write = sc.victim.write.bind(sc.victim);
  sc.victim.write = (l) => (l.includes('PRIVMSG') ? boom() : write(l));
  sc.alice.recv('PRIVMSG #c :to everyone');
  assert.deepEqual(msgs(sc.bob.lines, 'PRIVMSG').map((m) => m.params), [['#c', 'to everyone']], 'the sender was not dropped');
  await onlyVictimDropped(sc);
});

// ---- the crash from issue 11 ----------------------------------------------------------

for (const target of ['*', 'somebody']) {
  test(`@label CHATHISTORY LATEST ${target} * 10: exactly one labeled reply, nobody dropped`, async () => {
    const h = harness();
    const a = h.client('alice', CAPS);
    const b = h.client('bob');
    inRoom('#c', a, b);
    a.recv(`@label=x CHATHISTORY LATEST ${target} * 10`);
    const got = a.take();
    const labeled = got.filter((l) => l.includes('label='));
    assert.equal(labeled.length, 1, got.join('\n'));
    const first = parseLine(labeled[0]!);
    assert.equal(first.tags?.get('label'), 'x');
    // a labeled-response batch around an empty chathistory batch
    assert.equal(first.command, 'BATCH');
    assert.equal(first.params[1], 'labeled-response');
    const batches = msgs(got, 'BATCH').map((m) => m.params.slice(1));
    assert.deepEqual(batches, [['labeled-response'], ['chathistory', target], [], []]);
    // and the same session carries on
    a.recv('@label=y PING :after');
    assert.equal(parseLine(a.take()[0]!).tags?.get('label'), 'y');
    b.recv('PRIVMSG #c :hi');
    assert.equal(msgs(a.take(), 'PRIVMSG').length, 1);
    assert.deepEqual(escaped, []);
    await h.close();
  });
}
