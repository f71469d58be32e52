/**
 * The join card `tincan serve` prints on start: for each LAN address of this machine,
 * how to join with netcat / telnet, an IRC client, a browser and the lesson's own
 * Python client, plus a QR code of the browser URL for phones.
 *
 * Pure text building (`joinCard`) and address selection (`lanAddresses`) are separate
 * from the QR renderer so both are testable without a terminal. Printing is serve.ts's
 * business; this module never writes anywhere.
 */
import type { NetworkInterfaceInfo } from 'node:os';
import qrcode from 'qrcode-terminal';

export interface JoinCardInput {
  /** IPv4/IPv6 addresses people can reach this server on */
  addresses: readonly string[];
  port: number;
  /** the room plain users land in, e.g. '#lobby' */
  channel: string;
  /** a line shown under the title (e.g. "no network found") */
  note?: string;
  /** TLS on the port (and a TLS-only port): the certificate's SHA-256 fingerprint, to pin it */
  tls?: { fingerprint: string; selfSigned: boolean; port?: number };
  /** the one-time admin code (src/admin/claim.ts) and how long it lasts */
  admin?: { code: string; minutes: number; console: boolean };
  /** one node of a cluster: its name and every node's addresses (this one included), as /nodes.json lists them */
  cluster?: { name: string; nodes: readonly { id: string; addresses: readonly string[] }[]; self: string };
  /** renders a QR code for a URL; null = no QR codes (default: qrcode-terminal, small) */
  qr?: ((url: string) => string) | null;
}

/** `host` as it goes in a URL or after `nc` (IPv6 in brackets for URLs only). */
function urlHost(addr: string): string {
  return addr.includes(':') ? `[${addr}]` : addr;
}

/** QR code of `text` in half-height block characters (about 30 columns for a short URL). */
export function renderQr(text: string): string {
  let out = '';
  qrcode.generate(text, { small: true }, (q) => (out = q));
  return out;
}

/** The card text (ends with a newline). */
export function joinCard(input: JoinCardInput): string {
  const { port, channel } = input;
  const qr = input.qr === undefined ? renderQr : input.qr;
  const lines: string[] = ['', 'tincan is running. Join from any computer on this network:'];
  if (input.note !== undefined) lines.push(`(${input.note})`);
  for (const addr of input.addresses) {
    const h = urlHost(addr);
    const http = `http://${h}:${port}/`;
    lines.push(
      '',
      `  nc ${addr} ${port}`.padEnd(42) + 'netcat or telnet: just type and press Enter',
      `  irc://${h}:${port}/${channel}`.padEnd(42) + 'an IRC client',
      `  ${http}`.padEnd(42) + 'a browser',
      '',
      "  The lesson's Python client:",
      '    import socket',
      '    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)' + (addr.includes(':') ? '  # AF_INET6 for this address' : ''),
      `    s.connect(("${addr}", ${port}))`,
      "    s.sendall(b'Your message')",
      '    data = s.recv(1024)',
      '    print("Received:", str(data))',
    );
    if (qr !== null) {
      lines.push('', `  Scan to open ${http}`);
      for (const row of qr(http).replace(/\n+$/, '').split('\n')) lines.push('  ' + row);
    }
  }
  if (input.cluster !== undefined) lines.push(...clusterLines(input.cluster));
  if (input.tls !== undefined) lines.push(...tlsLines(input.tls, input.addresses[0] ?? 'HOST', port));
  if (input.admin !== undefined) {
    const { code, minutes } = input.admin;
    lines.push(
      '',
      input.admin.console
        ? '  You are the admin: this terminal takes admin commands (type /help), and so does'
        : '  You are the admin: admin commands go through',
      '  `tincan admin` in another terminal. To be admin from a chat client, type there once:',
      `    /admin ${code}        (IRC clients: /quote CLAIM ${code}, or /oper admin ${code})`,
      `  The code works once, within ${minutes} minutes. Keep it to yourself.`,
    );
  }
  lines.push('');
  return lines.join('\n') + '\n';
}

/** Nodes listed on the card at most (the rest are counted). */
const CARD_NODES = 10;

/** The card's cluster part: the nodes people may join, and that clients move between them. */
export function clusterLines(c: { name: string; nodes: readonly { id: string; addresses: readonly string[] }[]; self: string }): string[] {
  const n = c.nodes.length;
  const lines = ['', `  One server on ${n} node${n === 1 ? '' : 's'} (cluster ${c.name}); join any of them, it is the same chat:`];
  for (const node of c.nodes.slice(0, CARD_NODES)) {
    lines.push(`    ${node.addresses.join(', ')}`.padEnd(42) + (node.id === c.self ? 'this node' : `node ${node.id}`));
  }
  if (n > CARD_NODES) lines.push(`    ... and ${n - CARD_NODES} more (http://<any node>/nodes.json lists them all)`);
  lines.push("  When a node stops, tincan chat and the browser move to another by themselves.");
  return lines;
}

/** The card's TLS part: the fingerprint and how to pin it in irssi and WeeChat, and what a browser will say. */
export function tlsLines(tls: { fingerprint: string; selfSigned: boolean; port?: number }, addr: string, plainPort: number): string[] {
  const port = tls.port ?? plainPort;
  const hex = tls.fingerprint.replace(/:/g, '').toLowerCase();
  const where = tls.port === undefined ? `on the same port` : `on port ${plainPort} and ${tls.port} (TLS only)`;
  const lines = [
    '',
    `  Encrypted (TLS) ${where}. Certificate SHA-256 fingerprint:`,
    `    ${tls.fingerprint}`,
    `  irssi:   /connect -tls -tls_pinned_cert ${tls.fingerprint} ${addr} ${port}`,
    `  WeeChat: /server add tincan ${addr}/${port} -tls`,
    `           /set irc.server.tincan.tls_fingerprint ${hex}`,
    `  openssl s_client -quiet -connect ${addr.includes(':') ? `[${addr}]` : addr}:${port}   (netcat, encrypted)`,
  ];
  if (tls.selfSigned) {
    lines.push(
      `  https://${urlHost(addr)}:${port}/  a browser warns once that the certificate is self-signed:`,
      '    check the fingerprint above (padlock > certificate), then Advanced > Proceed.',
    );
  }
  return lines;
}

const WILDCARD = new Set(['', '::', '0.0.0.0', '::0']);

/**
 * The addresses to put on the card: the LAN IPv4 addresses (not loopback, not
 * link-local 169.254/16 unless there is nothing else) when listening on all
 * interfaces, or the one address listened on. With no LAN address, 127.0.0.1 and a note.
 */
export function lanAddresses(
  ifaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
  listenHost: string,
): { addresses: string[]; note?: string } {
  if (!WILDCARD.has(listenHost)) {
    const loop = listenHost === '127.0.0.1' || listenHost === '::1' || listenHost === 'localhost';
    return loop
      ? { addresses: [listenHost], note: `listening on ${listenHost} only: just this computer can join; use --host 0.0.0.0 for the network` }
      : { addresses: [listenHost] };
  }
  const found: string[] = [];
  const linkLocal: string[] = [];
  for (const list of Object.values(ifaces)) {
    for (const i of list ?? []) {
      if (i.internal || i.family !== 'IPv4') continue;
      if (i.address.startsWith('169.254.')) linkLocal.push(i.address);
      else if (!found.includes(i.address)) found.push(i.address);
    }
  }
  if (found.length > 0) return { addresses: found };
  if (linkLocal.length > 0) return { addresses: linkLocal };
  return { addresses: ['127.0.0.1'], note: 'no network connection found: only this computer can join for now' };
}
