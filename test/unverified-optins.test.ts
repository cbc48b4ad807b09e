import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OutboxWorker } from '../server/delivery/worker.js';
import { deliverMessage } from '../server/delivery/messages.js';
import { updateApp } from '../server/services/apps.js';
import { deliverEvent } from '../server/delivery/user-events.js';
import { metaMessage, signMeta } from './fixtures/index.js';
import { Receiver } from './support/receiver.js';
import { form, harness, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';

const SECRET = 'meta-app-secret-for-tests';

for (const kind of STORE_KINDS) {
  describe(`unverified web consents that do not count (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    let key: string;
    let rx: Receiver;
    before(async () => {
      rx = await new Receiver().start();
      h = await harness(kind, { config: { allowPrivateCallbacks: true } });
      const made = await h.makeApp({ name: 'StrictShop', phone: '+14155550123', live: true });
      key = made.apiKey;
      await updateApp(
        h.store,
        made.app,
        {
          settings: { unverifiedCountsAsOptin: false, callbackUrl: rx.url, templateMessaging: true },
          secrets: { metaAppSecret: SECRET },
        },
        Date.now(),
      );
    });
    after(async () => {
      await rx.stop();
      await h.close();
    });
    const auth = () => ({ authorization: `Bearer ${key}` });
    const users = async (q: string) =>
      (
        (await (await h.request(`/api/v1/apps/StrictShop/users?${q}`, { headers: auth() })).json()).users as {
          phone: string;
          optin: string;
        }[]
      ).map((u) => `${u.phone}:${u.optin}`);
    const elig = async (phone: string) =>
      (
        await (
          await h.request('/api/v1/apps/StrictShop/eligibility', {
            method: 'POST',
            headers: { ...auth(), 'content-type': 'application/json' },
            body: JSON.stringify({ phone, kind: 'template', matchesTemplate: true }),
          })
        ).json()
      ).reason;

    it('Should read a typed-in number as not opted in until its own WhatsApp message confirms it', async () => {
      const res = await h.request('/o/StrictShop', form({ consent: 'yes', phone: '+14155550701', via: 'qr' }));
      const ref = /\(ref%20([A-Z2-9]{6})\)/.exec(res.headers.get('location')!)![1]!;
      await h.request('/api/v1/apps/StrictShop/users/14155550702/optin', { method: 'PUT', headers: auth() });
      assert.deepEqual(
        await users('optin=opted_in'),
        ['14155550702:opted_in'],
        'an API opt-in is the business vouching: it counts',
      );
      assert.deepEqual(await users('optin=none'), ['14155550701:none']);
      assert.equal(await elig('14155550701'), 'not_opted_in');
      const worker = new OutboxWorker(h.deps, { event: deliverEvent, message: deliverMessage });
      await worker.drain();
      assert.deepEqual(
        rx.received.map((r) => `${JSON.parse(r.body).type}:${JSON.parse(r.body).data.phone}`),
        ['opted-in:14155550702'],
        'no opted-in event for the unconfirmed number',
      );

      // The person sends the prefilled message, reference included, from that phone.
      const body = metaMessage({
        id: 'wamid.strict1',
        from: '14155550701',
        text: `Hi Acme Shoes! (ref ${ref})`,
        at: Date.now(),
      });
      const hook = await h.request('/hooks/StrictShop/whatsapp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(SECRET, body) },
        body,
      });
      assert.equal(hook.status, 200);
      assert.deepEqual(await users('optin=opted_in'), ['14155550701:opted_in', '14155550702:opted_in']);
      assert.equal(await elig('14155550701'), 'active_session');
      await worker.drain();
      const types = rx.received.map((r) => `${JSON.parse(r.body).type}:${JSON.parse(r.body).data.phone}`);
      assert.ok(types.includes('opted-in:14155550701'), types.join(' '));
      assert.equal(types.filter((t) => t.endsWith('14155550701')).length, 1, 'the business hears it once');
    });

    it('Should apply a change of the setting to everyone at once', async () => {
      await h.request('/o/StrictShop', form({ consent: 'yes', phone: '+14155550703' }));
      assert.ok((await users('optin=none')).includes('14155550703:none'));
      await h.request('/api/v1/apps/StrictShop', {
        method: 'PATCH',
        headers: { ...auth(), 'content-type': 'application/json' },
        body: JSON.stringify({ unverifiedCountsAsOptin: true }),
      });
      assert.ok((await users('optin=opted_in')).includes('14155550703:opted_in'));
      const csv = await (await h.request('/api/v1/apps/StrictShop/users.csv', { headers: auth() })).text();
      assert.match(csv, /\r\n14155550703,opted_in,/);
    });
  });
}
