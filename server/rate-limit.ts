import { isIP } from 'node:net';
import { createClient, type RedisClientType } from 'redis';
import { log } from './log.js';
import { hitWindow } from './store/rate-limits.js';
import type { Store } from './store/store.js';

/**
 * Where rate-limit counts live. In memory (one process: the embedded SQLite default), or shared by
 * every server: in PostgreSQL when it is the store, or in Redis when `REDIS_URL` is set.
 */
export interface LimitBackend {
  readonly kind: 'memory' | 'postgres' | 'redis';
  /** Counts one hit of `key` and returns 0 when allowed, else the seconds to wait. */
  take(key: string, perMinute: number, now: number): number | Promise<number>;
  /** Whether `key` is seen for the first time (it is then remembered until `until`): single use. */
  once(key: string, until: number, now: number): boolean | Promise<boolean>;
  close?(): Promise<void>;
}

/**
 * One process's token buckets: `perMinute` hits, refilled smoothly. With several servers each would
 * keep its own, so the effective limit would be the limit times the servers: use a shared backend.
 */
export class MemoryBuckets implements LimitBackend {
  readonly kind = 'memory' as const;
  private buckets = new Map<string, { tokens: number; at: number }>();
  private swept = 0;
  private used = new Map<string, number>();

  once(key: string, until: number, now: number): boolean {
    if ((this.used.get(key) ?? 0) > now) return false;
    if (this.used.size > 100_000) for (const [k, u] of this.used) if (u <= now) this.used.delete(k);
    this.used.set(key, until);
    return true;
  }

  take(key: string, perMinute: number, t: number): number {
    const rate = perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: perMinute, at: t };
    b.tokens = Math.min(perMinute, b.tokens + (t - b.at) * rate);
    b.at = t;
    if (this.buckets.size > 50_000 && t - this.swept > 60_000) this.sweep(t, rate, perMinute);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.buckets.set(key, b);
      return 0;
    }
    this.buckets.set(key, b);
    return Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000));
  }

  private sweep(t: number, rate: number, perMinute: number): void {
    this.swept = t;
    for (const [k, b] of this.buckets) if (b.tokens + (t - b.at) * rate >= perMinute) this.buckets.delete(k);
  }
}

/** Seconds left in the one-minute window of `now`: how long a refused client waits. */
const windowLeft = (now: number) => Math.max(1, Math.ceil((60_000 - (now % 60_000)) / 1000));

/**
 * Counts per one-minute window in PostgreSQL (an UNLOGGED table: counts are not evidence and need no
 * write-ahead log), shared by every server on the database. One statement per hit.
 */
export class StoreWindows implements LimitBackend {
  readonly kind = 'postgres' as const;
  constructor(private readonly store: Store) {}

  async take(key: string, perMinute: number, now: number): Promise<number> {
    const n = await this.store.transact(hitWindow, key, Math.floor(now / 60_000), now);
    return n <= perMinute ? 0 : windowLeft(now);
  }

  /** A row whose window is the minute after `until`: kept (and counted) until then, swept after. */
  async once(key: string, until: number, now: number): Promise<boolean> {
    return (await this.store.transact(hitWindow, `once:${key}`, Math.ceil(until / 60_000) + 1, now)) === 1;
  }
}

/**
 * Counts per one-minute window in Redis (`INCR` and `PEXPIRE`), shared by every server that names the
 * same Redis. If Redis does not answer, limits are not enforced (logged once): a consent must not fail
 * because a counter did.
 */
export class RedisWindows implements LimitBackend {
  readonly kind = 'redis' as const;
  private client: RedisClientType;
  private connected: Promise<unknown>;

  constructor(url: string) {
    this.client = createClient({
      url,
      // A command while Redis is away fails at once instead of waiting in a queue: see take().
      disableOfflineQueue: true,
      socket: { connectTimeout: 2000, reconnectStrategy: (n) => Math.min(n * 200, 5000) },
    });
    this.client.on('error', (e: unknown) =>
      log.error('rate limits: Redis is not answering; limits are not enforced', e),
    );
    this.connected = this.client.connect().catch(() => undefined);
  }

  async take(key: string, perMinute: number, now: number): Promise<number> {
    const win = Math.floor(now / 60_000);
    const k = `optin-kit:rl:${key}:${win}`;
    try {
      if (!this.client.isReady) await Promise.race([this.connected, new Promise((r) => setTimeout(r, 200))]);
      if (!this.client.isReady) throw new Error('Redis is not connected');
      const [n] = (await this.client.multi().incr(k).pExpire(k, 120_000).exec()) as unknown as [number, unknown];
      return Number(n) <= perMinute ? 0 : windowLeft(now);
    } catch (e) {
      log.error('rate limits: Redis is not answering; limits are not enforced', e);
      return 0;
    }
  }

