/**
 * Private test networks: a network namespace joined to this one by a veth pair, so a
 * test can connect from an address of its choosing without touching real interfaces.
 */
import { spawnSync } from 'node:child_process';

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

/** Why namespaces can't be used here, or null when they can. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  const name = `tcprobe${process.pid % 100000}`;
  const r = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (r.status !== 0) return `ip netns add failed: ${(r.stderr || r.error?.message || '').trim()}`;
  spawnSync('ip', ['netns', 'del', name]);
  return null;
}

export interface PeerNet {
  ns: string;
  hostAddr: string;
  peerAddr: string;
  /** argv prefix that runs a command inside the namespace */
  exec: string[];
  destroy(): void;
}

/**
 * Creates namespace `ns` with a veth pair: `hostAddr/24` on our side, `peerAddr/24`
 * inside the namespace.
 */
export function makePeerNet(tag: string, hostAddr: string, peerAddr: string): PeerNet {
  const ns = `tc${tag}${process.pid % 100000}`;
  const hv = `th${tag}${process.pid % 10000}`.slice(0, 15);
  const pv = `tp${tag}${process.pid % 10000}`.slice(0, 15);
  ip('netns', 'add', ns);
  try {
    ip('link', 'add', hv, 'type', 'veth', 'peer', 'name', pv);
    ip('link', 'set', pv, 'netns', ns);
    ip('addr', 'add', `${hostAddr}/24`, 'dev', hv);
    ip('link', 'set', hv, 'up');
    ip('-n', ns, 'addr', 'add', `${peerAddr}/24`, 'dev', pv);
    ip('-n', ns, 'link', 'set', pv, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  } catch (err) {
    spawnSync('ip', ['link', 'del', hv]);
    spawnSync('ip', ['netns', 'del', ns]);
    throw err;
  }
  return {
    ns,
    hostAddr,
    peerAddr,
    exec: ['ip', 'netns', 'exec', ns],
    destroy() {
      spawnSync('ip', ['link', 'del', hv]);
      spawnSync('ip', ['netns', 'del', ns]);
    },
  };
}
