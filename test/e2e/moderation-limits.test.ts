/**
 * Limits that hold (issue 14): one client asking for 10,000 new rooms (JOIN lists of 60
 * names, leaving them all between lines) gets a handful; the server's room count stays
 * bounded, and the other clients' messages keep flowing. Flood control is off here, so
 * what holds is the room limits themselves (with it on, the griefer is cut off sooner).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../helpers/server.js';
import { RawClient } from '../helpers/raw-client.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';

test('10,000 room creations from one client are capped without hurting others', { timeout: 30_000 }, async () => {
  const srv = await startServer();
  const clients: RawClient[] = [];
  try {
    const connect = async (nick: string) => {
      const c = await RawClient.connect(srv.port);
      clients.push(c);
      await c.register(nick);
      return c;
    };
    const griefer = await connect('griefer');
    const alice = await connect('alice');
    const bob = await connect('bob');
    for (const c of [alice, bob]) {
      c.send('JOIN #talk');
      await c.waitFor(/ 366 \S+ #talk /);
    }
    // 170 lines of up to 60 names (a line is at most 512 bytes), leaving everything after each
    let n = 0;
    for (let line = 0; n < 10_000; line++) {
      const names: string[] = [];
      for (let i = 0; i < 60 && n < 10_000; i++) names.push(`#g${n++}`);
      griefer.send(`JOIN ${names.join(',')}`);
      griefer.send('JOIN 0');
      if (line % 20 === 0) {
        // meanwhile the others talk: each message must arrive (a condition, not a stopwatch)
        alice.send(`PRIVMSG #talk :still here ${line}`);
        await bob.waitFor(new RegExp(`PRIVMSG #talk :still here ${line}$`));
      }
    }
    assert.equal(n, 10_000);
    griefer.send('PING :done');
    await griefer.waitFor(/PONG \S+ :?done/, 10_000); // it was answered, not cut off
    const created = griefer.lines.filter((l) => /:griefer!\S+ JOIN #g\d+/.test(l)).length;
    assert.ok(created <= DEFAULT_CONFIG.limits.channelCreateBurst + 2, `created ${created} rooms`);
    assert.ok(griefer.lines.some((l) => / 405 griefer #g\d+ :Cannot create #g\d+: you are creating rooms too fast/.test(l)), griefer.lines.slice(-20).join("\n"));
    // replies stayed bounded: one refusal and one summary per JOIN line, not 10,000 lines
    assert.ok(griefer.lines.length < 600, `${griefer.lines.length} lines to the griefer`);
    assert.ok(srv.server.channels.size <= DEFAULT_CONFIG.limits.channelCreateBurst + 3, `${srv.server.channels.size} rooms exist`);
  } finally {
    for (const c of clients) c.end();
    await srv.stop();
  }
});
