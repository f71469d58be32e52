// The host is in charge (issue 14), on the real core with an injected clock: the default
// room cannot be taken, admin overrides, the one-time code, bans and mutes with expiry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, hasNumeric, withCommand, type Harness } from '../../helpers/harness.js';
import type { FakeConnection } from '../../helpers/fake-conn.js';
import { MemoryStorage } from '../../../src/storage/memory/memory-storage.js';
import { ADMIN_COMMANDS, adminHelp, parseDuration, runAdminLine, type AdminContext } from '../../../src/admin/commands.js';
import { parseTarget } from '../../../src/admin/sanctions.js';
import { normalizeCode } from '../../../src/admin/claim.js';
import { closeText } from '../../../src/errors.js';

function clientAt(h: Harness, nick: string, ip: string): FakeConnection {
  const c = h.connect(ip);
  c.recv('NICK ' + nick);
  c.recv(`USER ${nick} 0 * :${nick}`);
  const got = c.take();
  assert.ok(got.some((l) => / 001 /.test(l)), got.join('\n'));
  return c;
}

/** The console (no session): what it printed. */
function consoleRun(h: Harness, line: string): string[] {
  const out: string[] = [];
  const x: AdminContext = { srv: h.server, by: 'console', session: null, reply: (l) => out.push(...l) };
  runAdminLine(x, line);
  return out;
}

const sessionOf = (h: Harness, nick: string) => h.server.findNick(nick)!;

