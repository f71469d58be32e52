// INVITE with no parameters: the channels you are invited to (336/337). Issue 16.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, inRoom } from './util.js';
import { INVITE_LIST_MAX } from '../../../src/core/commands/channel.js';
import { MAX_INVITED } from '../../../src/core/channel.js';

test('INVITE alone: 336 per pending invitation, then 337; joining clears it', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    b.recv('INVITE');
    assert.deepEqual(b.take(), [':test.server 337 bob :End of /INVITE list']);
    inRoom('#x', a);
    inRoom('#y', a);
    a.recv('INVITE bob #x');
    a.recv('INVITE bob #y');
    a.take();
    b.take();
    b.recv('INVITE');
    assert.deepEqual(b.take(), [':test.server 336 bob :#x', ':test.server 336 bob :#y', ':test.server 337 bob :End of /INVITE list']);
    b.recv('JOIN #x');
    b.take();
    b.recv('INVITE');
    assert.deepEqual(b.take(), [':test.server 336 bob :#y', ':test.server 337 bob :End of /INVITE list']);
    // someone else's invitations are not shown
    const c = h.client('carol');
    c.recv('INVITE');
    assert.deepEqual(c.take(), [':test.server 337 carol :End of /INVITE list']);
    c.recv('INVITE bob');
    assert.deepEqual(c.take(), [':test.server 461 carol INVITE :Not enough parameters']);
  }));

test(`INVITE alone lists at most ${INVITE_LIST_MAX} channels and says how many more`, () =>
  using({ limits: { channelsPerUser: 200, channelsCreatedPerUser: 200, channelCreateBurst: 200, channelsCreatedPerIp: 200, channelCreatesPerMinute: 1000 } }, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    for (let i = 0; i < INVITE_LIST_MAX + 3; i++) {
      a.recv(`JOIN #r${i}`);
      a.recv(`INVITE bob #r${i}`);
    }
    a.take();
    b.take();
    b.recv('INVITE');
    const got = b.take();
    assert.equal(got.filter((l) => / 336 /.test(l)).length, INVITE_LIST_MAX);
    assert.deepEqual(got.slice(-2), [':test.server NOTICE bob :*** INVITE: 3 more invitations not shown', ':test.server 337 bob :End of /INVITE list']);
  }));

test(`a room keeps at most ${MAX_INVITED} pending invitations: the oldest go first`, () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    inRoom('#x', a);
    // one user renamed after every invitation: each name is a new pending invitation
    for (let i = 0; i <= MAX_INVITED + 10; i++) {
      b.recv(`NICK bob${i}`);
      a.recv(`INVITE bob${i} #x`);
    }
    const ch = h.server.findChannel('#x')!;
    assert.equal(ch.invited.size, MAX_INVITED);
    assert.equal(ch.invited.has('bob0'), false, 'the oldest invitation was dropped');
    assert.equal(ch.invited.has(`bob${MAX_INVITED + 10}`), true, 'the newest is kept');
  }));
