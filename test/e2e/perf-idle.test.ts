/**
 * Guards for memory per idle connection (docs/performance.md, "Memory per idle
 * connection"): through the real `tincan serve` path (first-bytes detection, SQLite),
 * a registered idle session and its connection hold nothing lazily allocated (no flood
 * queue, no drain timer, no held or pending lines, no child logger), the socket's
 * listeners are functions shared by every connection (no closures per connection), the
 * line reader's handler is the connection itself, and a flood queue that drained is
 * released again.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import type { IrcServer } from '../../src/core/server.js';
import type { Session } from '../../src/core/session.js';
import type { TcpConnection } from '../../src/transports/tcp-connection.js';
import { serveInProcess } from '../helpers/serve-inprocess.js';
import { RawClient } from '../helpers/raw-client.js';

const dir = mkdtempSync(join(tmpdir(), 'tincan-perfidle-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const sock = (s: Session): Socket => (s.conn as unknown as { socket: Socket }).socket;

test('an idle registered session holds no per-session extras; listeners are shared, not per-connection closures', { timeout: 20000 }, async () => {
  const h = await serveInProcess({ data: dir, config: { flood: { enabled: true, linesPerSecond: 1, burst: 2, maxQueued: 50 } } });
  const clients: RawClient[] = [];
  try {
    for (const nick of ['ann', 'ben', 'cid']) {
      const c = await RawClient.connect(h.port);
      clients.push(c);
      await c.register(nick);
    }
    const srv = h.server as IrcServer;
    const sessions = [...srv.sessions];
    assert.equal(sessions.length, 3);
    for (const s of sessions) {
      assert.equal(s.registered, true);
      assert.deepEqual(s.idleFootprint(), [], `${s.nick}: nothing lazily allocated`);
      assert.deepEqual((s.conn as TcpConnection).idleFootprint(), [], `${s.nick}'s connection: nothing held`);
      assert.equal((s.conn as unknown as { reader: { handlers: unknown } }).reader.handlers, s.conn, 'the reader calls the connection, no handler closures');
    }
    const [a, b] = [sock(sessions[0]!), sock(sessions[1]!)];
    // 'close' too: the connection's and the listener's counter are shared functions
    // (no once() wrappers: those are a bound function and a state object per socket)
    for (const ev of ['data', 'end', 'error', 'close'] as const) {
      assert.deepEqual(a.listeners(ev), b.listeners(ev), `'${ev}' listeners are the same functions for every connection`);
      assert.deepEqual(a.rawListeners(ev), a.listeners(ev), `'${ev}': no once() wrappers`);
    }

    // a flood queue is allocated while lines wait, and released once they are handled
    const ann = sessions.find((s) => s.nick === 'ann')!;
    const c = clients[0]!;
    c.send('PING :1\r\nPING :2\r\nPING :3\r\nPING :4');
    await c.waitFor(/PONG \S+ :2$/);
    await new Promise((r) => setImmediate(r));
    assert.ok(ann.idleFootprint().includes('flood queue'), 'lines over the burst wait in the queue');
    await c.waitFor(/PONG \S+ :4$/, 10000);
    assert.deepEqual(ann.idleFootprint(), [], 'the drained queue and its timer are gone');
  } finally {
    for (const c of clients) c.socket.destroy();
    await h.close();
  }
});
