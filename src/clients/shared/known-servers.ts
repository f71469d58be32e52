/**
 * Pinned server certificates for `tincan chat` (trust on first use), Node only: one line
 * per server, `HOST:PORT SHA256HEX`, in $XDG_CONFIG_HOME/tincan/known_servers (default
 * ~/.config/tincan/known_servers). Small and read once per connection attempt.
 */
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export interface PinStore {
  /** where the pins live (shown to the user when one changes) */
  readonly path: string;
  get(server: string): string | undefined;
  set(server: string, fingerprint: string): void;
}

/** `tincan chat`'s config directory: $XDG_CONFIG_HOME/tincan, default ~/.config/tincan. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CONFIG_HOME'] !== undefined && env['XDG_CONFIG_HOME'] !== '' ? env['XDG_CONFIG_HOME'] : join(homedir(), '.config');
  return join(base, 'tincan');
}

export function knownServersPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'known_servers');
}

/** `AB:CD:...` or `abcd...` to `abcd...` */
export function normalizeFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-f]/gi, '').toLowerCase();
}

/** `abcd...` to `AB:CD:...` (as browsers and `openssl x509 -fingerprint` show it) */
export function colonFingerprint(fp: string): string {
  return (normalizeFingerprint(fp).toUpperCase().match(/../g) ?? []).join(':');
}

/** `host:port`, IPv6 in brackets: the key a pin is stored under. */
export function serverKey(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function read(path: string): Map<string, string> {
  const pins = new Map<string, string>();
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return pins;
  }
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+([0-9a-fA-F:]{64,95})\s*$/.exec(line.trim());
    if (m) pins.set(m[1]!, normalizeFingerprint(m[2]!));
  }
  return pins;
}

export function filePinStore(path: string = knownServersPath()): PinStore {
  return {
    path,
    get: (server) => read(path).get(server),
    set(server, fingerprint) {
      const pins = read(path);
      pins.set(server, normalizeFingerprint(fingerprint));
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, [...pins].map(([k, v]) => `${k} ${v}\n`).join(''), { mode: 0o600 });
      renameSync(tmp, path);
    },
  };
}
