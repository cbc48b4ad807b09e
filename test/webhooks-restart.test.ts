import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock } from '../core/clock.js';
import { createApp } from '../server/app.js';
import { loadAssets } from '../server/assets.js';
import { OutboxWorker, RETRY_DELAYS_MS } from '../server/delivery/worker.js';
import { deliverMessage } from '../server/delivery/messages.js';
import { updateApp } from '../server/services/apps.js';
import { listOutbox } from '../server/store/outbox.js';
import { deliverEvent } from '../server/delivery/user-events.js';
import { Receiver } from './support/receiver.js';
import { form, harness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';

for (const kind of STORE_KINDS) {
  describe(
    `user-events survive a receiver outage and a server restart (${kind})`,
    { skip: await skipUnless(kind) },
    () => {
      it('Should deliver every event at least once, duplicates with the same webhook-id', async () => {
        const clock = manualClock(Date.now());
        const rx = await new Receiver().start();
        const h = await harness(kind, { clock, config: { allowPrivateCallbacks: true, callbackTimeoutMs: 500 } });
        try {
          const { app } = await h.makeApp({ name: 'Outage', phone: '+14155550123', live: true });
          await updateApp(h.store, app, { settings: { callbackUrl: rx.url } }, clock.now());
          const worker1 = new OutboxWorker(h.deps, { event: deliverEvent, message: deliverMessage });

          // The receiver takes the first requests but answers 500: those will come again.
          rx.mode = 'fail';
          for (let i = 0; i < 5; i++)
            await h.request('/o/Outage', form({ consent: 'yes', phone: `+141555506${String(i).padStart(2, '0')}` }));
          assert.equal(await worker1.drain(), 5);
          // Then it is down altogether.
          await rx.stop();
          for (let i = 5; i < 10; i++)
            await h.request('/o/Outage', form({ consent: 'yes', phone: `+141555506${String(i).padStart(2, '0')}` }));
          clock.advance(RETRY_DELAYS_MS[0]!);
          assert.equal(await worker1.drain(), 10);

          // The server restarts: a new app, store connection and worker on the same data.
          const store2 = h.ts.reopen();
          const { deps } = createApp({ store: store2, config: h.config, assets: await loadAssets(), clock });
          const worker2 = new OutboxWorker(deps, { event: deliverEvent, message: deliverMessage });

          // The receiver comes back on the same port, healthy.
          rx.mode = 'ok';
          await rx.start();
          clock.advance(RETRY_DELAYS_MS[1]!);
          assert.equal(await worker2.drain(), 10);

          const delivered = rx.received.filter((r) => r.headers['webhook-id']);
          const ids = new Set(delivered.map((r) => String(r.headers['webhook-id'])));
          assert.equal(ids.size, 10, 'every event arrived');
          const byId = new Map<string, string[]>();
          for (const r of delivered)
            byId.set(String(r.headers['webhook-id']), [...(byId.get(String(r.headers['webhook-id'])) ?? []), r.body]);
          const dupes = [...byId.values()].filter((b) => b.length > 1);
          assert.equal(dupes.length, 5, 'the five answered 500 came twice');
          for (const bodies of dupes) assert.equal(new Set(bodies).size, 1, 'a duplicate carries the same body and id');
          const phones = new Set(delivered.map((r) => JSON.parse(r.body).data.phone));
          assert.equal(phones.size, 10);
          const pending = { items: await store2.read(listOutbox, app.id, 'event', { limit: 100, status: 'pending' }) };
          assert.deepEqual(pending.items, []);
        } finally {
          await rx.stop();
          await h.close();
        }
      });
    },
  );
}
