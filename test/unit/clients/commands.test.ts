/**
 * The terminal client's slash-command table (src/clients/shared/commands.ts): dispatch
 * by name and alias, usage errors and /help generated from the table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IrcClient, type TransportHandlers } from '../../../src/clients/shared/irc-client.js';
import { COMMANDS, COMMAND_NAMES, runInput, type CommandUi } from '../../../src/clients/shared/commands.js';

/** A registered client over a fake transport, and what it sent. */
function connected() {
  const sent: string[] = [];
  let h: TransportHandlers | null = null;
  const c = new IrcClient({
    nick: 'me',
    serverLabel: 'test:1',
    reconnect: false,
    transport: (handlers) => {
      h = handlers;
      return { send: (l) => sent.push(l), close: () => handlers.onClose() };
    },
  });
  c.connect();
  h!.onOpen();
  h!.onLine(':srv 421 * CAP :Unknown command');
  h!.onLine(':srv 001 me :Welcome');
  h!.onLine(':srv 005 me CHANTYPES=# PREFIX=(ov)@+ CASEMAPPING=rfc1459 :are supported');
  h!.onLine(':me!u@h JOIN #a');
  sent.length = 0;
  const ui = { switched: [] as number[], exited: false };
  const cui: CommandUi = { switchTo: (n) => ui.switched.push(n), exit: () => (ui.exited = true) };
  const run = (line: string): string[] => {
    const b = c.active;
    const before = b.lines.length;
    runInput(c, line, cui);
    return b.lines.slice(before).map((l) => l.text);
  };
  return { c, sent, ui, run };
}

test('/help lists every command of the table and nothing else; every name and alias runs', () => {
  const { run } = connected();
  const out = run('/help');
  const listed = out.map((l) => /^ {2}\/(\S+)/.exec(l)?.[1]).filter((n) => n !== undefined);
  assert.deepEqual([...listed].sort(), COMMANDS.specs.map((s) => s.name).sort());
  // /notice and /back existed before but were missing from the hand-written list
  assert.ok(listed.includes('notice') && listed.includes('back'));
  assert.deepEqual([...COMMAND_NAMES].sort(), COMMANDS.specs.flatMap((s) => [s.name, ...(s.aliases ?? [])]).sort());
  for (const name of COMMAND_NAMES) {
    // a fresh client each time: /quit, /close and /reconnect change the state
    const f = connected();
    const said = f.run(`/${name}`);
    assert.ok(!said.some((l) => l.startsWith('Unknown command')), `/${name}: ${said.join(' | ')}`);
  }
  assert.match(run('/dance')[0] ?? '', /^Unknown command \/dance /);
});

test('/help CMD explains one command by name or alias; usage errors come from the table', () => {
  const { run } = connected();
  assert.deepEqual(run('/help join'), ['  /join #room [key]  join a room (and switch to it)', '  also: /j']);
  assert.deepEqual(run('/help /wi'), ['  /whois NICK  who is this?', '  also: /wi']);
  assert.deepEqual(run('/help dance'), ['There is no command /dance (type /help for the list)']);
  assert.deepEqual(run('/join'), ['Usage: /join #room [key]']);
  assert.deepEqual(run('/win x'), ['Usage: /win N']);
});

test('names and aliases dispatch to the same handler; the alias typed is kept where it matters', () => {
  const { sent, ui, run } = connected();
  run('/J #b');
  run('/notice bob hello there');
  run('/away lunch');
  run('/back');
  run('/quote PING x');
  run('/window 2');
  assert.deepEqual(sent, ['JOIN #b', 'NOTICE bob :hello there', 'AWAY lunch', 'AWAY', 'PING x']);
  assert.deepEqual(ui.switched, [2]);
  run('/exit bye');
  assert.equal(ui.exited, true);
  assert.equal(sent.at(-1), 'QUIT bye');
});
