// Session.hold (the cluster's "acknowledged once in Redis"): held output keeps its order,
// holds release in the order they were taken, and held bytes are bounded by sendQBytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from '../../helpers/harness.js';

test('held lines go out in order once every earlier hold is released', async () => {
  const h = harness();
  try {
    const c = h.client('alice');
    const s = [...h.server.sessions][0]!;
    const r1 = s.hold();
    s.send('one');
    const r2 = s.hold();
    s.send('two');
    assert.deepEqual(c.take(), []);
    r2();
    assert.deepEqual(c.take(), [], 'the later hold waits for the earlier one');
    r1();
    assert.deepEqual(c.take(), ['one', 'two']);
    s.send('three');
    assert.deepEqual(c.take(), ['three'], 'nothing held any more');
    const r3 = s.hold();
    s.send('four');
    const r4 = s.hold();
    s.send('five');
    r3();
    assert.deepEqual(c.take(), ['four'], 'the first release lets out what came before the second hold');
    r4();
    r4();
    assert.deepEqual(c.take(), ['five']);
  } finally {
    await h.close();
  }
});

test('held output beyond limits.sendQBytes disconnects (SendQ exceeded), as a full send queue does', async () => {
  const h = harness({ limits: { sendQBytes: 4096 } });
  try {
    const c = h.client('bob');
    const s = [...h.server.sessions][0]!;
    s.hold();
    for (let i = 0; i < 100 && !s.closing; i++) s.send('x'.repeat(100));
    assert.equal(s.closing, true);
    assert.ok(c.lines.some((l) => /SendQ exceeded/i.test(l)), c.lines.slice(-3).join('\n'));
  } finally {
    await h.close();
  }
});
