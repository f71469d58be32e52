// A netcat/telnet user claims a name with /register and logs in with /login.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from '../../helpers/harness.js';
import { FakeConnection } from '../../helpers/fake-conn.js';
import { PlainConnection } from '../../../src/dialects/plain.js';
import { waitLine } from './util.js';

async function plainUser(h: ReturnType<typeof harness>, nick: string) {
  const inner = new FakeConnection();
  const plain = new PlainConnection(inner, { config: () => h.server.config, now: () => new Date(h.clock.now), guestNick: () => nick });
  h.server.accept(plain);
  await waitLine(inner, /Type a message/);
  return { inner, plain, session: () => [...h.server.sessions].find((s) => s.conn === plain)! };
}

test('plain: /register PASSWORD, then /login PASSWORD from a new connection', async () => {
  const h = harness({ history: { enabled: false } });
  try {
    const a = await plainUser(h, 'amy');
    a.inner.recv('/register a good password');
    await waitLine(a.inner, /amy is now registered to you/);
    assert.equal(a.session().account, 'amy');
    assert.ok(!a.inner.lines.some((l) => l.includes('a good password')), 'the password is not echoed');
    a.inner.recv('/quit');
    const b = await plainUser(h, 'amy');
    await waitLine(b.inner, /The nick amy is registered/);
    b.inner.recv('/login a good password');
    await waitLine(b.inner, /You are now logged in as amy/);
    assert.equal(b.session().account, 'amy');
    b.inner.recv('/register');
    await waitLine(b.inner, /Usage: \/register PASSWORD/);
    // a plain user still on a guest name is told to pick one first
    const g = await plainUser(h, 'guest4711');
    g.inner.recv('/register a good password');
    await waitLine(g.inner, /-NickServ- guest4711 cannot be registered: guest and service names are/);
  } finally {
    await h.close();
  }
});
