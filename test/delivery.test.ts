import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../core/clock.js';
import { deliverMessage } from '../server/delivery/messages.js';
import { deliverEvent } from '../server/delivery/user-events.js';
import { OutboxWorker, RETRY_DELAYS_MS } from '../server/delivery/worker.js';
import { claimDue, listOutbox, outboxEntry } from '../server/store/outbox.js';
import { getUser } from '../server/store/users.js';
import { effectiveOptin } from '../core/verified-optin.js';
import { Receiver } from './support/receiver.js';
import { ADMIN, harness, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';

const T0 = Math.floor(Date.now() / 1000) * 1000;
const json = { ...ADMIN, 'content-type': 'application/json' };

for (const kind of STORE_KINDS) {
  describe(`delivery you can trust (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    let rx: Receiver;
    const clock = manualClock(T0);
    let appId: string;

    before(async () => {
      rx = await new Receiver().start();
      h = await harness(kind, { clock, config: { allowPrivateCallbacks: true, callbackTimeoutMs: 2000 } });
      const res = await h.request('/api/v1/apps', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ name: 'TrustShop', displayName: 'Trust Shop', callbackUrl: rx.url }),
      });
      assert.equal(res.status, 201);
      appId = (await h.deps.apps.byName('TrustShop'))!.id;
    });
    after(async () => {
      await rx.stop();
      await h.close();
    });

    const put = (phone: string, action: 'optin' | 'optout') =>
      h.request(`/api/v1/apps/TrustShop/users/${phone}/${action}`, { method: 'PUT', headers: ADMIN });

    it('Should record every delivery once, with a slow receiver and more items than one round holds', async () => {
      rx.received = [];
      rx.delay = () => 5 + Math.floor(Math.random() * 40);
      const phones = Array.from({ length: 150 }, (_, i) => `1415556${String(1000 + i)}`);
      for (const p of phones) assert.equal((await put(p, 'optin')).status, 200);
      // Many lanes, rounds of 40: outcomes end at random moments while other lanes are busy.
      const worker = new OutboxWorker(
        h.deps,
        { event: deliverEvent, message: deliverMessage },
        { concurrency: 16, batch: 40 },
      );
      await worker.drain();
      rx.delay = () => 0;
      const ids = rx.ids();
      assert.equal(ids.length, phones.length, 'each event sent once');
      assert.equal(new Set(ids).size, ids.length);
      const items = await h.store.read(listOutbox, appId, 'event', { limit: 500 });
      assert.equal(items.length, phones.length);
      for (const it of items) {
        assert.equal(it.status, 'delivered', `${it.id} is recorded as delivered`);
        assert.equal(it.attempts, 1);
        assert.equal((await h.store.read(outboxEntry, it.id))!.attempts.length, 1, `${it.id} has one attempt logged`);
      }
      assert.equal(await worker.drain(), 0, 'nothing is left claimed or due');
    });

    it('Should let a receiver that keeps the highest data.seq end on the stored state after retries', async () => {
      rx.received = [];
      const phones = Array.from({ length: 20 }, (_, i) => `1415557${String(1000 + i)}`);
      // The receiver fails every opted-in event on its first attempt: they are retried after the opt-outs.
      const failedOnce = new Set<string>();
      rx.decide = (body) => {
        const e = JSON.parse(body) as { id: string; type: string };
        if (e.type !== 'opted-in' || failedOnce.has(e.id)) return 'ok';
        failedOnce.add(e.id);
        return 'fail';
      };
      const worker = new OutboxWorker(h.deps, { event: deliverEvent, message: deliverMessage });
      for (const p of phones) assert.equal((await put(p, 'optin')).status, 200);
      await worker.drain();
      for (const p of phones) assert.equal((await put(p, 'optout')).status, 200);
      await worker.drain();
      clock.advance(RETRY_DELAYS_MS[0]! + 1);
      await worker.drain();
      rx.decide = null;

      // The retried opted-in events arrived after the opted-out ones: arrival order is not the answer.
      const last = new Map<string, string>();
      for (const r of rx.received.filter((x) => x.ok)) {
        const e = JSON.parse(r.body) as { type: string; data: { phone: string } };
        last.set(e.data.phone, e.type);
      }
      assert.ok(
        [...last.values()].every((t) => t === 'opted-in'),
        'the last event to arrive for each person is the stale opted-in',
      );

      const state = rx.stateByPhone();
      const app = (await h.deps.apps.byName('TrustShop'))!;
      for (const p of phones) {
        const stored = (await h.store.read(getUser, appId, p))!;
        assert.equal(stored.optin, 'opted_out');
        assert.equal(state.get(p)?.optin, effectiveOptin(stored, app.settings.unverifiedCountsAsOptin), p);
        assert.equal(state.get(p)?.type, 'opted-out');
      }
    });

    it("Should show a crashed worker's event as claimed until the claim runs out, refuse to retry it meanwhile, then deliver it", async () => {
      rx.received = [];
      assert.equal((await put('14155558101', 'optin')).status, 200);
      // A worker claims it and dies before delivering.
      const [held] = await h.store.transact(claimDue, clock.now(), 10, 30_000);
      assert.ok(held);
      const view = async () =>
        (await (await h.request(`/api/v1/apps/TrustShop/events/${held.id}`, { headers: ADMIN })).json()) as Record<
          string,
          unknown
        >;
      const v = await view();
      assert.equal(v.status, 'pending');
      assert.equal(v.state, 'claimed');
      assert.equal(v.claimedUntil, new Date(held.lockedUntil).toISOString());
      assert.equal(v.nextAttemptAt, new Date(held.lockedUntil).toISOString(), 'not "due in the past"');
      const retry = await h.request(`/api/v1/apps/TrustShop/events/${held.id}/retry`, {
        method: 'POST',
        headers: ADMIN,
      });
      assert.equal(retry.status, 409);
      assert.equal((await retry.json()).error.code, 'in_flight');
      clock.advance(30_001);
      assert.equal((await view()).state, 'due');
      await new OutboxWorker(h.deps, { event: deliverEvent, message: deliverMessage }).drain();
      assert.deepEqual(rx.ids(), [held.id]);
      assert.equal((await view()).state, 'delivered');
    });

    it('Should recover everything that failed or waits since a time, after a receiver outage, without waiting out the schedule', async () => {
      rx.received = [];
      rx.mode = 'fail';
      const since = new Date(clock.now()).toISOString();
      const phones = Array.from({ length: 6 }, (_, i) => `1415558${String(2000 + i)}`);
      for (const p of phones) assert.equal((await put(p, 'optin')).status, 200);
      const worker = new OutboxWorker(h.deps, { event: deliverEvent, message: deliverMessage });
      await worker.drain();
      // Each failed once and waits for its second try, 5 s later, then 5 minutes, then 30…
      const list = async () =>
        (await (await h.request('/api/v1/apps/TrustShop/events?limit=6', { headers: ADMIN })).json()).events as {
          id: string;
          state: string;
        }[];
      assert.ok((await list()).every((e) => e.state === 'waiting'));
      rx.mode = 'ok';
      const res = await h.request('/api/v1/apps/TrustShop/events/recover', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ since }),
      });
      assert.equal(res.status, 202);
      assert.deepEqual(await res.json(), { recovered: phones.length });
      await worker.drain();
      assert.ok(
        (await list()).every((e) => e.state === 'delivered'),
        'delivered at once, not in 5 minutes',
      );
      const future = await h.request('/api/v1/apps/TrustShop/events/recover', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ since: '2999-01-01T00:00:00Z' }),
      });
      assert.equal(future.status, 422);
    });

    it('Should put the sequence and the state in the Gupshup format too, and in the events API', async () => {
      const patch = await h.request('/api/v1/apps/TrustShop', {
        method: 'PATCH',
        headers: json,
        body: JSON.stringify({ payloadFormat: 'gupshup' }),
      });
      assert.equal(patch.status, 200);
      rx.received = [];
      await put('14155558001', 'optin');
      await new OutboxWorker(h.deps, { event: deliverEvent, message: deliverMessage }).drain();
      const body = JSON.parse(rx.received[0]!.body) as {
        type: string;
        payload: { phone: string; type: string; seq: number };
      };
      assert.equal(body.type, 'user-event');
      assert.equal(body.payload.type, 'opted-in');
      assert.ok(Number.isInteger(body.payload.seq) && body.payload.seq > 0);
      const list = await (await h.request('/api/v1/apps/TrustShop/events?limit=1', { headers: ADMIN })).json();
      assert.equal(list.events[0].payload.data.seq, body.payload.seq);
      assert.equal(list.events[0].payload.data.optin, 'opted_in');
      await h.request('/api/v1/apps/TrustShop', {
        method: 'PATCH',
        headers: json,
        body: JSON.stringify({ payloadFormat: 'standard' }),
      });
    });
  });
}
