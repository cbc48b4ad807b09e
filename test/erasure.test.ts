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
import { claimDue } from '../server/store/outbox.js';

const SECRET = 'meta-app-secret-for-erasure';
const TABLES = [
  'apps',
  'api_keys',
  'wordings',
  'shown_texts',
  'consents',
  'users',
  'funnel',
  'outbox',
  'outbox_attempts',
  'inbound',
  'prompts',
  'messages',
  'erasures',
];

for (const kind of STORE_KINDS) {
  describe(`erasure of a person with a full history (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    let key: string;
    let rx: Receiver;
    let appId: string;
    before(async () => {
      rx = await new Receiver().start();
      h = await harness(kind, { config: { allowPrivateCallbacks: true } });
      const made = await h.makeApp({
        name: 'EraseShop',
        phone: '+14155550123',
        live: true,
        settings: { templateMessaging: true },
      });
      key = made.apiKey;
      appId = made.app.id;
      await updateApp(
        h.store,
        made.app,
        { settings: { callbackUrl: rx.url }, secrets: { metaAppSecret: SECRET } },
        Date.now(),
      );
    });
    after(async () => {
      await rx.stop();
      await h.close();
    });
    const auth = () => ({ authorization: `Bearer ${key}` });
    const whatsapp = (id: string, from: string, text: string) => {
      const body = metaMessage({ id, from, text, at: Date.now() });
      return h.request('/hooks/EraseShop/whatsapp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(SECRET, body) },
        body,
      });
    };
    const dump = async () => {
      const out: Record<string, string> = {};
      for (const t of TABLES) {
        const rows = await h.store.read(function* () {
          return (yield { kind: 'all', sql: `SELECT * FROM ${t}`, params: [] }) as Record<string, unknown>[];
        });
        out[t] = JSON.stringify(rows);
      }
      return out;
    };

    it("Should leave nothing that traces to the number, keep the other person's flagged evidence, and keep the counts", async () => {
      // A typed 14155550155 on the page, but 14155550166 sent the message with the reference.
      const page = await h.request(
        '/o/EraseShop',
        form({ consent: 'yes', phone: '+14155550155', via: 'qr', c: 'poster' }),
      );
      const ref = /\(ref%20([A-Z2-9]{6})\)/.exec(page.headers.get('location')!)![1]!;
      assert.equal((await whatsapp('wamid.e1', '14155550166', `Hi! (ref ${ref})`)).status, 200);
      // 166 also opted in on a phone-less page (widget with no phone field) and chatted.
      await whatsapp('wamid.e2', '14155550166', 'what are your opening hours?');
      await h.request('/api/v1/apps/EraseShop/users/14155550166/optout', { method: 'PUT', headers: auth() });
      const worker = new OutboxWorker(h.deps, { event: deliverEvent, message: deliverMessage });
      rx.mode = 'fail';
      await worker.drain();
      await whatsapp('wamid.e3', '14155550166', 'START');

      // The typed number, flagged by the verification, is not someone the business may message.
      const a = await (await h.request('/api/v1/apps/EraseShop/users/14155550155', { headers: auth() })).json();
      assert.equal(a.user.flagged, true);
      assert.equal(a.user.optin, 'none');
      const elig = await (
        await h.request('/api/v1/apps/EraseShop/eligibility', {
          method: 'POST',
          headers: { ...auth(), 'content-type': 'application/json' },
          body: JSON.stringify({ phone: '14155550155', kind: 'template', matchesTemplate: true }),
        })
      ).json();
      assert.equal(elig.reason, 'not_opted_in');
      const listed = await (await h.request('/api/v1/apps/EraseShop/users?optin=opted_in', { headers: auth() })).json();
      assert.ok(!listed.users.some((u: { phone: string }) => u.phone === '14155550155'));

      // A worker has just claimed what is due (the START confirmation to 166 among it).
      const inFlight = (await h.store.transact(claimDue, Date.now(), 100, 60_000)).filter(
        (i) => i.kind === 'message' && i.phone === '14155550166',
      );
      assert.ok(inFlight.length >= 1, 'a message to the number is on its way');

      const before = await dump();
      assert.ok(
        Object.values(before).some((t) => t.includes('14155550166')),
        'there was something to erase',
      );
      const stats = async () =>
        (
          await (
            await h.request(
              `/api/v1/apps/EraseShop/stats?from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 86_400_000).toISOString()}`,
              { headers: auth() },
            )
          ).json()
        ).totals;
      const statsBefore = await stats();

      const res = await (
        await h.request('/api/v1/apps/EraseShop/users/+14155550166', { method: 'DELETE', headers: auth() })
      ).json();
      assert.equal(res.erased, true);
      assert.ok(res.consents >= 3 && res.messages >= 3 && res.events >= 1, JSON.stringify(res));
      const after = await dump();
      for (const [t, rows] of Object.entries(after))
        assert.ok(!rows.includes('14155550166'), `${t} still holds the number`);
      assert.ok(
        !after.consents!.includes(`"linked_id":"`) || !after.consents!.includes('wamid'),
        'no verification record is left',
      );
      // The other person's evidence stays: their own web consent and its flag.
      const still = await (await h.request('/api/v1/apps/EraseShop/users/14155550155', { headers: auth() })).json();
      assert.equal(still.consents.length, 1);
      assert.equal(still.consents[0].ref, ref);
      assert.equal(still.user.flagged, true);
      assert.deepEqual(await stats(), statsBefore, 'the funnel keeps its counts');
      assert.equal((await h.request('/api/v1/apps/EraseShop/users/14155550166', { headers: auth() })).status, 404);

      // A send in flight when the erasure came does not bring the number back.
      for (const item of inFlight) assert.equal((await deliverMessage(h.deps, item)).ok, true);
      rx.mode = 'ok';
      await worker.drain();
      const final = await dump();
      for (const [t, rows] of Object.entries(final))
        assert.ok(!rows.includes('14155550166'), `${t} holds the number again`);
      void appId;
    });
  });
}
