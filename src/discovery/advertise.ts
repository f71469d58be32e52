/**
 * mDNS / DNS-SD advertisement of a running tincan, so clients on the LAN can find it
 * without typing an address: `_tincan._tcp` (TXT v = version, name = server name,
 * ws = WebSocket path, fp = SHA-256 of the TLS certificate, 64 lower-case hex digits; a cluster's
 * node adds cluster = the cluster's name and node = its id), `_irc._tcp` (any IRC
 * client that browses, channel in TXT) and `_http._tcp` (browsers / OS "network" views,
 * path=/). Built on bonjour-service; answers queries and announces on every interface.
 *
 * Advertising is best-effort: if multicast is unavailable (no interface, port 5353
 * refused, a container without multicast) it logs a warning and the server carries on.
 * `stop()` sends goodbye packets (TTL 0) so browsers drop the services at once, then
 * closes the socket; bounded by a timeout so shutdown never hangs on it.
 *
 * Not here: browsing (discovery/browse.ts), the join card (join-card.ts).
 */
import BonjourPkg from 'bonjour-service';
import type { Logger } from 'pino';

export const SERVICE_TINCAN = 'tincan';
export const SERVICE_IRC = 'irc';
export const SERVICE_HTTP = 'http';
/** How long stop() waits for goodbyes and socket close. */
export const STOP_TIMEOUT_MS = 1500;

export interface AdvertiseOptions {
  port: number;
  /** config.serverName, e.g. 'my-laptop.local' */
  serverName: string;
  version: string;
  /** the room plain and IRC users land in */
  channel: string;
  /** WebSocket path (TXT `ws`) */
  wsPath?: string;
  /** TLS certificate SHA-256 fingerprint (TXT `fp`, hex without colons), when TLS is on */
  tlsFingerprint?: string;
  logger: Logger;
  /** restrict to one interface address (multicast-dns `interface`); default all */
  interface?: string;
  /** one node of a cluster (docs/scale-out.md): TXT `cluster` and `node`, so browsers group the nodes as one server */
  cluster?: { name: string; node: string };
}

export interface Advertisement {
  /** the DNS-SD instance name used for all three services */
  readonly name: string;
  /** withdraws the services (goodbye packets) and closes the mDNS socket; idempotent */
  stop(): Promise<void>;
}

/** The human-readable instance name: "tincan on my-laptop" (port added when not 4444). */
export function instanceName(serverName: string, port: number): string {
  const host = serverName.replace(/\.local\.?$/i, '');
  return port === 4444 ? `tincan on ${host}` : `tincan on ${host} port ${port}`;
}

/** The TXT record of `_tincan._tcp`. */
export function tincanTxt(o: Pick<AdvertiseOptions, 'serverName' | 'version' | 'wsPath' | 'tlsFingerprint' | 'cluster'>): Record<string, string> {
  const txt: Record<string, string> = { v: o.version, name: o.serverName, ws: o.wsPath ?? '/irc' };
  if (o.tlsFingerprint !== undefined) txt['fp'] = o.tlsFingerprint;
  if (o.cluster !== undefined) {
    txt['cluster'] = o.cluster.name;
    txt['node'] = o.cluster.node;
  }
  return txt;
}

interface EmitterLike {
  on(event: string, fn: (err: Error) => void): unknown;
}

/** Starts advertising. Never throws: on failure the returned handle's stop() is a no-op. */
export function advertise(opts: AdvertiseOptions): Advertisement {
  const log = opts.logger;
  const name = instanceName(opts.serverName, opts.port);
  let warned = false;
  const warn = (err: unknown): void => {
    if (warned) return;
    warned = true;
    const msg = err instanceof Error ? err.message : String(err);
    log.warn(`mDNS advertising unavailable (${msg}); clients must type the address (see the join card)`);
  };

  let bonjour: InstanceType<typeof BonjourPkg.Bonjour>;
  try {
    // these options go to multicast-dns, whatever bonjour-service's type says
    type MdnsOpts = ConstructorParameters<typeof BonjourPkg.Bonjour>[0];
    const mdnsOpts = (opts.interface === undefined ? {} : { interface: opts.interface }) as MdnsOpts;
    bonjour = new BonjourPkg.Bonjour(mdnsOpts, warn);
    // multicast-dns reports socket trouble as 'error' / 'warning' events: an unhandled
    // 'error' would crash the process
    const mdns = (bonjour as unknown as { server?: { mdns?: EmitterLike } }).server?.mdns;
    mdns?.on('error', warn);
    mdns?.on('warning', (err) => log.debug({ err }, 'mDNS warning'));
  } catch (e) {
    warn(e);
    return { name, stop: async () => {} };
  }

  const base = { name, port: opts.port, probe: false, disableIPv6: false };
  try {
    bonjour.publish({ ...base, type: SERVICE_TINCAN, txt: tincanTxt(opts) });
    bonjour.publish({ ...base, type: SERVICE_IRC, txt: { channel: opts.channel } });
    bonjour.publish({ ...base, type: SERVICE_HTTP, txt: { path: '/' } });
    log.info({ name, port: opts.port }, `advertising "${name}" on mDNS (_tincan._tcp, _irc._tcp, _http._tcp)`);
  } catch (e) {
    warn(e);
  }

  let stopping: Promise<void> | null = null;
  return {
    name,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, STOP_TIMEOUT_MS);
        timer.unref();
        const finish = (): void => {
          clearTimeout(timer);
          resolve();
        };
        try {
          bonjour.unpublishAll(() => {
            try {
              bonjour.destroy(finish);
            } catch {
              finish();
            }
          });
        } catch {
          try {
            bonjour.destroy(finish);
          } catch {
            finish();
          }
        }
      });
      return stopping;
    },
  };
}
