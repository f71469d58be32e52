/**
 * A real IRC client and shared files: irssi (in tmux) asks for an upload link with
 * `/quote UPLOAD #lobby`, reads the curl line from the server notice, shares a file with
 * real curl; another irssi shows the share as an action with name, size and link (read
 * from irssi's own log), and the link downloads the bytes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServeHandle } from '../../src/cli/serve.js';
import type { IrcServer } from '../../src/core/server.js';
import { serveInProcess } from '../helpers/serve-inprocess.js';
import { IrssiHomes, irssiSkip } from '../helpers/irssi.js';
import { Tmux, eventually } from '../helpers/tmux.js';

const skip = irssiSkip;

let h: ServeHandle;
let tmux: Tmux;
const irssi = new IrssiHomes('files');

before(async () => {
  if (skip) return;
  // plaintext IRC only (irssi would need -tls for the self-signed certificate)
  h = await serveInProcess({ data: mkdtempSync(join(tmpdir(), 'tincan-files-irssi-')), config: { history: { replayLines: 0 } } });
  tmux = new Tmux();
  for (const nick of ['ann', 'ben']) {
    const home = irssi.create(nick);
    tmux.start(nick, `irssi --home=${home} -c 127.0.0.1 -p ${h.port} -n ${nick}`, { HOME: home, TERM: 'xterm' }, 200, 40);
  }
});

after(async () => {
  if (skip) return;
  tmux.kill();
  await h.close();
  irssi.removeAll();
});

test('irssi: /quote UPLOAD gives the curl line; the other irssi shows the share and the link downloads', { skip, timeout: 60_000 }, async () => {
  await eventually(() => /Welcome to the tincan/.test(tmux.screen('ann')) && /Welcome to the tincan/.test(tmux.screen('ben')), 'both irssi registered', 20_000);
  const lobby = (): number => (h.server as unknown as IrcServer).findChannel('#lobby')?.members.size ?? 0;
  tmux.type('ann', '/join #lobby');
  await eventually(() => lobby() === 1, 'ann in #lobby', 15_000);
  tmux.type('ben', '/join #lobby');
  await eventually(() => lobby() === 2, 'ben in #lobby', 15_000);
  tmux.type('ann', '/quote UPLOAD #lobby');
  // irssi shows server notices in its status window
  tmux.type('ann', '/window 1');
  const line = await eventually(() => /curl -T FILE (http:\/\/\S+\/u\/[A-Za-z0-9_-]{32}\/)/.exec(tmux.screen('ann').replace(/\n/g, '')), 'the upload notice in irssi', 15_000).catch((e: Error) => {
    throw new Error(e.message + '\n' + tmux.screen('ann'));
  });
  const url = line[1]!;
  const dir = mkdtempSync(join(tmpdir(), 'tincan-files-irssi-up-'));
  const file = join(dir, 'minutes.txt');
  writeFileSync(file, 'the minutes of the meeting\n');
  const link = await new Promise<string>((resolve, reject) => execFile('curl', ['-sSf', '-T', file, url], (e, out) => (e ? reject(e) : resolve(out.trim()))));
  // ben's irssi shows it as an action from ann, with name, size and link
  const seen = await eventually(() => /\* ann shared minutes\.txt \(27 bytes\) (http:\/\/\S+)/.exec(irssi.log('ben', '#lobby', true)), "ben's irssi shows the share", 15_000);
  assert.equal(seen[1], link);
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(link, { agent: false }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (b += d));
      res.on('end', () => resolve(`${res.statusCode} ${res.headers['content-disposition']} ${b}`));
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(body, `200 attachment; filename="minutes.txt"; filename*=UTF-8''minutes.txt the minutes of the meeting\n`);
  // ann (no echo-message in irssi) is told it went out
  await eventually(() => /You shared minutes\.txt \(27 bytes\)/.test(tmux.screen('ann').replace(/\n\s*/g, ' ')), "ann's confirmation").catch((e: Error) => {
    throw new Error(e.message + '\n' + tmux.screen('ann'));
  });
});
