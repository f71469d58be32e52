/**
 * The one way the cluster code connects to Redis (ioredis), bounded: no offline queue
 * (a command while Redis is away fails at once instead of piling up), one retry per
 * command, reconnect backoff capped at 2 s, a 5 s connect timeout. Errors go to
 * `onError` (an ioredis client without an error listener would print them as unhandled).
 */
import { Redis } from 'ioredis';

export function connectRedis(url: string, onError: (err: Error) => void): Redis {
  const r = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    connectTimeout: 5000,
  });
  r.on('error', onError);
  return r;
}
