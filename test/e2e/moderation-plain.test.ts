/**
 * Moderation from a plain (netcat) connection: a room's first-comer uses /mode, /topic,
 * /invite, /ban and /kick where their status allows (and is told plainly where it does
 * not); the host's one-time code typed as /admin CODE makes a plain user admin, and
 * /admin COMMAND then runs the admin table (SA). /help is generated from the table.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../helpers/raw-client.js';
import { startWebTincan, type WebTincan } from './web-harness.js';
import { PLAIN_COMMANDS } from '../../src/dialects/plain.js';

let t: WebTincan;
const clients: RawClient[] = [];
before(async () => {
  t = await startWebTincan({ history: { enabled: false } });
});
after(async () => {
  for (const c of clients) c.socket.destroy();
  await t.stop();
});

async function plain(): Promise<{ c: RawClient; nick: string }> {
  const c = await RawClient.connect(t.port);
  clients.push(c);
  c.socket.write('hi\r\n');
  const welcome = await c.waitFor(/^\* Welcome to tincan/);
  await c.waitFor(/^\* Type a message and press Enter/);
  return { c, nick: /You are (\S+)\./.exec(welcome)![1]! };
}

async function irc(nick: string): Promise<RawClient> {
  const c = await RawClient.connect(t.port);
  clients.push(c);
  await c.register(nick);
  return c;
}

test('a plain room operator moderates with /mode /topic /invite /ban /kick; others are told they cannot', { timeout: 20_000 }, async () => {
  const { c: owner, nick } = await plain();
  owner.send('/join #study');
  await owner.waitFor(/^\* You are in #study/);
  const visitor = await irc('visitor');
  const troll = await irc('troll');
  owner.send('/mode +m');
  await owner.waitFor(new RegExp(`^\\* ${nick} set mode \\+m on #study`));
  owner.send('/topic quiet study, please');
  await owner.waitFor(/changed the topic of #study to: quiet study, please/);
  owner.send('/mode +i');
  await owner.waitFor(/set mode \+i on #study/);
  owner.send('/invite visitor');
  await visitor.waitFor(/INVITE visitor #study/);
  visitor.send('JOIN #study');
  await visitor.waitFor(/ 366 visitor #study /);
  owner.send('/mode -i');
  await owner.waitFor(/set mode -i on #study/);
  troll.send('JOIN #study');
  await troll.waitFor(/ 366 troll #study /);
  owner.send('/kick troll out');
  await troll.waitFor(/KICK #study troll :?out/);
  owner.send('/ban troll');
  await owner.waitFor(/set mode \+b troll!\*@\* on #study/);
  troll.send('JOIN #study');
  await troll.waitFor(/ 474 troll #study /);
  owner.send('/unban troll');
  await owner.waitFor(/set mode -b troll!\*@\* on #study/);
  // the visitor is no operator: told in plain words
  const { c: other } = await plain();
  other.send('/join #study');
  await other.waitFor(/^\* You are in #study/);
  other.send('/ban visitor');
  await other.waitFor(/^! You need to be an operator of #study to do that\./);
  // /help lists the moderation commands, generated from the table that runs them
  other.send('/help');
  await other.waitFor(/^\* Start a line with \/\//);
  for (const name of ['kick', 'ban', 'unban', 'invite', 'mode', 'topic', 'ignore', 'unignore', 'admin']) {
    assert.ok(PLAIN_COMMANDS.get(name) !== undefined, name);
    assert.ok(other.lines.some((l) => l.startsWith(`*   /${name}`)), `/help lists /${name}`);
  }
});

test('/admin CODE makes a plain user admin; /admin COMMAND runs admin commands', { timeout: 20_000 }, async () => {
  const code = t.server.admin.claim.issue(5)!;
  const griefer = await irc('griefer');
  griefer.send('JOIN #den');
  griefer.send('MODE #den +ik secret');
  await griefer.waitFor(/MODE #den \+ik secret/);
  const { c: host } = await plain();
  host.send('/admin NOTTHECODE');
  await host.waitFor(/^! That is not the admin code\./);
  host.send(`/admin ${code}`);
  await host.waitFor(/^\* You are now an admin of this server/);
  host.send('/admin help');
  await host.waitFor(/\/unlock #room/);
  host.send('/admin unlock #den');
  await host.waitFor(/#den is now \+nt/);
  const kid = await irc('kid');
  kid.send('JOIN #den');
  await kid.waitFor(/:kid!\S+ JOIN #den/);
});
