/**
 * Advertised node addresses (`advertise` in the config, registry.ts, /nodes.json):
 * host:port as clients dial them. No dependencies: the config schema uses it too.
 */
export const MAX_ADDRESS_LENGTH = 262;
/** addresses one node may advertise */
export const MAX_ADDRESSES = 8;

/** host:port with a port 1..65535 and a host of letters, digits, '.', '-', ':' (v6 in brackets). */
export function validAddress(a: string): boolean {
  if (a.length > MAX_ADDRESS_LENGTH) return false;
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(a);
  if (m === null) return false;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535;
}

/** `host:port`, IPv6 in brackets. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}


/** `host:port` or `[v6]:port` apart, or null when it is not a valid address. */
export function parseHostPort(a: string): { host: string; port: number } | null {
  if (!validAddress(a)) return null;
  const i = a.lastIndexOf(':');
  const host = a.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(a.slice(i + 1)) };
}
