import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OutboxWorker } from '../server/delivery/worker.js';
import { deliverMessage } from '../server/delivery/messages.js';
import { deliverEvent, gupshupType } from '../server/delivery/user-events.js';
import type { AppRecord } from '../server/store/index.js';
import { consentsFor } from '../server/store/ledger.js';
import { getUser } from '../server/store/users.js';
import { gupshupMessage, gupshupUserEvent } from './fixtures/index.js';
import { count, events, withSecrets } from './hooks-helpers.js';
import { Receiver } from './support/receiver.js';
import { ADMIN, form, harness, manualClock, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';

/**
 * Gupshup's inbound payloads as its docs show them (test/fixtures/gupshup, sources in
 * test/fixtures/sources.json), through the authenticated /hooks route, and the `gupshup` payload
 * format of user-events: only the types Gupshup documents (https://docs.gupshup.io/docs/user-event).
 */
const TOKEN = 'gupshup-callback-token-0456';
const T0 = Date.UTC(2026, 2, 2, 12, 0, 0);

type Result = { handled: number; duplicates: number; ignored: number };

describe('gupshupType', () => {
  const cases: [string, string, string | null][] = [
    ['opted-in', 'opted_in', 'opted-in'],
    ['opted-out', 'opted_out', 'opted-out'],
    ['sandbox-start', 'none', 'sandbox-start'],
    ['verified', 'opted_in', 'opted-in'],
    ['number-changed', 'opted_out', 'opted-out'],
    ['marketing-stopped', 'opted_in', 'opted-in'],
    ['something-new', 'none', null],
  ];
  for (const [type, optin, want] of cases)
    it(`Should send ${type} (status ${optin}) as ${want ?? 'nothing'}`, () =>
      assert.equal(gupshupType({ type, data: { optin } }), want));
});

for (const kind of STORE_KINDS) {
  describe(`Gupshup hooks and payload format (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    let rx: Receiver;
    let shop: AppRecord;
    let worker: OutboxWorker;
    const clock = manualClock(T0);
    let n = 0;
    before(async () => {
      rx = await new Receiver().start();
      h = await harness(kind, { clock, config: { allowPrivateCallbacks: true, callbackTimeoutMs: 1000 } });
      const made = await h.makeApp({
        name: 'GupShop',
        phone: '+14155550100',
        live: true,
        settings: { callbackUrl: rx.url },
      });
      shop = await withSecrets(h, made.app, { gupshupToken: TOKEN });
      worker = new OutboxWorker(h.deps, { event: deliverEvent, message: deliverMessage });
    });
    after(async () => {
      await rx.stop();
      await h.close();
    });

    const post = async (body: string) => {
      const res = await h.request('/hooks/GupShop/whatsapp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body,
      });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as Result;
    };
    const say = (from: string, text: string) =>
      post(gupshupMessage({ id: `gs-${kind}-${++n}`, from, text, at: clock.now() }));
    const user = (phone: string) => h.store.read(getUser, shop.id, phone);
    const setFormat = (payloadFormat: 'gupshup' | 'standard') =>
      h.request('/api/v1/apps/GupShop', {
        method: 'PATCH',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ payloadFormat }),
      });
    const deliveredTo = async (phone: string) => {
      rx.received = [];
      await worker.drain();
      return rx.received
        .map((r) => JSON.parse(r.body) as Record<string, unknown>)
        .filter((b) => JSON.stringify(b).includes(phone));
    };

    it('Should opt out a person Gupshup reports opted out, with evidence naming Gupshup, once', async () => {
      await say('14155550301', 'START');
      assert.equal((await user('14155550301'))?.optin, 'opted_in');
      const out = await post(gupshupUserEvent('opted-out', '14155550301'));
      assert.deepEqual([out.handled, out.duplicates], [1, 0]);
      const u = await user('14155550301');
      assert.equal(u?.optin, 'opted_out');
      const recs = await h.store.read(consentsFor, shop.id, '14155550301');
      const last = recs.at(-1)!;
      assert.deepEqual([last.action, last.via, last.actor], ['opt_out', 'first_message', 'gupshup']);
      assert.deepEqual(
        (await events(h, shop.id)).filter((e) => e.phone === '14155550301').map((e) => e.type),
        ['opted-in', 'opted-out'],
      );
      // Gupshup delivers the same event again: nothing changes twice.
      const again = await post(gupshupUserEvent('opted-out', '14155550301'));
      assert.deepEqual([again.handled, again.duplicates], [0, 1]);
      assert.equal((await h.store.read(consentsFor, shop.id, '14155550301')).length, recs.length);
      // A user-event is not the person writing: no activity.
      assert.equal(u?.lastInboundAt, (await user('14155550301'))?.lastInboundAt);
    });

    it('Should opt out someone never seen, and take a timestamp sent as a string or none at all', async () => {
      const a = await post(gupshupUserEvent('opted-out', '14155550302', '1584541505999'));
      assert.equal(a.handled, 1);
      assert.equal((await user('14155550302'))?.optin, 'opted_out');
      const b = await post(gupshupUserEvent('opted-out', '+14155550303', null));
      assert.equal(b.handled, 1);
      assert.equal((await user('14155550303'))?.optin, 'opted_out');
    });

    it('Should take a Gupshup message whose timestamp is a string', async () => {
      const body = JSON.parse(
        gupshupMessage({ id: `gs-${kind}-${++n}`, from: '14155550304', text: 'hello', at: clock.now() }),
      ) as {
        timestamp: number | string;
      };
      body.timestamp = String(clock.now() - 60_000);
      const out = await post(JSON.stringify(body));
      assert.equal(out.handled, 1);
      assert.equal((await user('14155550304'))?.lastInboundAt, clock.now() - 60_000);
    });

    it('Should record nothing for opted-in and sandbox-start user-events (no evidence of what was agreed)', async () => {
      const before = await count(h, 'consents', shop.id);
      for (const type of ['opted-in', 'sandbox-start'] as const) {
        const out = await post(gupshupUserEvent(type, '14155550305'));
        assert.deepEqual([out.handled, out.ignored], [0, 1], type);
      }
      assert.equal(await count(h, 'consents', shop.id), before);
      assert.equal(await user('14155550305'), null);
    });

    it('Should refuse a user-event without the app’s token', async () => {
      const res = await h.request('/hooks/GupShop/whatsapp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer wrong-token' },
        body: gupshupUserEvent('opted-out', '14155550306'),
      });
      assert.equal(res.status, 403);
      assert.equal(await user('14155550306'), null);
    });

    it('Should send only Gupshup’s documented types in the gupshup format: verified goes as opted-in', async () => {
      await worker.drain();
      assert.equal((await setFormat('gupshup')).status, 200);
      const page = await h.request('/o/GupShop', form({ consent: 'yes', phone: '+14155550307', via: 'qr' }));
      assert.equal(page.status, 303);
      const ref = /\(ref ([A-Z2-9]{6})\)/.exec(decodeURIComponent(page.headers.get('location')!))![1]!;
      await say('14155550307', `Hi! (ref ${ref})`);
      await post(gupshupUserEvent('opted-out', '14155550307', clock.now()));
      const types = (await events(h, shop.id)).filter((e) => e.phone === '14155550307').map((e) => e.type);
      assert.deepEqual(types, ['opted-in', 'verified', 'opted-out']);
      const sent = await deliveredTo('14155550307');
      assert.deepEqual(
        sent.map((b) => [b.type, (b.payload as { type: string }).type]),
        [
          ['user-event', 'opted-in'],
          ['user-event', 'opted-in'],
          ['user-event', 'opted-out'],
        ],
      );
      for (const b of sent)
        assert.ok(['opted-in', 'opted-out', 'sandbox-start'].includes((b.payload as { type: string }).type));
      // The standard format still says verified.
      assert.equal((await setFormat('standard')).status, 200);
      const page2 = await h.request('/o/GupShop', form({ consent: 'yes', phone: '+14155550308', via: 'qr' }));
      const ref2 = /\(ref ([A-Z2-9]{6})\)/.exec(decodeURIComponent(page2.headers.get('location')!))![1]!;
      await say('14155550308', `Hi! (ref ${ref2})`);
      assert.deepEqual(
        (await deliveredTo('14155550308')).map((b) => b.type),
        ['opted-in', 'verified'],
      );
    });
  });
}
