// Channel modes +s (secret) and +p (private): issue 16, modern.ircdocs "Secret" / "Private".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, one, msgs, pair } from './util.js';

test('+s: NAMES shows @ to members; LIST, NAMES, WHOIS and TOPIC hide it from non-members', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    a.recv('TOPIC #c :hidden topic');
    a.recv('MODE #c +s');
    a.take();
    b.take();
    b.recv('NAMES #c');
    assert.deepEqual(one(b.take(), '353'), ['bob', '@', '#c', '@alice bob']);
    const c = h.client('carol');
    c.recv('LIST');
    const got = c.take();
    assert.deepEqual(msgs(got, '322'), []);
    assert.deepEqual(one(got, '323'), ['carol', 'End of /LIST']);
    c.recv('NAMES #c');
    assert.deepEqual(c.take(), [':test.server 366 carol #c :End of /NAMES list.']);
    c.recv('WHOIS alice');
    const w = c.take();
    assert.deepEqual(msgs(w, '319'), [], 'WHOIS lists no secret channel to a stranger');
    assert.equal(msgs(w, '318').length, 1);
    c.recv('TOPIC #c');
    assert.deepEqual(c.take(), [":test.server 442 carol #c :You're not on that channel"]);
    // a member sees it in LIST and WHOIS
    b.recv('LIST');
    assert.deepEqual(one(b.take(), '322'), ['bob', '#c', '2', '[+nst] hidden topic']);
    b.recv('WHOIS alice');
    assert.deepEqual(one(b.take(), '319'), ['bob', 'alice', '@#c']);
  }));

test('+p: NAMES shows * to members, hidden from non-members; MODE shows +p; -s/-p make it public again', () =>
  using({}, (h) => {
    const [a, b] = pair(h);
    a.recv('MODE #c +p');
    assert.deepEqual(a.take(), [':alice!~alice@127.0.0.1 MODE #c +p']);
    b.take();
    b.recv('NAMES #c');
    assert.deepEqual(one(b.take(), '353'), ['bob', '*', '#c', '@alice bob']);
    const c = h.client('carol');
    c.recv('LIST');
    assert.deepEqual(msgs(c.take(), '322'), []);
    a.recv('MODE #c -p');
    a.take();
    c.recv('LIST');
    assert.deepEqual(one(c.take(), '322'), ['carol', '#c', '2', '[+nt] ']);
    c.recv('NAMES #c');
    assert.deepEqual(one(c.take(), '353'), ['carol', '=', '#c', '@alice bob']);
  }));

test('+s and +p need a channel operator: 482 for a plain member', () =>
  using({}, (h) => {
    const [, b] = pair(h);
    b.recv('MODE #c +s');
    assert.deepEqual(b.take(), [":test.server 482 bob #c :You're not channel operator"]);
  }));

test('in the default room +s, +p, +e and +I are for admins only (it must stay findable and open)', () =>
  using({ history: { enabled: false } }, (h) => {
    const op = h.client('helper');
    op.recv('JOIN #lobby'); // first in: @
    op.take();
    for (const m of ['+s', '+p', '+e x!*@*', '+I x!*@*']) {
      op.recv(`MODE #lobby ${m}`);
      assert.deepEqual(op.take(), [`:test.server 482 helper #lobby :Only an admin can change ${m.slice(0, 2)} in #lobby: it is the server's default room`]);
    }
    op.recv('MODE #lobby +C');
    assert.deepEqual(op.take(), [':helper!~helper@127.0.0.1 MODE #lobby +C'], '+C is no lock');
  }));
