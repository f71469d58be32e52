/**
 * The server's own terminal as an admin console: when `tincan serve` runs with stdin on a
 * TTY, each line typed there is an admin command (src/admin/commands.ts; `/help` lists
 * them). Not started when stdin is not a TTY (services, tests, pipes): stdin is never read.
 */
import { createInterface, type Interface } from 'node:readline';
import type { IrcServer } from '../core/server.js';
import { runAdminLine } from './commands.js';

export interface AdminConsole {
  close(): void;
}

export function startAdminConsole(srv: IrcServer, print: (text: string) => void, input: NodeJS.ReadableStream = process.stdin): AdminConsole {
  const rl: Interface = createInterface({ input, terminal: false, crlfDelay: Infinity });
  print('Admin console: type /help for the commands (this terminal is the host).\n');
  rl.on('line', (line) => {
    try {
      runAdminLine({ srv, by: 'console', session: null, reply: (lines) => print(lines.map((l) => l + '\n').join('')) }, line);
    } catch (err) {
      srv.logger.error({ err, line }, 'admin console command failed');
    }
  });
  // what other admins do shows here too (the console is an admin)
  const watch = (line: string): void => print(line + '\n');
  srv.admin.watchers.add(watch);
  return {
    close() {
      srv.admin.watchers.delete(watch);
      rl.close();
    },
  };
}
