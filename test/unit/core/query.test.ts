// WHO WHOIS WHOWAS MOTD LUSERS VERSION TIME ADMIN INFO HELP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { using, one, none, msgs, SERVER, inRoom } from './util.js';
import { VERSION } from '../../../src/core/version.js';

const OPERS = { operators: [{ name: 'root', password: 'pw', hosts: [] }] };

// ---- WHO -------------------------------------------------------------------------

test('WHO #chan: a 352 per member (channel, user, host, server, nick, flags, hops+realname) then 315', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    a.recv('JOIN #c');
    b.recv('JOIN #c');
    b.recv('AWAY :away');
    a.take();
    b.take();
    const c = h.client('carol');
    c.recv('WHO #c');
    const got = c.take();
    const rows = msgs(got, '352').map((m) => m.params);
    assert.deepEqual(rows, [
      ['carol', '#c', '~alice', '127.0.0.1', SERVER, 'alice', 'H@', '0 alice Realname'],
      ['carol', '#c', '~bob', '127.0.0.1', SERVER, 'bob', 'G', '0 bob Realname'],
    ]);
    assert.deepEqual(one(got, '315'), ['carol', '#c', 'End of /WHO list.']);
    assert.equal(got[got.length - 1]!.split(' ')[1], '315');
  }));

test('WHO nick and WHO mask; oper flag *; "o" restricts to operators', () =>
  using(OPERS, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    b.recv('OPER root pw');
    h.client('carol');
    a.recv('WHO BOB');
    const r = one(a.take(), '352');
    assert.deepEqual(r.slice(1), ['*', '~bob', '127.0.0.1', SERVER, 'bob', 'H*', '0 bob Realname']);
    a.recv('WHO *o*');
    const got = a.take();
    assert.deepEqual(msgs(got, '352').map((m) => m.params[5]).sort(), ['bob', 'carol']);
    assert.deepEqual(one(got, '315').slice(0, 2), ['alice', '*o*']);
    a.recv('WHO * o');
    assert.deepEqual(msgs(a.take(), '352').map((m) => m.params[5]), ['bob']);
    a.recv('WHO');
    const all = a.take();
    assert.equal(msgs(all, '352').length, 3);
    assert.deepEqual(one(all, '315').slice(0, 2), ['alice', '*']);
  }));

test('WHO for an unknown channel or nick: only 315', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('WHO #none');
    const got = a.take();
    none(got, '352');
    assert.deepEqual(one(got, '315').slice(0, 2), ['alice', '#none']);
  }));

test('+i users are hidden from WHO by strangers, visible to people sharing a channel and to opers', () =>
  using(OPERS, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    b.recv('MODE bob +i');
    inRoom('#c', a, b);
    const c = h.client('carol');
    c.recv('WHO #c');
    assert.deepEqual(msgs(c.take(), '352').map((m) => m.params[5]), ['alice']);
    c.recv('WHO *');
    assert.deepEqual(msgs(c.take(), '352').map((m) => m.params[5]).sort(), ['alice', 'carol']);
    a.recv('WHO #c');
    assert.deepEqual(msgs(a.take(), '352').map((m) => m.params[5]), ['alice', 'bob']);
    a.recv('WHO *');
    assert.deepEqual(msgs(a.take(), '352').map((m) => m.params[5]).sort(), ['alice', 'bob', 'carol']);
    c.recv('OPER root pw');
    c.take();
    c.recv('WHO *');
    assert.deepEqual(msgs(c.take(), '352').map((m) => m.params[5]).sort(), ['alice', 'bob', 'carol']);
  }));

// ---- WHOIS -----------------------------------------------------------------------

test('WHOIS: 311, 319, 312, 317, 318 with the right parameters', () =>
  using({ description: 'the test box' }, (h) => {
    const a = h.client('alice');
    const signon = Math.floor(h.clock.now / 1000);
    const b = h.client('bob');
    a.recv('JOIN #x,#y');
    b.recv('JOIN #y');
    a.take();
    h.clock.now += 42_000;
    b.recv('WHOIS ALICE');
    const got = b.take();
    assert.deepEqual(one(got, '311'), ['bob', 'alice', '~alice', '127.0.0.1', '*', 'alice Realname']);
    const chans = one(got, '319');
    assert.equal(chans[1], 'alice');
    assert.deepEqual(chans[2]!.split(' ').sort(), ['@#x', '@#y']);
    assert.deepEqual(one(got, '312'), ['bob', 'alice', SERVER, 'the test box']);
    assert.deepEqual(one(got, '317'), ['bob', 'alice', '42', String(signon), 'seconds idle, signon time']);
    assert.deepEqual(one(got, '318'), ['bob', 'alice', 'End of /WHOIS list.']);
    none(got, '301');
    none(got, '313');
    none(got, '378'); // the host line is for oneself and opers
    assert.equal(got[got.length - 1]!.split(' ')[1], '318');
  }));

