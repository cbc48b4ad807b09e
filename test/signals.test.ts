import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../core/clock.js';
import { createApp as createAppRecord, updateApp } from '../server/services/apps.js';
import { AppCache, type Store } from '../server/store/index.js';
import { enqueueMessage } from '../server/store/outbox.js';
import type { Signal } from '../server/store/driver.js';
import { freshStore, skipUnless, type TestStore } from './support/stores.js';

async function until(ok: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return ok();
}

// Two stores on one PostgreSQL schema are two server processes: what one commits, the other hears at
// once through LISTEN/NOTIFY, not when a cache expires or a poll comes round.
describe('signals between processes on one PostgreSQL', { skip: await skipUnless('postgres') }, () => {
  let ts: TestStore;
  let a: Store;
  let b: Store;
  const heardByA: Signal[] = [];
  before(async () => {
    ts = await freshStore('postgres');
    a = ts.reopen();
    b = ts.reopen();
    a.subscribe((s) => heardByA.push(...s));
    // Until A's listening connection is up, a notification could be missed: wait for one to arrive.
    const { app } = await createAppRecord(b, { name: 'Warmup', displayName: 'W' }, Date.now());
    assert.ok(
      await until(async () => {
        await updateApp(b, app, { displayName: `W${Date.now()}` }, Date.now());
        return heardByA.some((s) => s.kind === 'app' && s.id === app.id);
      }, 10_000),
      'A hears B',
    );
  });
  after(() => ts.cleanup());

  it("Should drop another process's changed app from the cache at once, with an hour-long cache", async () => {
    const { app } = await createAppRecord(b, { name: 'SignalShop', displayName: 'Before' }, Date.now());
    const cache = new AppCache(a, systemClock, 3_600_000);
    assert.equal((await cache.byName('SignalShop'))?.displayName, 'Before');
    await updateApp(b, app, { displayName: 'After' }, Date.now());
    assert.ok(
      await until(async () => (await cache.byName('SignalShop'))?.displayName === 'After', 3000),
      'the change shows within 3 s',
    );
  });

  it("Should tell another process's worker that something is due", async () => {
    const { app } = await createAppRecord(b, { name: 'SignalOutbox', displayName: 'O' }, Date.now());
    heardByA.length = 0;
    await b.transact(
      enqueueMessage,
      app.id,
      'msg_signal_1',
      'help',
      { channel: 'whatsapp', to: '14155550999', text: 'hi' },
      Date.now(),
    );
    assert.ok(await until(() => heardByA.some((s) => s.kind === 'outbox'), 3000));
  });

  it('Should not hear a transaction that rolled back', async () => {
    heardByA.length = 0;
    await assert.rejects(
      b.transact(function* () {
        yield* enqueueMessage(
          'no-such-app',
          'msg_signal_2',
          'help',
          { channel: 'whatsapp', to: '14155550998', text: 'x' },
          Date.now(),
        );
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(heardByA, []);
  });
});
