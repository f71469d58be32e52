/**
 * Users protect themselves (issue 14): /ignore NICK, /unignore, /ignore to list, in all
 * three clients. Plain (netcat) users have no client side, so the server drops what they
 * ignore; the terminal client and the browser do it themselves and remember the list
 * (~/.config/tincan/ignore, localStorage). Each check is ordered: the pest speaks, then a
 * friend; once the friend's line is shown, the pest's would have been too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawClient } from '../helpers/raw-client.js';
import { Tmux, eventually, haveCommand } from '../helpers/tmux.js';
import { chatCommand } from './chat-helpers.js';
import { chromiumMissing, startWebTincan, type WebTincan, launchChromium } from './web-harness.js';

let t: WebTincan;
const clients: RawClient[] = [];
before(async () => {
  t = await startWebTincan({ history: { enabled: false } });
});
after(async () => {
  for (const c of clients) c.socket.destroy();
  await t.stop();
});

async function irc(nick: string, room = '#lobby'): Promise<RawClient> {
  const c = await RawClient.connect(t.port);
  clients.push(c);
  await c.register(nick);
  c.send(`JOIN ${room}`);
  await c.waitFor(new RegExp(` 366 ${nick} ${room} `));
  return c;
}

describe('plain users: the server ignores for them', () => {
  it('/ignore hides a nick (also after it changes nick), /ignore lists, /unignore undoes', async () => {
    const pest = await irc('pest');
    const friend = await irc('friend');
    const p = await RawClient.connect(t.port);
    clients.push(p);
    p.socket.write('hi\r\n');
    await p.waitFor(/^\* Type a message and press Enter/);
    p.send('/ignore pest');
    await p.waitFor(/^\* You will not see messages from pest any more/);
    pest.send('PRIVMSG #lobby :buy my stuff');
    pest.send('NOTICE #lobby :BUY');
    friend.send('PRIVMSG #lobby :hello plain');
    await p.waitFor(/<friend> hello plain/);
    assert.ok(!p.lines.some((l) => /buy my stuff|BUY/.test(l)), p.lines.join('\n'));
    pest.send('NICK pest2');
    await p.waitFor(/pest is now known as pest2/);
    pest.send('PRIVMSG #lobby :still here');
    friend.send('PRIVMSG #lobby :second');
    await p.waitFor(/<friend> second/);
    assert.ok(!p.lines.some((l) => /still here/.test(l)), 'still ignored under the new nick');
    p.send('/ignore');
    await p.waitFor(/^\* You ignore: pest2 /);
    p.send('/unignore pest2');
    await p.waitFor(/^\* You see messages from pest2 again/);
    pest.send('PRIVMSG #lobby :back again');
    await p.waitFor(/<pest2> back again/);
    p.send('/ignore ' + /You are (\S+)\./.exec(p.lines.find((l) => /^\* Welcome/.test(l))!)![1]!);
    await p.waitFor(/^! You cannot ignore yourself/);
  });
});

describe('the terminal client ignores itself and remembers it', { skip: !haveCommand('tmux') && 'tmux is not installed', timeout: 120_000 }, () => {
  it('/ignore hides a nick, survives a restart of tincan chat, /unignore shows it again', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tincan-ignore-'));
    const tmux = new Tmux();
    try {
      const pest = await irc('nuisance', '#room');
      const friend = await irc('pal', '#room');
      const start = (): void => tmux.start('me', chatCommand(`127.0.0.1:${t.port} --nick reader`), { TERM: 'xterm-256color', XDG_CONFIG_HOME: home }, 100, 30);
      start();
      await eventually(() => tmux.screen('me').includes('Welcome to tincan'), 'tincan chat is connected (the MOTD)', 30_000);
      tmux.type('me', '/join #room');
      await friend.waitFor(/:reader!\S+ JOIN #room/, 30_000);
      tmux.type('me', '/ignore nuisance');
      await eventually(() => tmux.screen('me').includes('Ignoring nuisance'), '/ignore answered');
      assert.equal(readFileSync(join(home, 'tincan', 'ignore'), 'utf8'), 'nuisance\n', 'remembered');
      pest.send('PRIVMSG #room :annoying line one');
      friend.send('PRIVMSG #room :friendly line one');
      await eventually(() => tmux.screen('me').includes('friendly line one'), "the friend's line");
      assert.ok(!tmux.screen('me').includes('annoying line one'));
      // a new run of the client reads the list back
      tmux.type('me', '/quit');
      await eventually(() => !tmux.alive('me'), 'tincan chat quits', 15_000);
      const mark = friend.lines.length;
      start();
      await eventually(() => tmux.screen('me').includes('Welcome to tincan'), 'tincan chat is connected again', 30_000);
      tmux.type('me', '/join #room');
      await friend.waitFor(/:reader!\S+ JOIN #room/, 30_000, mark);
      pest.send('PRIVMSG #room :annoying line two');
      friend.send('PRIVMSG #room :friendly line two');
      await eventually(() => tmux.screen('me').includes('friendly line two'), "the friend's second line");
      assert.ok(!tmux.screen('me').includes('annoying line two'), 'still ignored after the restart');
      tmux.type('me', '/unignore nuisance');
      await eventually(() => tmux.screen('me').includes('No longer ignoring nuisance'), '/unignore answered');
      pest.send('PRIVMSG #room :heard line three');
      await eventually(() => tmux.screen('me').includes('heard line three'), 'shown again');
    } finally {
      tmux.kill();
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('the browser ignores itself and remembers it', { skip: chromiumMissing, timeout: 60_000 }, () => {
  it('/ignore hides a nick, survives a reload (localStorage), /unignore shows it again', async () => {
    const browser = await launchChromium();
    try {
      const pest = await irc('spammer');
      const friend = await irc('buddy');
      const page = await browser.newPage();
      await page.goto(t.url);
      await page.fill('#nick', 'webby');
      await page.click('button[type=submit]');
      await page.waitForSelector('.room.active >> text=#lobby', { timeout: 15_000, state: 'attached' });
      await friend.waitFor(/:webby!\S+ JOIN #lobby/);
      const say = async (text: string): Promise<void> => {
        await page.fill('#composer', text);
        await page.press('#composer', 'Enter');
      };
      const sees = (text: string) => page.waitForSelector(`.log .line:has-text(${JSON.stringify(text)})`, { timeout: 10_000, state: 'attached' });
      const count = (text: string) => page.locator(`.log .line:has-text(${JSON.stringify(text)})`).count();
      await say('/ignore spammer');
      await sees('Ignoring spammer');
      pest.send('PRIVMSG #lobby :web spam one');
      friend.send('PRIVMSG #lobby :web hello one');
      await sees('web hello one');
      assert.equal(await count('web spam one'), 0);
      const mark = friend.lines.length;
      await page.reload();
      await page.waitForSelector('.room.active >> text=#lobby', { timeout: 15_000, state: 'attached' });
      await friend.waitFor(/:webby!\S+ JOIN #lobby/, 10_000, mark);
      pest.send('PRIVMSG #lobby :web spam two');
      friend.send('PRIVMSG #lobby :web hello two');
      await sees('web hello two');
      assert.equal(await count('web spam two'), 0, 'still ignored after a reload');
      await say('/unignore spammer');
      await sees('No longer ignoring spammer');
      pest.send('PRIVMSG #lobby :web spam three');
      await sees('web spam three');
    } finally {
      await browser.close();
    }
  });
});