test('WHOIS idle time resets when the user speaks; 301 away, 313 oper, 378 for self', () =>
  using(OPERS, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    h.clock.now += 100_000;
    a.recv('PRIVMSG bob :hi');
    a.recv('AWAY :afk');
    a.recv('OPER root pw');
    h.clock.now += 7_000;
    a.take();
    b.take();
    b.recv('WHOIS alice');
    const got = b.take();
    assert.equal(one(got, '317')[2], '7');
    assert.deepEqual(one(got, '301'), ['bob', 'alice', 'afk']);
    assert.deepEqual(one(got, '313').slice(0, 2), ['bob', 'alice']);
    a.recv('WHOIS alice');
    const self = one(a.take(), '378');
    assert.equal(self[1], 'alice');
    assert.match(self[2]!, /~alice@127\.0\.0\.1/);
  }));

test('WHOIS: 401 + 318 for an unknown nick, 431 for an empty one, 461 without parameter, server form', () =>
  using({}, (h) => {
    const a = h.client('alice');
    h.client('bob');
    a.recv('WHOIS ghost');
    const got = a.take();
    assert.deepEqual(one(got, '401').slice(0, 2), ['alice', 'ghost']);
    assert.deepEqual(one(got, '318').slice(0, 2), ['alice', 'ghost']);
    a.recv('WHOIS ,bob');
    assert.equal(one(a.take(), '431')[0], 'alice');
    a.recv('WHOIS');
    assert.deepEqual(one(a.take(), '461').slice(0, 2), ['alice', 'WHOIS']);
    a.recv(`WHOIS ${SERVER} bob`);
    assert.equal(one(a.take(), '311')[1], 'bob');
  }));

test('WHOIS hides the channels of a +i user from strangers', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('MODE alice +i');
    a.recv('JOIN #secret');
    const c = h.client('carol');
    c.recv('WHOIS alice');
    const got = c.take();
    none(got, '319');
    assert.equal(one(got, '311')[1], 'alice');
  }));

// ---- WHOWAS ----------------------------------------------------------------------

test('WHOWAS after a quit: 314 + 312 then 369; 406 + 369 for an unknown nick; 461', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    b.recv('QUIT :bye');
    a.recv('WHOWAS bob');
    const got = a.take();
    assert.deepEqual(one(got, '314'), ['alice', 'bob', '~bob', '127.0.0.1', '*', 'bob Realname']);
    assert.deepEqual(one(got, '312').slice(0, 3), ['alice', 'bob', SERVER]);
    assert.deepEqual(one(got, '369').slice(0, 2), ['alice', 'bob']);
    a.recv('WHOWAS nobody');
    const g2 = a.take();
    assert.deepEqual(one(g2, '406').slice(0, 2), ['alice', 'nobody']);
    assert.deepEqual(one(g2, '369').slice(0, 2), ['alice', 'nobody']);
    a.recv('WHOWAS');
    assert.deepEqual(one(a.take(), '461').slice(0, 2), ['alice', 'WHOWAS']);
  }));

test('WHOWAS remembers nick changes, newest first, and honours the count', () =>
  using({}, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    b.recv('NICK bob2');
    b.recv('NICK bob');
    b.recv('QUIT');
    a.recv('WHOWAS BOB');
    const got = a.take();
    assert.equal(msgs(got, '314').length, 2);
    a.recv('WHOWAS bob 1');
    assert.equal(msgs(a.take(), '314').length, 1);
    a.recv('WHOWAS bob2');
    assert.equal(one(a.take(), '314')[1], 'bob2');
  }));

// ---- MOTD / LUSERS / VERSION / TIME / ADMIN / INFO ---------------------------------

test('MOTD: 375, a 372 per line, 376', () =>
  using({ motd: ['line one', 'line two'] }, (h) => {
    const a = h.client('alice');
    a.recv('MOTD');
    const got = a.take();
    assert.equal(one(got, '375')[0], 'alice');
    assert.deepEqual(msgs(got, '372').map((m) => m.params[1]), ['- line one', '- line two']);
    assert.equal(one(got, '376')[0], 'alice');
    assert.deepEqual(got.map((l) => l.split(' ')[1]), ['375', '372', '372', '376']);
  }));

test('MOTD: 422 when there is none (also in the welcome burst)', () =>
  using({ motd: null }, (h) => {
    const c = h.connect();
    c.recv('NICK alice');
    c.recv('USER alice 0 * :A');
    const burst = c.take();
    assert.equal(one(burst, '422')[0], 'alice');
    none(burst, '375');
    c.recv('MOTD');
    assert.deepEqual(one(c.take(), '422'), ['alice', 'MOTD File is missing']);
  }));