  /** `SET NX PX`: only the first caller sets it. If Redis does not answer, single use is not enforced. */
  async once(key: string, until: number, now: number): Promise<boolean> {
    try {
      if (!this.client.isReady) await Promise.race([this.connected, new Promise((r) => setTimeout(r, 200))]);
      if (!this.client.isReady) throw new Error('Redis is not connected');
      const r = await this.client.set(`optin-kit:once:${key}`, '1', {
        condition: 'NX',
        expiration: { type: 'PX', value: Math.max(1, until - now) },
      });
      return r === 'OK';
    } catch (e) {
      log.error('rate limits: Redis is not answering; limits are not enforced', e);
      return true;
    }
  }

  async close(): Promise<void> {
    if (this.client.isReady) await this.client.close().catch(() => {});
    else this.client.destroy();
  }
}

/** The backend for this deployment: Redis when configured, PostgreSQL when it is the store, else memory. */
export function limitBackend(o: { redisUrl: string | null; store: Store }): LimitBackend {
  if (o.redisUrl) return new RedisWindows(o.redisUrl);
  if (o.store.kind === 'postgres') return new StoreWindows(o.store);
  return new MemoryBuckets();
}

/**
 * A named limit: `perMinute` hits per key (a client IP, an app...), counted in the backend. A limit of
 * 0 allows everything.
 *
 * @example
 * const consents = new RateLimiter(20, () => clock.now(), backend, 'consent');
 * const wait = await consents.take(ip); // 0, or seconds to wait (Retry-After)
 */
export class RateLimiter {
  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
    private readonly backend: LimitBackend = new MemoryBuckets(),
    private readonly name = 'limit',
  ) {}

  take(key: string): number | Promise<number> {
    if (this.perMinute <= 0) return 0;
    return this.backend.take(`${this.name}:${key}`, this.perMinute, this.now());
  }
}

/**
 * The key a client address is limited under: an IPv4 address as it is, an IPv6 address by its /64
 * (one subscriber's network: RFC 6177 assigns at least a /64 to a site, so a single client can pick
 * any of 2^64 addresses in it), an IPv4-mapped IPv6 address as its IPv4.
 *
 * @example
 * ipBucket('2001:db8:1:2:aaaa::1') // '2001:db8:1:2::/64'
 * ipBucket('::ffff:203.0.113.9') // '203.0.113.9'
 */
export function ipBucket(ip: string): string {
  const bare = ip.split('%')[0]!;
  const kind = isIP(bare);
  if (kind === 4) return bare;
  if (kind !== 6) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return mapped[1]!;
  const [head, tail] = bare.split('::') as [string, string | undefined];
  // An embedded IPv4 (`64:ff9b::192.0.2.1`) fills the last two groups.
  const groupsOf = (part: string) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const h = groupsOf(head);
  const t = tail === undefined ? [] : groupsOf(tail);
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Failed authentication per client address (IPv6 by /64): `perMinute` failures are answered as
 * usual, then the address is refused with 429 for the rest of the window, before its credentials are
 * even looked at. Another address is not affected. The count lives in the shared backend; the
 * refusal is remembered in this process, so a blocked address costs no lookup at all.
 *
 * @example
 * const gate = new FailureGate(10, () => clock.now(), backend, 'auth');
 * const wait = gate.blocked(ip); // seconds to wait, or 0
 * if (!ok) await gate.fail(ip);   // seconds to wait once over the limit, else 0
 */
export class FailureGate {
  private readonly failures: RateLimiter;
  private readonly until = new Map<string, number>();

  constructor(
    perMinute: number,
    private readonly now: () => number,
    backend: LimitBackend,
    name: string,
  ) {
    this.failures = new RateLimiter(perMinute, now, backend, name);
  }

  /** Seconds this address must still wait, or 0. */
  blocked(ip: string | null): number {
    const key = ipBucket(ip ?? 'unknown');
    const until = this.until.get(key) ?? 0;
    const t = this.now();
    if (until <= t) {
      if (until) this.until.delete(key);
      return 0;
    }
    return Math.ceil((until - t) / 1000);
  }

  /** Counts a failure; returns the seconds to wait when it was one too many, else 0. */
  async fail(ip: string | null): Promise<number> {
    const key = ipBucket(ip ?? 'unknown');
    const wait = await this.failures.take(key);
    if (wait > 0) {
      if (this.until.size > 10_000) this.until.clear();
      this.until.set(key, this.now() + wait * 1000);
    }
    return wait;
  }
}
