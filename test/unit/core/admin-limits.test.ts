// Limits that hold (issue 14): channel creation is rate limited per connection (a burst,
// then a steady rate on the server's clock), so create-leave-create churn is bounded too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, withCommand } from '../../helpers/harness.js';

test('creating rooms: a burst, then channelCreatesPerMinute; leaving them does not give the rate back', async () => {
  const h = harness({ history: { enabled: false }, limits: { channelCreateBurst: 3, channelCreatesPerMinute: 10 } });
  const c = h.client('churn');
  for (let round = 0; round < 3; round++) {
    c.recv(`JOIN #r${round}a,#r${round}b`);
    c.recv('JOIN 0'); // leave them all: they go away, the counts drop
  }
  const got = c.take();
  assert.equal(withCommand(got, 'JOIN').length, 3, 'three created: the burst');
  const refused = got.filter((l) => / 405 churn /.test(l));
  assert.equal(refused.length, 2, 'one 405 per JOIN command that hit the rate');
  assert.match(refused[0]!, /Cannot create #r1b: you are creating rooms too fast \(at most 10 a minute\)/);
  assert.ok(got.some((l) => /NOTICE churn :\*\*\* 1 more new room in that JOIN were not created/.test(l)));
  h.clock.now += 6_000; // 10 a minute: one more every 6 s
  c.recv('JOIN #later,#later2');
  const after = c.take();
  assert.equal(withCommand(after, 'JOIN').length, 1);
  // existing rooms are always joinable, and admins are not limited
  const other = h.client('other');
  other.recv('JOIN #later');
  assert.equal(withCommand(other.take(), 'JOIN').length, 1);
  const admin = h.client('boss');
  h.server.findNick('boss')!.admin = true;
  admin.recv('JOIN #b1,#b2,#b3,#b4,#b5,#b6');
  assert.equal(withCommand(admin.take(), 'JOIN').length, 6);
  await h.close();
});