test('LUSERS: 251-255, 265, 266 with the right counts', () =>
  using(OPERS, (h) => {
    const a = h.client('alice');
    const b = h.client('bob');
    h.client('carol').recv('MODE carol +i');
    b.recv('OPER root pw');
    a.recv('JOIN #one');
    b.recv('JOIN #two');
    h.connect(); // one unregistered connection
    a.take();
    a.recv('LUSERS');
    const got = a.take();
    assert.match(one(got, '251')[1]!, /There are 2 users and 1 invisible on 1 servers/);
    assert.deepEqual(one(got, '252').slice(0, 2), ['alice', '1']);
    assert.deepEqual(one(got, '253').slice(0, 2), ['alice', '1']);
    assert.deepEqual(one(got, '254').slice(0, 2), ['alice', '2']);
    assert.match(one(got, '255')[1]!, /I have 3 clients and 0 servers/);
    assert.deepEqual(one(got, '265').slice(0, 3), ['alice', '3', '3']);
    assert.deepEqual(one(got, '266').slice(0, 3), ['alice', '3', '3']);
  }));

test('LUSERS: max users is remembered after people leave', () =>
  using({}, (h) => {
    const a = h.client('alice');
    h.client('bob').recv('QUIT');
    a.recv('LUSERS');
    const got = a.take();
    none(got, '253');
    assert.deepEqual(one(got, '265').slice(0, 3), ['alice', '1', '2']);
  }));

test('VERSION: 351 then the 005 tokens', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('VERSION');
    const got = a.take();
    const v = one(got, '351');
    assert.equal(v[0], 'alice');
    assert.match(v[1]!, new RegExp(`^tincan-${VERSION.replace(/\./g, '\\.')}`));
    assert.equal(v[2], SERVER);
    const tokens = msgs(got, '005').flatMap((m) => m.params.slice(1, -1));
    for (const t of ['CASEMAPPING=rfc1459', 'PREFIX=(ov)@+', 'CHANTYPES=#&', 'NICKLEN=30']) assert.ok(tokens.includes(t), t);
  }));

test('TIME: 391 with the server name and the injected clock', () =>
  using({}, (h) => {
    const a = h.client('alice');
    h.clock.now = 1_800_000_000_000;
    a.recv('TIME');
    const t = one(a.take(), '391');
    assert.deepEqual(t.slice(0, 3), ['alice', SERVER, '1800000000']);
    assert.equal(t[t.length - 1], new Date(1_800_000_000_000).toString());
  }));

test('ADMIN: 256-259 from the config', () =>
  using({ admin: { name: 'Ada', location: 'Basement', email: 'ada@example.org' } }, (h) => {
    const a = h.client('alice');
    a.recv('ADMIN');
    const got = a.take();
    assert.equal(one(got, '256')[1], SERVER);
    assert.deepEqual(one(got, '257'), ['alice', 'Ada']);
    assert.deepEqual(one(got, '258'), ['alice', 'Basement']);
    assert.deepEqual(one(got, '259'), ['alice', 'ada@example.org']);
  }));

test('INFO: 371 lines then 374', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('INFO');
    const got = a.take();
    const info = msgs(got, '371');
    assert.ok(info.length >= 1);
    assert.ok(info.some((m) => m.params[1]!.includes(VERSION)));
    assert.equal(one(got, '374')[0], 'alice');
    assert.equal(got[got.length - 1]!.split(' ')[1], '374');
  }));

// ---- HELP ------------------------------------------------------------------------

test('HELP: 704, 705s, 706 for the index and for a command (case-insensitive)', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('HELP');
    const idx = a.take();
    assert.equal(one(idx, '704')[1], 'INDEX');
    assert.ok(msgs(idx, '705').some((m) => m.params[2]!.includes('PRIVMSG')));
    assert.equal(one(idx, '706')[1], 'INDEX');
    a.recv('HELP join');
    const got = a.take();
    assert.deepEqual(one(got, '704').slice(0, 2), ['alice', 'JOIN']);
    assert.ok(msgs(got, '705').every((m) => m.params[1] === 'JOIN'));
    assert.deepEqual(one(got, '706').slice(0, 2), ['alice', 'JOIN']);
  }));

test('HELP: 524 for an unknown topic', () =>
  using({}, (h) => {
    const a = h.client('alice');
    a.recv('HELP nosuchthing');
    const got = a.take();
    assert.deepEqual(one(got, '524').slice(0, 2), ['alice', 'NOSUCHTHING']);
    none(got, '704');
  }));
