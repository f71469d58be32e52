/**
 * UPLOAD <#room|nick>: a short-lived link for sharing one file there over HTTP on this
 * port (src/files/ does the HTTP side). The link is sent to the asking session only, as
 * a server NOTICE with a ready `curl -T FILE <link>` line; plain users get it from
 * /upload, the terminal and browser clients read it from the NOTICE. Once the bytes are
 * stored, {@link shareFile} posts the file's address as the uploader's own message.
 */
import type { IrcMessage } from '../../protocol/message.js';
import { Cap } from '../caps.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import type { CommandTable } from './types.js';
import { cannotSend } from './messaging.js';

/** What the core needs from the file service (serve.ts sets `server.files`). */
export interface FileSharing {
  /** A link for `s` to upload one file to `target` (already checked), or why not. */
  issue(s: Session, target: string): { url: string; seconds: number } | string;
}

/** How the NOTICE with the link starts: clients find the link after it. */
export const UPLOAD_NOTICE = '*** Upload to ';

const isChannel = (t: string): boolean => t.startsWith('#') || t.startsWith('&');

/** The target as the server knows it (channel or nick name), or why `s` may not share there. */
export function shareTarget(s: Session, target: string, srv: IrcServer): { name: string } | { error: string } {
  if (isChannel(target)) {
    const ch = srv.findChannel(target);
    if (ch === undefined || !ch.members.has(s)) return { error: `You are not in ${target}: join it first to share a file there.` };
    if (cannotSend(s, ch, srv)) return { error: `You cannot speak in ${ch.name} (moderated, or banned), so you cannot share a file there.` };
    return { name: ch.name };
  }
  const t = srv.findNick(target);
  if (t === undefined) return { error: `There is nobody called ${target} here.` };
  return { name: t.nick };
}

/**
 * Posts "shared NAME (SIZE) URL" as an ACTION from `s` to `target`, through the normal
 * PRIVMSG path (so +m, bans, echo-message and history apply). Returns null when sent, or
 * why not (the session left, or left the room).
 */
export function shareFile(srv: IrcServer, s: Session, target: string, text: string): string | null {
  if (!srv.sessions.has(s) || s.closing || !s.registered) return 'the uploader has disconnected';
  const t = shareTarget(s, target, srv);
  if ('error' in t) return t.error;
  const msg: IrcMessage = { tags: null, source: null, command: 'PRIVMSG', params: [t.name, `\x01ACTION ${text}\x01`] };
  srv.dispatch(s, msg);
  // without echo-message the uploader would not see its own share
  if (!s.has(Cap.echoMessage)) s.serverMessage('NOTICE', s.nick, `*** You ${text} with ${t.name}`);
  return null;
}

export const uploadCommands: CommandTable = {
  UPLOAD: {
    minParams: 1,
    handler(s, msg, srv) {
      const note = (text: string): void => s.serverMessage('NOTICE', s.nick, '*** ' + text);
      if (srv.files === null) return note('File sharing is off on this server.');
      const t = shareTarget(s, msg.params[0]!, srv);
      if ('error' in t) return note(t.error);
      const link = srv.files.issue(s, t.name);
      if (typeof link === 'string') return note(link);
      s.serverMessage('NOTICE', s.nick, `${UPLOAD_NOTICE}${t.name}: curl -T FILE ${link.url}`);
      const mins = Math.max(1, Math.round(link.seconds / 60));
      note(`That link is for you alone: it posts one file as you to ${t.name} within ${mins} minute${mins === 1 ? '' : 's'}. Don't share it; the room gets the file's own link.`);
    },
  },
};
