import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { redisSkipReason, testRedisUrl } from '../scripts/preflight.js';
import { createApp } from '../server/app.js';
import { loadAssets } from '../server/assets.js';
import { testConfig, type Config } from '../server/config.js';
import { RedisWindows, type LimitBackend } from '../server/rate-limit.js';
import { createApp as createAppRecord } from '../server/services/apps.js';
import type { Store } from '../server/store/index.js';
import { form } from './support/server.js';
import { freshStore, skipUnless, type TestStore } from './support/stores.js';

/**
 * Two app instances are two server processes behind a load balancer. With a shared backend the limit
 * holds for the pair: 3 consents a minute from one address means 3 in all, not 3 per server.
 */
async function twoServers(
  stores: [Store, Store],
  o: { rateLimits?: [LimitBackend, LimitBackend]; config?: Partial<Config> } = {},
) {
  const config = testConfig({ publicUrl: 'http://optin.test', consentRateLimit: 3, trustProxy: true, ...o.config });
  const assets = await loadAssets();
  return stores.map((store, i) => createApp({ store, config, assets, rateLimits: o.rateLimits?.[i] }).app);
}

/** Four consents from one (fresh) address, alternating between the servers. */
async function fourFromOneAddress(servers: ReturnType<typeof createApp>['app'][]): Promise<number[]> {
  const ip = `203.0.113.${1 + (randomBytes(1)[0]! % 250)}`;
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await servers[i % 2]!.request(
      'http://optin.test/o/LimitShop',
      form(
        { consent: 'yes', phone: `+1415555${String(4100 + i)}` },
        { 'x-forwarded-for': `${ip}, 10.0.0.1`.split(', ')[0]! },
      ),
    );
    out.push(res.status);
  }
  return out;
}

describe('rate limits shared by several servers on PostgreSQL', { skip: await skipUnless('postgres') }, () => {
  let ts: TestStore;
  before(async () => {
    ts = await freshStore('postgres');
    await createAppRecord(ts.store, { name: 'LimitShop', displayName: 'Limit Shop' }, Date.now());
  });
  after(() => ts.cleanup());

  it('Should hold the limit across the servers, in PostgreSQL', async () => {
    const servers = await twoServers([ts.store, ts.reopen()]);
    assert.deepEqual(await fourFromOneAddress(servers), [303, 303, 303, 429]);
  });
});

describe('rate limits shared through Redis', { skip: await redisSkipReason() }, () => {
  let ts: TestStore;
  const backends: RedisWindows[] = [];
  before(async () => {
    ts = await freshStore('sqlite');
    await createAppRecord(ts.store, { name: 'LimitShop', displayName: 'Limit Shop' }, Date.now());
  });
  after(async () => {
    for (const b of backends) await b.close();
    await ts.cleanup();
  });

  it('Should hold the limit across the servers, in Redis', async () => {
    backends.push(new RedisWindows(testRedisUrl()), new RedisWindows(testRedisUrl()));
    const servers = await twoServers([ts.store, ts.store], { rateLimits: [backends[0]!, backends[1]!] });
    assert.deepEqual(await fourFromOneAddress(servers), [303, 303, 303, 429]);
  });

  it('Should not refuse consents when Redis does not answer (the limit is not enforced, and logged)', async () => {
    const down = new RedisWindows('redis://127.0.0.1:1');
    backends.push(down);
    const servers = await twoServers([ts.store, ts.store], { rateLimits: [down, down] });
    assert.deepEqual(await fourFromOneAddress(servers), [303, 303, 303, 303]);
  });
});

describe('rate limits in one process (SQLite, no Redis)', () => {
  it('Should count in memory, each process on its own (why several servers need a shared backend)', async () => {
    const ts = await freshStore('sqlite');
    try {
      await createAppRecord(ts.store, { name: 'LimitShop', displayName: 'Limit Shop' }, Date.now());
      const servers = await twoServers([ts.store, ts.store]);
      assert.deepEqual(await fourFromOneAddress(servers), [303, 303, 303, 303]);
      const one = await twoServers([ts.store, ts.store]);
      const solo = [one[0]!, one[0]!];
      assert.deepEqual(await fourFromOneAddress(solo), [303, 303, 303, 429]);
    } finally {
      await ts.cleanup();
    }
  });
});
