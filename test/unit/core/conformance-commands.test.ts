// WALLOPS, LINKS, HELPOP: issue 16.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, one, src } from './util.js';

const OPERS = { operators: [{ name: 'root', password: 'secret', hosts: [] }] };

test('WALLOPS: operators only (481); delivered to every +w user, the sender too when +w', () =>
  using(OPERS, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    const c = h.client('carol');
    b.recv('MODE bob +w');
    assert.deepEqual(b.take(), [`:${src('bob')} MODE bob :+w`]);
    b.recv('WALLOPS :hi');
    assert.deepEqual(b.take(), [":test.server 481 bob :Permission Denied- You're not an IRC operator"]);
    a.recv('OPER root secret');
    a.recv('MODE alice +w');
    a.take();
    a.recv('WALLOPS :server restart in 5 minutes');
    const line = `:${src('alice')} WALLOPS :server restart in 5 minutes`;
    assert.deepEqual(a.take(), [line]);
    assert.deepEqual(b.take(), [line]);
    assert.deepEqual(c.take(), [], 'carol is not +w');
    b.recv('MODE bob -w');
    b.recv('MODE bob');
    assert.deepEqual(one(b.take(), '221'), ['bob', '+']);
    a.recv('WALLOPS');
    assert.deepEqual(a.take(), [':test.server 461 alice WALLOPS :Not enough parameters']);
    a.recv('WALLOPS :');
    assert.deepEqual(a.take(), [':test.server 461 alice WALLOPS :Not enough parameters']);
  }));

test('LINKS: 364 for this server alone, then 365', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('LINKS');
    assert.deepEqual(a.take(), [':test.server 364 alice * test.server :0 a tincan chat server', ':test.server 365 alice * :End of /LINKS list']);
  }));

test('HELPOP answers as HELP does; topics for WALLOPS, LINKS, HELPOP; 524 for an unknown one', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('HELPOP LINKS');
    assert.deepEqual(a.take(), [
      ':test.server 704 alice LINKS :LINKS',
      ':test.server 705 alice LINKS :Lists the servers of this network: just this one.',
      ':test.server 706 alice LINKS :End of /HELP',
    ]);
    a.recv('HELP wallops');
    assert.equal(one(a.take(), '705')[2], 'Sends a message to every user with mode +w (IRC operators).');
    a.recv('HELPOP nope');
    assert.deepEqual(a.take(), [':test.server 524 alice NOPE :No help available on this topic']);
    a.recv('HELPOP');
    assert.ok(one(a.take(), '704')[2]!.startsWith('tincan help.'));
  }));
