/**
 * irssi (Debian's, in tmux) joining a room with history: irssi negotiates server-time but
 * by default shows when a line arrived, so the JOIN replay must carry the original time
 * in the text. The server's clock is injected: the old message is from three hours ago.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { IrcServer } from '../../src/core/server.js';
import { History } from '../../src/core/history.js';
import { MemoryStorage } from '../../src/storage/memory/memory-storage.js';
import { startTcpListener } from '../../src/transports/tcp.js';
import { makeConfig } from '../helpers/harness.js';
import { RawClient } from '../helpers/raw-client.js';
import { Tmux, eventually, haveCommand } from '../helpers/tmux.js';

const skip = !haveCommand('irssi') || !haveCommand('tmux') ? 'irssi and tmux are needed (apt-get install irssi tmux)' : false;
const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

const pad = (n: number): string => String(n).padStart(2, '0');

test('irssi shows a replayed line with the time it was said, not when it arrived', { skip, timeout: 40000 }, async () => {
  const THREE_HOURS = 3 * 3600 * 1000;
  let offset = -THREE_HOURS;
  const logger = pino({ level: 'silent' });
  const history = new History({ storage: new MemoryStorage(), logger });
  const server = new IrcServer(makeConfig({}), logger, { tickMs: 200, history, now: () => Date.now() + offset });
  const listener = await startTcpListener({ host: '127.0.0.1', port: 0, config: () => server.config, logger, onConnection: (c) => server.accept(c) });
  cleanup.push(async () => {
    await server.shutdown('bye');
    await listener.close();
  });
  const port = listener.address().port;

  const early = await RawClient.connect(port);
  cleanup.push(() => early.socket.destroy());
  await early.register('early');
  early.send('JOIN #old');
  await early.waitFor(/ 366 /);
  const saidAt = new Date(Date.now() + offset);
  early.send('PRIVMSG #old :said three hours ago');
  early.send('PING sync');
  await early.waitFor(/PONG .*sync/);
  offset = 0;

  const home = mkdtempSync(join(tmpdir(), 'tincan-irssi-hist-'));
  cleanup.push(() => rmSync(home, { recursive: true, force: true }));
  writeFileSync(
    join(home, 'config'),
    `settings = {
  core = { real_name = "ivy"; user_name = "ivy"; nick = "ivy"; };
  "fe-common/core" = { autolog = "yes"; autolog_path = "${home}/logs/$0.log"; autolog_level = "all"; };
};
`,
  );
  const tmux = new Tmux();
  cleanup.push(() => tmux.kill());
  tmux.start('ivy', `irssi --home=${home} -c 127.0.0.1 -p ${port} -n ivy`, { HOME: home, TERM: 'xterm' });
  await eventually(() => server.findNick('ivy'), 'irssi registers', 15000);
  tmux.type('ivy', '/join #old');
  const log = (): string => {
    const dir = join(home, 'logs');
    const f = existsSync(dir) ? readdirSync(dir).find((n) => n.toLowerCase() === '#old.log') : undefined;
    return f ? readFileSync(join(dir, f), 'utf8') : '';
  };
  const line = await eventually(() => /^.*<.?early> .*said three hours ago$/m.exec(log())?.[0], 'the replayed line in irssi', 15000);
  const hm = `${pad(saidAt.getHours())}:${pad(saidAt.getMinutes())}`;
  assert.match(line, new RegExp(`<.?early> \\[(\\d{4}-\\d\\d-\\d\\d )?${hm}\\] said three hours ago$`), line);
  // and it is on the screen that way too
  assert.match(tmux.screen('ivy'), new RegExp(`\\[(\\d{4}-\\d\\d-\\d\\d )?${hm}\\] said three hours ago`));
});
