/**
 * `tincan chat --show-bytes` full screen, in tmux: the protocol pane on the right shows
 * the registration and the lines a message causes, with a peer's control characters made
 * visible (never sent to the terminal), and the chat still works on the left.
 */
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServeHandle } from '../../src/cli/serve.js';
import { RawClient } from '../helpers/raw-client.js';
import { serveInProcess } from '../helpers/serve-inprocess.js';
import { Tmux, eventually, haveCommand } from '../helpers/tmux.js';
import { chatCommand } from './chat-helpers.js';

/** The pane's lines, continuation rows joined back (a long line wraps at a space). */
function pane(screen: string): string {
  const rows = screen.split('\n').filter((r) => r.includes('│')).map((r) => r.slice(r.indexOf('│') + 1).trimEnd());
  return rows.reduce((acc, r) => (r.startsWith('   ') ? acc + ' ' + r.trimStart() : acc + '\n' + r), '');
}

const tmux = new Tmux();
after(() => tmux.kill());
const handles: ServeHandle[] = [];
afterEach(async () => {
  while (handles.length > 0) await handles.pop()!.close();
});

test('tincan chat --show-bytes: a protocol pane beside the chat', { skip: haveCommand('tmux') ? false : 'tmux is needed', timeout: 40_000 }, async () => {
  const h = await serveInProcess({ data: mkdtempSync(join(tmpdir(), 'tincan-bytes-chat-')), config: { history: { replayLines: 0 } } });
  handles.push(h);
  const cfg = mkdtempSync(join(tmpdir(), 'tincan-bytes-chat-cfg-'));
  tmux.start('bytes', `${chatCommand(`127.0.0.1:${h.port} --nick viewer --show-bytes`)}; sleep 30`, { TERM: 'xterm-256color', XDG_CONFIG_HOME: cfg }, 140, 120); // tall: the whole registration fits in the pane
  await eventually(() => /│>> NICK viewer/.test(tmux.screen('bytes')), 'the pane shows NICK', 15_000);
  await eventually(() => /│<< :test\.local 001 viewer/.test(tmux.screen('bytes')), 'and the welcome');
  tmux.type('bytes', '/join #lobby');
  await eventually(() => /│>> JOIN #lobby/.test(tmux.screen('bytes')), 'the JOIN');
  const bob = await RawClient.connect(h.port);
  try {
    await bob.register('bob');
    bob.send('JOIN #lobby');
    await bob.waitFor(/ 366 bob #lobby /);
    // a peer's CTCP and an escape sequence: shown escaped in the pane, not obeyed
    bob.send('PRIVMSG #lobby :\x01ACTION waves\x01');
    bob.send('PRIVMSG #lobby :evil \x1b[2J there');
    await eventually(() => /\\x01ACTION waves\\x01/.test(pane(tmux.screen('bytes'))), 'the CTCP escaped').catch((e: Error) => {
      throw new Error(e.message + '\n' + tmux.screen('bytes'));
    });
    await eventually(() => /evil \\x1b\[2J there/.test(pane(tmux.screen('bytes'))), 'ESC escaped');
    tmux.type('bytes', 'hello wire');
    await eventually(() => /^>> PRIVMSG #lobby :hello wire$/m.test(pane(tmux.screen('bytes'))), 'our message');
    await bob.waitFor(/PRIVMSG #lobby :hello wire$/);
    // the chat on the left still shows the conversation
    await eventually(() => /<viewer> hello wire/.test(tmux.screen('bytes')), 'our message on the left');
    const screen = tmux.screen('bytes');
    assert.match(screen, /\* bob waves/);
    // no escape sequence reached the terminal: the screen was not cleared, the pane is intact
    assert.match(screen, /│>> JOIN #lobby/);
  } finally {
    bob.socket.destroy();
  }
});
