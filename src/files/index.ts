/**
 * Wires the file service to the IRC server (serve.ts): metadata in the history
 * storage when it has a file store (SQLite), else in memory; sessions seen through the
 * core's UPLOAD command module.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { IrcServer } from '../core/server.js';
import type { Session } from '../core/session.js';
import { shareFile } from '../core/commands/upload.js';
import { MemoryFileStore } from '../storage/memory/memory-storage.js';
import type { FileStore } from '../storage/types.js';
import { FileService, type FileSessions } from './service.js';

export { FileService } from './service.js';

export function sessionsOf(server: IrcServer): FileSessions<Session> {
  return {
    alive: (s) => server.sessions.has(s) && !s.closing && s.registered,
    ip: (s) => s.ip,
    nick: (s) => s.nick,
    link: (s) => ({ localHost: s.conn.localHost, secure: s.conn.secure }),
    share: (s, target, text) => shareFile(server, s, target, text),
    notify: (s, text) => {
      if (server.sessions.has(s) && !s.closing) s.serverMessage('NOTICE', s.nick, '*** ' + text);
    },
  };
}

/** Opens the service and gives the server its UPLOAD side. */
export async function startFileSharing(server: IrcServer, config: () => Config, logger: Logger, opts: { now?: () => number; store?: FileStore } = {}): Promise<FileService<Session>> {
  const store = opts.store ?? server.history?.storage.files ?? new MemoryFileStore();
  const svc = await FileService.open<Session>({
    config,
    logger,
    store,
    dataDir: config().dataDir,
    sessions: sessionsOf(server),
    ...(opts.now === undefined ? {} : { now: opts.now }),
  });
  server.files = svc;
  return svc;
}
