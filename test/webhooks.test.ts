import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { manualClock } from '../core/clock.js';
import { OutboxWorker, RETRY_DELAYS_MS } from '../server/delivery/worker.js';
import { isPublicAddress, safePost } from '../server/delivery/safe-http.js';
import { deliverMessage } from '../server/delivery/messages.js';
import { updateApp } from '../server/services/apps.js';
import { deliverEvent } from '../server/delivery/user-events.js';
import { Receiver } from './support/receiver.js';
import { ADMIN, form, harness, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';
import { appByName } from '../server/store/apps.js';

const T0 = Math.floor(Date.now() / 1000) * 1000;

/**
 * Checks a delivered request's signatures with the reference implementation. `verify` also checks
 * the timestamp against the real clock, so where the test's clock has moved on, each signature is
 * compared with the library's own `sign` for the same id, timestamp and body.
 */
function verifySigned(secret: string, req: { headers: Record<string, unknown>; body: string }): void {
  const id = String(req.headers['webhook-id']);
  const ts = Number(req.headers['webhook-timestamp']);
  const sigs = String(req.headers['webhook-signature']).split(' ');
  const want = new Webhook(secret).sign(id, new Date(ts * 1000), req.body);
  assert.ok(sigs.includes(want), `no signature by this secret among ${sigs.length}`);
}

describe('public addresses', () => {
  const cases: [string, boolean][] = [
    ['8.8.8.8', true],
    ['93.184.216.34', true],
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['172.32.0.1', true],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['224.0.0.1', false],
    ['::1', false],
    ['::', false],
    ['fc00::1', false],
    ['fe80::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:8.8.8.8', true],
    ['2606:4700::1111', true],
    ['not-an-ip', false],
    // The same private addresses in IPv6 spellings that embed IPv4.
    ['::ffff:7f00:1', false],
    ['::ffff:a9fe:a9fe', false],
    ['::7f00:1', false],
    ['64:ff9b::7f00:1', false],
    ['2002:7f00:1::', false],
    ['2001::1', false],
    ['[::1]', false],
  ];
  for (const [ip, ok] of cases)
    it(`Should count ${ip} as ${ok ? 'public' : 'not public'}`, () => assert.equal(isPublicAddress(ip), ok));

  it('Should refuse loopback, private names and odd schemes unless allowed', async () => {
    const base = { method: 'POST' as const, headers: {}, body: '{}', timeoutMs: 2000, allowPrivate: false };
    for (const url of [
      'http://127.0.0.1:9/x',
      'http://localhost:9/x',
      'http://[::1]:9/x',
      'http://[::ffff:127.0.0.1]:9/x',
      'http://[::ffff:7f00:1]:9/x',
      'http://[::ffff:169.254.169.254]/latest',
      'http://169.254.169.254/latest',
      'http://2130706433/x',
      'http://0x7f.1/x',
      'ftp://example.com/x',
      'file:///etc/passwd',
      'http://user:pw@example.com/',
    ]) {
      const r = await safePost({ ...base, url });
      assert.equal(r.ok, false, url);
      if (!r.ok) assert.match(r.error, /^refused|EPRIVATE|non-public/, url);
    }
  });
});

for (const kind of STORE_KINDS) {
  describe(`user-events to the callback URL (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    let rx: Receiver;
    let worker: OutboxWorker;
    const clock = manualClock(T0);
    let secret: string;
    let appId: string;

    before(async () => {
      rx = await new Receiver().start();
      h = await harness(kind, { clock, config: { allowPrivateCallbacks: true, callbackTimeoutMs: 500 } });
      const created = await (
        await h.request('/api/v1/apps', {
          method: 'POST',
          headers: { ...ADMIN, 'content-type': 'application/json' },
          body: JSON.stringify({
            name: 'HookShop',
            displayName: 'Hook Shop',
            phone: '+14155550123',
            live: true,
            callbackUrl: rx.url,
          }),
        })
      ).json();
      secret = created.webhookSecret;
      appId = (await h.store.read(appByName, 'HookShop'))!.id;
      worker = new OutboxWorker(h.deps, { event: deliverEvent, message: deliverMessage });
    });
    after(async () => {
      await rx.stop();
      await h.close();
    });
    afterEach(() => {
      rx.mode = 'ok';
      rx.received = [];
    });

    const optin = (phone: string, c = 'spring') =>
      h.request('/o/HookShop', form({ consent: 'yes', phone, via: 'qr', c }));

    it('Should sign each event by Standard Webhooks, as the reference library verifies', async () => {
      assert.equal((await optin('+14155550401')).status, 303);
      assert.equal(await worker.drain(), 1);
      assert.equal(rx.received.length, 1);
      const [req] = rx.received;
      const headers = {
        'webhook-id': String(req!.headers['webhook-id']),
        'webhook-timestamp': String(req!.headers['webhook-timestamp']),
        'webhook-signature': String(req!.headers['webhook-signature']),
      };
      // The library checks the timestamp against the real clock; ours is injected.
      const wh = new Webhook(secret);
      const body = wh.verify(req!.body, { ...headers, 'webhook-timestamp': headers['webhook-timestamp'] }) as Record<
        string,
        unknown
      >;
      assert.equal(body.type, 'opted-in');
      assert.equal(body.app, 'HookShop');
      assert.deepEqual(Object.keys(body).sort(), ['app', 'data', 'id', 'timestamp', 'type']);
      assert.equal((body.data as { phone: string }).phone, '14155550401');
      assert.equal((body.data as { via: string }).via, 'qr');
      assert.equal((body.data as { campaign: string }).campaign, 'spring');
      assert.match((body.data as { ref: string }).ref, /^[A-Z2-9]{6}$/);
      assert.equal(body.id, headers['webhook-id']);
      assert.equal(req!.headers['content-type'], 'application/json');
      assert.throws(() => new Webhook(secret).verify(req!.body.replace('opted-in', 'opted-out'), headers));
    });

    it('Should write no event for a change that changes nothing, and one for each that does', async () => {
      await optin('+14155550402');
      await optin('+14155550402');
      await h.request('/api/v1/apps/HookShop/users/14155550402/optout', { method: 'PUT', headers: ADMIN });
      await h.request('/api/v1/apps/HookShop/users/14155550402/optout', { method: 'PUT', headers: ADMIN });
      await worker.drain();
      assert.deepEqual(
        rx.received.map((r) => JSON.parse(r.body).type),
        ['opted-in', 'opted-out'],
      );
    });

    it("Should retry on the contract's schedule with the same webhook-id, then mark the event failed, and replay it", async () => {
      rx.mode = 'fail';
      await optin('+14155550403');
      assert.equal(await worker.drain(), 1);
      const events = await (await h.request('/api/v1/apps/HookShop/events?status=pending', { headers: ADMIN })).json();
      const id = events.events[0].id as string;
      for (const delay of RETRY_DELAYS_MS) {
        assert.equal(await worker.drain(), 0, 'nothing is due before the delay');
        clock.advance(delay - 1);
        assert.equal(await worker.drain(), 0, 'nothing is due a millisecond early');
        clock.advance(1);
        assert.equal(await worker.drain(), 1);
      }
      const detail = await (await h.request(`/api/v1/apps/HookShop/events/${id}`, { headers: ADMIN })).json();
      assert.equal(detail.status, 'failed');
      assert.equal(detail.deliveries.length, 10);
      assert.ok(detail.deliveries.every((d: { status: number }) => d.status === 500));
      assert.equal(new Set(rx.ids()).size, 1);
      assert.equal(rx.ids()[0], id);
      clock.advance(365 * 86_400_000);
      assert.equal(await worker.drain(), 0, 'a failed event stays failed');

      rx.mode = 'ok';
      const replay = await h.request(`/api/v1/apps/HookShop/events/${id}/replay`, { method: 'POST', headers: ADMIN });
      assert.equal(replay.status, 202);
      // Again while it waits: it is simply due now (one event, not two).
      const again = await h.request(`/api/v1/apps/HookShop/events/${id}/replay`, { method: 'POST', headers: ADMIN });
      assert.equal(again.status, 202);
      assert.equal((await again.json()).state, 'due');
      assert.equal(await worker.drain(), 1);
      assert.equal(rx.ids().at(-1), id);
      assert.equal(
        (await (await h.request(`/api/v1/apps/HookShop/events/${id}`, { headers: ADMIN })).json()).status,
        'delivered',
      );
    });

    it('Should count only a 2xx: a redirect is not followed and counts as a failure', async () => {
      rx.mode = 'redirect';
      await optin('+14155550404');
      await worker.drain();
      const [e] = (await (await h.request('/api/v1/apps/HookShop/events?status=pending', { headers: ADMIN })).json())
        .events;
      assert.match(e.lastError, /HTTP 302 \(redirects are not followed\)/);
      assert.equal(rx.received.length, 1);
      rx.mode = 'ok';
      clock.advance(RETRY_DELAYS_MS[0]!);
      await worker.drain();
    });

    it('Should give up on an attempt that hangs past the time-out, and retry it', async () => {
      rx.mode = 'hang';
      await optin('+14155550405');
      await worker.drain();
      const [e] = (await (await h.request('/api/v1/apps/HookShop/events?status=pending', { headers: ADMIN })).json())
        .events;
      assert.match(e.lastError, /timed out/);
      rx.mode = 'ok';
      clock.advance(RETRY_DELAYS_MS[0]!);
      await worker.drain();
      assert.equal(rx.received.length, 1);
    });

    it('Should send both signatures during a secret rotation', async () => {
      const rotated = await (
        await h.request('/api/v1/apps/HookShop/webhook-secret/rotate', { method: 'POST', headers: ADMIN })
      ).json();
      await optin('+14155550406');
      await worker.drain();
      const req = rx.received[0]!;
      const headers = {
        'webhook-id': String(req.headers['webhook-id']),
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
        'webhook-signature': String(req.headers['webhook-signature']),
      };
      assert.equal(headers['webhook-signature'].split(' ').length, 2);
      assert.equal(headers['webhook-id'].length > 0, true);
      verifySigned(rotated.webhookSecret, req);
      verifySigned(secret, req);
      // After the grace period only the new secret signs.
      clock.advance(24 * 3600_000 + 1);
      rx.received = [];
      await optin('+14155550407');
      await worker.drain();
      const later = rx.received[0]!;
      assert.equal(String(later.headers['webhook-signature']).split(' ').length, 1);
      verifySigned(rotated.webhookSecret, later);
      assert.throws(() => verifySigned(secret, later));
      secret = rotated.webhookSecret;
    });

    it("Should send Gupshup's shape when the app asks for it", async () => {
      await h.request('/api/v1/apps/HookShop', {
        method: 'PATCH',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ payloadFormat: 'gupshup' }),
      });
      await optin('+14155550408');
      await worker.drain();
      const body = JSON.parse(rx.received[0]!.body);
      assert.deepEqual(body, {
        app: 'HookShop',
        timestamp: clock.now(),
        version: 2,
        type: 'user-event',
        payload: { phone: '14155550408', type: 'opted-in', seq: body.payload.seq },
      });
      assert.ok(Number.isInteger(body.payload.seq) && body.payload.seq > 0, 'the per-person sequence rides along');
      await h.request('/api/v1/apps/HookShop', {
        method: 'PATCH',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ payloadFormat: 'standard' }),
      });
    });

    it('Should disable the endpoint on 410 Gone until the callback URL is set again', async () => {
      rx.mode = 'gone';
      await optin('+14155550409');
      await worker.drain();
      const app = await (await h.request('/api/v1/apps/HookShop', { headers: ADMIN })).json();
      assert.equal(app.callbackDisabled, true);
      const [e] = (await (await h.request('/api/v1/apps/HookShop/events?status=failed', { headers: ADMIN })).json())
        .events;
      assert.match(e.lastError, /Gone/);
      rx.mode = 'ok';
      rx.received = [];
      await optin('+14155550410');
      assert.equal(await worker.drain(), 0, 'no event is written for a disabled endpoint');
      await h.request('/api/v1/apps/HookShop', {
        method: 'PATCH',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ callbackUrl: `${rx.url}?v=2` }),
      });
      assert.equal(
        (await (await h.request('/api/v1/apps/HookShop', { headers: ADMIN })).json()).callbackDisabled,
        false,
      );
      await optin('+14155550411');
      assert.equal(await worker.drain(), 1);
      assert.equal(rx.received.length, 1);
    });

    it('Should refuse a private callback address unless the operator allows it', async () => {
      const strict = await harness(kind, { clock, config: { allowPrivateCallbacks: false } });
      try {
        const { app } = await strict.makeApp({ name: 'StrictHooks', phone: '+14155550123', live: true });
        await updateApp(strict.store, app, { settings: { callbackUrl: rx.url } }, clock.now());
        await strict.request('/o/StrictHooks', form({ consent: 'yes', phone: '+14155550412' }));
        const w = new OutboxWorker(strict.deps, { event: deliverEvent, message: deliverMessage });
        assert.equal(await w.drain(), 1);
        assert.equal(rx.received.length, 0);
        const [e] = (await (await strict.request('/api/v1/apps/StrictHooks/events', { headers: ADMIN })).json()).events;
        assert.equal(e.status, 'failed');
        assert.match(e.lastError, /refused|non-public/);
      } finally {
        await strict.close();
      }
    });

    it('Should deliver each event once when several workers drain at the same time', async () => {
      for (let i = 0; i < 40; i++) await optin(`+1415555050${String(i).padStart(2, '0')}`.slice(0, 12));
      const others = [h.ts.reopen(), h.ts.reopen()];
      const workers = [
        worker,
        ...others.map(
          (store) =>
            new OutboxWorker(
              { ...h.deps, store },
              { event: deliverEvent, message: deliverMessage },
              { batch: 5, concurrency: 2 },
            ),
        ),
      ];
      const handled = await Promise.all(workers.map((w) => w.drain()));
      const ids = rx.ids();
      assert.equal(
        handled.reduce((a, b) => a + b, 0),
        ids.length,
      );
      assert.equal(new Set(ids).size, ids.length, 'no event was sent twice');
      const pending = await (await h.request('/api/v1/apps/HookShop/events?status=pending', { headers: ADMIN })).json();
      assert.deepEqual(pending.events, []);
    });

    it('Should list events newest first with cursor pages', async () => {
      const first = await (await h.request('/api/v1/apps/HookShop/events?limit=3', { headers: ADMIN })).json();
      assert.equal(first.events.length, 3);
      const second = await (
        await h.request(`/api/v1/apps/HookShop/events?limit=3&cursor=${first.next}`, { headers: ADMIN })
      ).json();
      const ids = [...first.events, ...second.events].map((e: { id: string }) => e.id);
      assert.equal(new Set(ids).size, 6);
      assert.ok(Date.parse(first.events[0].createdAt) >= Date.parse(second.events[0].createdAt));
      assert.equal((await h.request('/api/v1/apps/HookShop/events/evt_nope', { headers: ADMIN })).status, 404);
      void appId;
    });
  });
}
