/**
 * Asking the server for an upload link (UPLOAD, src/core/commands/upload.ts) from the
 * terminal and browser clients: send `UPLOAD target`, read the link from the server's
 * NOTICE "*** Upload to TARGET: curl -T FILE URL" (or its refusal, the next "*** "
 * NOTICE). No DOM, no node: both clients run it; each does the HTTP part itself.
 */
import { parse } from '../../protocol/index.js';
import type { IrcClient } from './irc-client.js';

export { humanSize, parseShare, type SharedFile } from '../../files/message.js';

const LINK = /^\*\*\* Upload to \S+: curl -T FILE (https?:\/\/\S+\/u\/[A-Za-z0-9_-]+\/)$/;

/** Resolves with the upload URL (ending in '/': the file name goes after it); rejects with the server's reason. */
export function requestUploadLink(client: IrcClient, target: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let off = (): void => {};
    const timer = setTimeout(() => {
      off();
      reject(new Error('the server did not answer UPLOAD (does it share files?)'));
    }, timeoutMs);
    off = client.on('wire', (dir, line) => {
      if (dir !== 'in') return;
      const r = parse(line);
      if (!r.ok || r.msg.command !== 'NOTICE' || (r.msg.source ?? '').includes('!')) {
        // an old server without UPLOAD
        if (r.ok && r.msg.command === '421' && r.msg.params[1] === 'UPLOAD') {
          clearTimeout(timer);
          off();
          reject(new Error('this server does not share files'));
        }
        return;
      }
      const text = r.msg.params[1] ?? '';
      if (!text.startsWith('*** ')) return;
      const m = LINK.exec(text);
      // "That link is for you alone" follows the link: not an answer
      if (m === null && text.startsWith('*** That link')) return;
      clearTimeout(timer);
      off();
      if (m !== null) resolve(m[1]!);
      else reject(new Error(text.slice(4)));
    });
    if (!client.send('UPLOAD', target)) {
      clearTimeout(timer);
      off();
      reject(new Error('not connected'));
    }
  });
}
