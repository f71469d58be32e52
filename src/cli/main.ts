#!/usr/bin/env node
/**
 * The `tincan` command: `tincan serve [options]`, `tincan chat [HOST[:PORT]]`, `tincan admin [command]`, `tincan --help`, `tincan --version`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';

export function version(): string {
  try {
    // same relative location from src/cli/main.ts and dist/cli/main.js
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function mainUsage(): string {
  return [
    'Usage: tincan <command> [options]',
    '',
    'Commands:',
    '  serve        start the chat server (tincan serve --help for options)',
    '  chat         chat in a terminal; finds servers on the LAN (tincan chat --help)',
    '  admin        run admin commands on the running server (tincan admin help)',
    '',
    'Options:',
    '  -h, --help     show this help',
    '  -v, --version  print the version',
  ].join('\n');
}

/** Runs the CLI; returns an exit code, or null when a long-running command was started. */
export async function main(argv: string[]): Promise<number | null> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(mainUsage() + '\n');
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version' || cmd === '-v' || cmd === 'version') {
    process.stdout.write(`tincan ${version()}\n`);
    return 0;
  }
  if (cmd === 'serve') {
    const { serveMain } = await import('./serve.js');
    await serveMain(rest);
    return null;
  }
  if (cmd === 'admin') {
    const { adminMain } = await import('./admin.js');
    return adminMain(rest);
  }
  if (cmd === 'chat') {
    const { chatMain } = await import('./chat.js');
    const code = await chatMain(rest);
    // sockets and timers of the client must not keep a finished chat alive
    setTimeout(() => process.exit(code), 1500).unref();
    return code;
  }
  process.stderr.write(`tincan: unknown command '${cmd}'\n\n${mainUsage()}\n`);
  return 2;
}

function isEntry(): boolean {
  const arg = process.argv[1];
  if (arg === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(arg)).href;
  } catch {
    return false;
  }
}

if (isEntry()) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== null) process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`tincan: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
