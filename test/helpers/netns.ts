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
 * inside the namespace. `routed`: /32 addresses with a host route each way instead, so
 * the peer is reachable but not on one of our subnets (tincan counts on-link subnets as
 * the local network).
 */
export function makePeerNet(tag: string, hostAddr: string, peerAddr: string, opts: { routed?: boolean } = {}): PeerNet {
  const len = opts.routed === true ? 32 : 24;
  const ns = `tc${tag}${process.pid % 100000}`;
  const hv = `th${tag}${process.pid % 10000}`.slice(0, 15);
  const pv = `tp${tag}${process.pid % 10000}`.slice(0, 15);
  ip('netns', 'add', ns);
  try {
    ip('link', 'add', hv, 'type', 'veth', 'peer', 'name', pv);
    ip('link', 'set', pv, 'netns', ns);
    ip('addr', 'add', `${hostAddr}/${len}`, 'dev', hv);
    ip('link', 'set', hv, 'up');
    ip('-n', ns, 'addr', 'add', `${peerAddr}/${len}`, 'dev', pv);
    ip('-n', ns, 'link', 'set', pv, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    if (opts.routed === true) {
      ip('route', 'add', `${peerAddr}/32`, 'dev', hv);
      ip('-n', ns, 'route', 'add', `${hostAddr}/32`, 'dev', pv);
    }
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

export interface NsPair {
  /** namespace names, "hosts" A and B */
  a: string;
  b: string;
  destroy(): void;
}

/**
 * Two namespaces joined by a veth pair, multicast on (for mDNS): A has `addrA/24`,
 * B has `addrB/24`. Nothing touches the machine's own interfaces.
 */
export function makeNsPair(tag: string, addrA: string, addrB: string): NsPair {
  const id = process.pid % 100000;
  const a = `tc${tag}A${id}`;
  const b = `tc${tag}B${id}`;
  const va = `tv${tag}A${id}`.slice(0, 15);
  const vb = `tv${tag}B${id}`.slice(0, 15);
  const destroy = (): void => {
    spawnSync('ip', ['netns', 'del', a]);
    spawnSync('ip', ['netns', 'del', b]);
  };
  destroy();
  try {
    ip('netns', 'add', a);
    ip('netns', 'add', b);
    ip('-n', a, 'link', 'add', va, 'type', 'veth', 'peer', 'name', vb, 'netns', b);
    for (const [ns, dev, addr] of [
      [a, va, addrA],
      [b, vb, addrB],
    ] as const) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev);
      ip('-n', ns, 'link', 'set', dev, 'up', 'multicast', 'on');
      ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', dev);
    }
  } catch (err) {
    destroy();
    throw err;
  }
  return { a, b, destroy };
}