test('a guest first into the default room is its (temporary) operator but cannot lock it; other modes and rooms as usual', async () => {
  const h = harness({ history: { enabled: false } });
  const guest = h.client('guest1');
  guest.recv('JOIN #lobby');
  assert.ok(guest.take().some((l) => / 353 .*@guest1/.test(l)), 'first in: @');
  for (const m of ['+ik secret', '+l 1', '+b *!*@*', '+i']) {
    guest.recv(`MODE #lobby ${m}`);
    const got = guest.take();
    assert.ok(got.some((l) => / 482 guest1 #lobby :Only an admin can change \+[iklb] in #lobby: it is the server's default room/.test(l)), `${m}: ${got.join('\n')}`);
  }
  const ch = h.server.findChannel('#lobby')!;
  assert.deepEqual([ch.flags.has('i'), ch.key, ch.limit, ch.bans.length], [false, null, null, 0]);
  guest.recv('MODE #lobby +m'); // not a lock: an operator's as anywhere
  assert.ok(guest.take().some((l) => / MODE #lobby \+m/.test(l)));
  guest.recv('JOIN #mine');
  guest.recv('MODE #mine +ik secret');
  assert.ok(guest.take().some((l) => / MODE #mine \+ik secret/.test(l)), 'their own room: anything');
  await h.close();
});

test('in the default room an admin sets +i +k +l and bans; an operator who is not an admin cannot lift them either', async () => {
  const h = harness({ history: { enabled: false } });
  const op = h.client('helper');
  op.recv('JOIN #lobby'); // first in: @
  const admin = h.client('host');
  sessionOf(h, 'host').admin = true;
  admin.recv('JOIN #lobby');
  admin.recv('MODE #lobby +lb 50 *!*@10.6.6.6');
  const ch = h.server.findChannel('#lobby')!;
  assert.deepEqual([ch.limit, ch.bans.length], [50, 1]);
  op.take();
  op.recv('MODE #lobby -lb *!*@10.6.6.6');
  assert.ok(op.take().some((l) => / 482 .*Only an admin/.test(l)));
  assert.deepEqual([ch.limit, ch.bans.length], [50, 1]);
  await h.close();
});

test('at load, +i/+k/+l kept for the default room by older data are cleared; other rooms keep theirs', async () => {
  const storage = new MemoryStorage();
  const st = { createdAt: 1, topic: 't', topicBy: 'x', topicAt: 1, flags: 'int', key: 'k', limit: 3, bans: [], emptySince: null };
  await storage.channels.saveChannel({ ...st, folded: '#lobby', name: '#lobby' });
  await storage.channels.saveChannel({ ...st, folded: '#other', name: '#other' });
  const h = harness({}, undefined, { storage });
  await h.history!.restoreChannels(h.server);
  await h.server.admin.restore();
  const lobby = h.server.findChannel('#lobby')!;
  assert.deepEqual([lobby.flags.has('i'), lobby.key, lobby.limit], [false, null, null]);
  const other = h.server.findChannel('#other')!;
  assert.deepEqual([other.flags.has('i'), other.key, other.limit], [true, 'k', 3]);
  const guest = h.client('guest1');
  guest.recv('JOIN #lobby');
  assert.ok(withCommand(guest.take(), 'JOIN').length === 1, 'joins #lobby with no key');
  await h.history!.flushNow();
  const saved = (await storage.channels.loadChannels()).find((c) => c.folded === '#lobby')!;
  assert.equal(saved.key, null, 'the cleared lock is stored too');
  await h.close();
});

test('the one-time code: wrong codes are refused, the right one makes an admin once, then it is used up', async () => {
  const h = harness({ history: { enabled: false }, moderation: { claimAttemptsPerMinute: 3 } });
  const code = h.server.admin.claim.issue(60)!;
  const other = h.client('other');
  sessionOf(h, 'other').admin = true; // an admin online hears about it
  const c = h.client('teacher');
  c.recv('CLAIM WRONGCODE1');
  assert.ok(c.take().some((l) => / 464 .*not the admin code/.test(l)));
  assert.equal(sessionOf(h, 'teacher').admin, false);
  c.recv('CLAIM ' + code.toLowerCase()); // case and dash do not matter
  const got = c.take();
  assert.ok(hasNumeric(got, '381') && got.some((l) => /MODE teacher :\+o/.test(l)), got.join('\n'));
  assert.equal(sessionOf(h, 'teacher').admin, true);
  assert.ok(other.take().some((l) => /NOTICE other :\*\*\* Admin: teacher became admin/.test(l)), 'audited to the other admins');
  const late = h.client('late');
  late.recv('CLAIM ' + code);
  assert.ok(late.take().some((l) => / 464 .*no admin code now/.test(l)), 'single use');
  assert.equal(sessionOf(h, 'late').admin, false);
  await h.close();
});

test('the code is rate limited per address and expires; OPER admin CODE works too', async () => {
  const h = harness({ history: { enabled: false }, moderation: { claimAttemptsPerMinute: 2 } });
  const code = h.server.admin.claim.issue(10)!;
  const g = clientAt(h, 'guesser', '10.0.0.9');
  g.recv('CLAIM AAAAAAAAAA');
  g.recv('CLAIM AAAAAAAAAB');
  g.recv('CLAIM ' + code); // the right code, but this address is out of tries
  assert.ok(g.take().some((l) => /Too many wrong admin codes/.test(l)));
  assert.equal(sessionOf(h, 'guesser').admin, false);
  h.clock.now += 61_000; // the bucket refills
  const o = clientAt(h, 'host', '10.0.0.1');
  o.recv('OPER admin ' + code);
  assert.ok(hasNumeric(o.take(), '381'));
  assert.equal(sessionOf(h, 'host').admin, true);
  const again = h.server.admin.claim.issue(10)!;
  h.clock.now += 10 * 60_000 + 1;
  const x = clientAt(h, 'x', '10.0.0.2');
  x.recv('CLAIM ' + again);
  assert.ok(x.take().some((l) => /no admin code now/.test(l)), 'expired');
  assert.equal(normalizeCode(' abcde-fghjo '), 'ABCDEFGHJ0');
  await h.close();
});

test("an admin joins any room past +i +k +l and bans, and undoes a griefer's lock with MODE or SAMODE (audited)", async () => {
  const h = harness({ history: { enabled: false } });
  const griefer = h.client('griefer');
  griefer.recv('JOIN #class');
  griefer.recv('MODE #class +ikl secret 1');
  griefer.recv('MODE #class +b *!*@*');
  const watcher = h.client('watcher');
  sessionOf(h, 'watcher').admin = true;
  const student = h.client('student');
  student.recv('JOIN #class');
  assert.ok(hasNumeric(student.take(), '475'));
  const admin = h.client('admin1');
  sessionOf(h, 'admin1').admin = true;
  admin.recv('JOIN #class');
  assert.equal(withCommand(admin.take(), 'JOIN').length, 1, 'joined past every lock');
  const heard = watcher.take();
  assert.ok(heard.some((l) => /Admin: admin1 joined #class past its key, limit, invite-only, ban/.test(l)), heard.join("\n"));
  admin.recv('MODE #class -ikl');
  admin.recv('SAMODE #class -b *!*@*');
  const ch = h.server.findChannel('#class')!;
  assert.deepEqual([ch.flags.has('i'), ch.key, ch.limit, ch.bans.length], [false, null, null, 0]);
  const heard2 = watcher.take();
  assert.ok(heard2.some((l) => /Admin: admin1 set mode -ikl/.test(l)), 'audit of the mode: ' + heard2.join('\n'));
  student.recv('JOIN #class');
  assert.equal(withCommand(student.take(), 'JOIN').length, 1);
  // not an admin: SAMODE is refused
  student.recv('SAMODE #class +i');
  assert.ok(hasNumeric(student.take(), '481'));
  await h.close();
});

test('the console kicks from any room, sets topics, unlocks, announces, and lists who and rooms', async () => {
  const h = harness({ history: { enabled: false } });
  const griefer = clientAt(h, 'griefer', '10.0.0.66');
  griefer.recv('JOIN #class');
  griefer.recv('MODE #class +ik secret');
  const kid = h.client('kid');
  kid.recv('JOIN #lobby');
  kid.take();
  griefer.take();
  const unlocked = consoleRun(h, '/unlock #class');
  assert.ok(unlocked[0]!.includes('#class is now +nt'), unlocked.join('\n'));
  const seen = griefer.take();
  assert.ok(seen.some((l) => l.startsWith(':test.server MODE #class -ik')), 'the server itself set it: ' + seen.join('\n'));
  consoleRun(h, 'topic #class be kind');
  assert.ok(griefer.take().some((l) => / TOPIC #class :be kind/.test(l)));
  assert.deepEqual(consoleRun(h, 'kick #class griefer enough'), ['Done: griefer is out of #class.']);
  assert.ok(griefer.take().some((l) => /KICK #class griefer :?enough/.test(l)));
  assert.equal(h.server.findChannel('#class'), undefined, 'empty, no state kept: gone');
  consoleRun(h, 'announce class ends at 3');
  assert.ok(kid.take().some((l) => /NOTICE kid :\*\*\* Announcement: class ends at 3/.test(l)));
  const who = consoleRun(h, 'who');
  assert.ok(who.some((l) => /griefer\s+10\.0\.0\.66/.test(l)) && who.some((l) => /kid .*#lobby/.test(l)), who.join('\n'));
  assert.ok(consoleRun(h, 'rooms').some((l) => /#lobby\s+1/.test(l)));
  assert.match(consoleRun(h, 'frobnicate')[0]!, /Unknown command/);
  await h.close();
});

test('server-wide bans by mask, address or CIDR disconnect who matches, refuse them at registration, and expire on the clock', async () => {
  const h = harness({ history: { enabled: false } });
  const troll = clientAt(h, 'troll', '10.9.9.9');
  const fine = clientAt(h, 'fine', '10.8.0.1');
  const out = consoleRun(h, 'ban 10.9.0.0/16 10m spamming');
  assert.match(out[0]!, /banned 10\.9\.0\.0\/16 on the server until .* \(spamming\)/);
  assert.ok(troll.closed, 'disconnected at once');
  assert.ok(troll.lines.some((l) => l.includes(closeText('TINCAN_ERR_BANNED', 'spamming'))) || troll.lines.some((l) => /Banned from this server \(spamming, until/.test(l)), troll.lines.join('\n'));
  assert.ok(!fine.closed);
  const back = h.connect('10.9.1.2');
  back.recv('NICK other');
  back.recv('USER other 0 * :x');
  assert.ok(back.closed && back.lines.some((l) => /Banned from this server/.test(l)), 'refused at registration');
  // a nick: that person's address; a mask
  consoleRun(h, 'ban *!*@10.8.0.1 forever');
  assert.ok(fine.closed);
  assert.ok(consoleRun(h, 'bans').some((l) => /10\.8\.0\.1 .*until lifted/.test(l)));
  h.clock.now += 10 * 60_000;
  h.server.housekeeping();
  const again = clientAt(h, 'troll', '10.9.9.9'); // throws unless registration succeeds
  assert.ok(!again.closed);
  assert.deepEqual(consoleRun(h, 'unban *!*@10.8.0.1'), ['Done: lifted the ban on *!*@10.8.0.1.']);
  clientAt(h, 'fine', '10.8.0.1');
  await h.close();
});

test('a muted user is told and cannot talk, in the room or server-wide; the mute expires', async () => {
  const h = harness({ history: { enabled: false } });
  const loud = clientAt(h, 'loud', '10.0.0.5');
  const ear = clientAt(h, 'ear', '10.0.0.6');
  loud.recv('JOIN #a');
  ear.recv('JOIN #a');
  loud.recv('JOIN #b');
  ear.recv('JOIN #b');
  loud.take();
  ear.take();
  consoleRun(h, 'mute #a loud 5m shouting');
  assert.ok(loud.take().some((l) => /NOTICE loud :\*\*\* You are muted in #a until .* \(shouting\)/.test(l)), 'told');
  loud.recv('PRIVMSG #a :HELLO');
  assert.ok(loud.take().some((l) => / 404 loud #a :Cannot send to channel: you are muted until .*\(shouting\)/.test(l)));
  loud.recv('PRIVMSG #b :fine here');
  assert.equal(withCommand(ear.take(), 'PRIVMSG').length, 1, 'only #a is muted');
  consoleRun(h, 'mute loud 1h');
  loud.recv('PRIVMSG #b :and now?');
  loud.recv('PRIVMSG ear :psst');
  assert.equal(withCommand(ear.take(), 'PRIVMSG').length, 0, 'muted everywhere, private messages too');
  assert.equal(loud.take().filter((l) => / 404 .*muted/.test(l)).length, 2);
  h.clock.now += 3_600_000;
  h.server.housekeeping();
  loud.recv('PRIVMSG #a :back');
  assert.equal(withCommand(ear.take(), 'PRIVMSG').length, 1, 'both expired');
  await h.close();
});

test('bans and mutes survive a restart (the store) and what expired meanwhile is dropped at load', async () => {
  const storage = new MemoryStorage();
  const h1 = harness({}, undefined, { storage });
  consoleRun(h1, 'ban *!*@10.1.1.1 1h');
  consoleRun(h1, 'mute *!*@10.2.2.2 forever');
  consoleRun(h1, 'ban account:mallory 1m');
  const at = h1.clock.now;
  await h1.close();
  assert.equal((await storage.sanctions.loadSanctions()).length, 3);
  const h2 = harness({}, undefined, { storage });
  h2.clock.now = at + 5 * 60_000; // the 1m ban ran out while the server was down
  assert.equal(await h2.server.admin.restore(), 2);
  const banned = h2.connect('10.1.1.1');
  banned.recv('NICK b');
  banned.recv('USER b 0 * :b');
  assert.ok(banned.closed);
  const muted = clientAt(h2, 'm', '10.2.2.2');
  muted.recv('PRIVMSG nobody :x');
  muted.recv('JOIN #x');
  muted.recv('PRIVMSG #x :hi');
  assert.ok(muted.take().some((l) => / 404 .*muted until lifted/.test(l)));
  assert.equal((await storage.sanctions.loadSanctions()).length, 2, 'the expired one left the store');
  await h2.close();
});

test('SA runs any admin command for an admin in a client (replies as NOTICEs); others get 481', async () => {
  const h = harness({ history: { enabled: false } });
  const a = h.client('boss');
  sessionOf(h, 'boss').admin = true;
  a.recv('SA help');
  const help = a.take().filter((l) => / NOTICE boss :/.test(l));
  for (const spec of ADMIN_COMMANDS.specs) assert.ok(help.some((l) => l.includes(`/${spec.name}`)), `/help lists /${spec.name}`);
  const u = h.client('user');
  u.recv('SA who');
  assert.ok(hasNumeric(u.take(), '481'));
  assert.equal(adminHelp().length, ADMIN_COMMANDS.specs.length + 1);
  await h.close();
});

test('targets and durations parse as documented', () => {
  assert.deepEqual(parseTarget('10.0.0.0/8'), { match: 'ip', value: '10.0.0.0/8' });
  assert.deepEqual(parseTarget('::ffff:10.0.0.1'), { match: 'ip', value: '10.0.0.1' });
  assert.deepEqual(parseTarget('bob!*@*'), { match: 'mask', value: 'bob!*@*' });
  assert.deepEqual(parseTarget('account:Alice'), { match: 'account', value: 'Alice' });
  assert.equal(parseTarget('bob'), null);
  assert.equal(parseTarget('10.0.0.0/99'), null);
  assert.equal(parseDuration('30m'), 30 * 60_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('forever'), null);
  assert.equal(parseDuration('spam'), undefined);
});
