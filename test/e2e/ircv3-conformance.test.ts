/**
 * The conformance pieces of issue 16 that came with unit tests only, now over real
 * sockets against `tincan serve`: draft/no-implicit-names, draft/pre-away, bot mode
 * (+B, 335, the `bot` tag), +s (secret), multi-channel NAMES and the m: mute extban.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2eScope } from '../helpers/serve-inprocess.js';

const T = { timeout: 30_000 };
const { serve, connect, irc, joined } = e2eScope('conf-e2e', { config: { flood: { enabled: false } } });

test('draft/no-implicit-names: JOIN answers no NAMES to a client with the cap; NAMES on request still works', T, async () => {
  const h = await serve();
  const quiet = await irc(h.port, 'quiet', ['draft/no-implicit-names']);
  const from = quiet.lines.length;
  quiet.send('JOIN #room');
  await quiet.waitFor(/:quiet!\S+ JOIN #room/, 5000, from);
  // a PING round trip: everything the JOIN caused has arrived before the PONG
  quiet.send('PING :after-join');
  await quiet.waitFor(/PONG \S+ :?after-join/, 5000, from);
  assert.deepEqual(quiet.lines.slice(from).filter((l) => / (353|366) /.test(l)), [], 'no implicit 353/366');
  quiet.send('NAMES #room');
  await quiet.waitFor(/ 353 quiet [=*@] #room :@quiet$/, 5000, from);
  // without the cap: NAMES comes with the JOIN
  const plain = await irc(h.port, 'loud');
  plain.send('JOIN #room');
  await plain.waitFor(/ 353 loud = #room :(@quiet loud|loud @quiet)$/);
});

test('draft/pre-away: AWAY before CAP END is kept (306) and shown in WHOIS after registration; 451 without the cap', T, async () => {
  const h = await serve();
  const early = await connect(h.port);
  early.send('CAP LS 302');
  early.send('CAP REQ :draft/pre-away');
  await early.waitFor(/CAP \* ACK :draft\/pre-away/);
  early.send('NICK early');
  early.send('USER early 0 * :Early');
  early.send('AWAY :back at ten');
  await early.waitFor(/ 306 \S+ :You have been marked as being away/);
  early.send('CAP END');
  await early.waitFor(/ 001 early /);
  const asker = await irc(h.port, 'asker');
  asker.send('WHOIS early');
  await asker.waitFor(/ 301 asker early :back at ten$/);

  // an IRC client without the cap: AWAY between NICK and USER is refused
  const without = await connect(h.port);
  without.send('NICK late');
  without.send('AWAY :too soon');
  await without.waitFor(/ 451 late :You have not registered/);
});

test('bot mode: +B shows in WHOIS (335) and WHO, and a bot\'s messages carry the bot tag to message-tags clients only', T, async () => {
  const h = await serve();
  const robo = await irc(h.port, 'robo');
  const tagged = await irc(h.port, 'tagged', ['message-tags']);
  const plain = await irc(h.port, 'plainc');
  robo.send('MODE robo +B');
  await robo.waitFor(/:robo\S* MODE robo :?\+B/);
  for (const [c, n] of [[robo, 'robo'], [tagged, 'tagged'], [plain, 'plainc']] as const) await joined(c, n, '#bots');
  tagged.send('WHOIS robo');
  await tagged.waitFor(/ 335 tagged robo :is a bot on /);
  tagged.send('WHO #bots');
  await tagged.waitFor(/ 352 tagged #bots ~?robo \S+ \S+ robo H\S*B\S* :/);
  robo.send('PRIVMSG #bots :beep');
  const seen = await tagged.waitFor(/PRIVMSG #bots :?beep$/);
  assert.match(seen, /^@(\S+;)?bot[;= ]/);
  const seenPlain = await plain.waitFor(/PRIVMSG #bots :?beep$/);
  assert.doesNotMatch(seenPlain, /^@/, 'no tags for a client without message-tags');
});

test('+s hides a room from outsiders (LIST, NAMES, WHOIS); NAMES takes several rooms; an m: mute silences one member', T, async () => {
  const h = await serve();
  const op = await irc(h.port, 'op');
  const out = await irc(h.port, 'outsider');
  await joined(op, 'op', '#hidden');
  await joined(op, 'op', '#open');
  op.send('MODE #hidden +s');
  await op.waitFor(/MODE #hidden :?\+s/);
  op.send('NAMES #hidden');
  await op.waitFor(/ 353 op @ #hidden :@op$/);
  out.send('LIST');
  await out.waitFor(/ 323 outsider /);
  assert.ok(out.lines.some((l) => / 322 outsider #open /.test(l)), 'the open room is listed');
  assert.ok(!out.lines.some((l) => / 322 outsider #hidden /.test(l)), 'the secret room is not');
  out.send('WHOIS op');
  const chans = await out.waitFor(/ 319 outsider op :/);
  assert.doesNotMatch(chans, /#hidden/);
  // several rooms in one NAMES
  const mark = out.lines.length;
  out.send('NAMES #open,#nosuch');
  await out.waitFor(/ 353 outsider = #open :@op$/, 5000, mark);
  await out.waitFor(/ 366 outsider #nosuch /, 5000, mark);

  // m: mute extban: loud cannot speak in #open, quiet can
  const loud = await irc(h.port, 'loud');
  const calm = await irc(h.port, 'calm');
  await joined(loud, 'loud', '#open');
  await joined(calm, 'calm', '#open');
  op.send('MODE #open +b m:loud!*@*');
  await calm.waitFor(/MODE #open \+b :?m:loud!\*@\*/);
  loud.send('PRIVMSG #open :can anyone hear me');
  await loud.waitFor(/ 404 loud #open :/);
  calm.send('PRIVMSG #open :calm here');
  await op.waitFor(/:calm!\S+ PRIVMSG #open :calm here$/);
  assert.ok(!op.lines.some((l) => /can anyone hear me/.test(l)), 'the muted line reached nobody');
});
