import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppRecord } from '../server/store/index.js';
import { consentsFor } from '../server/store/ledger.js';
import { getUser } from '../server/store/users.js';
import { fixtureJson, metaBatch, metaMessage, SIGNATURES, signMeta, type Msg } from './fixtures/index.js';
import { CALLBACK, events, withSecrets } from './hooks-helpers.js';
import { harness, manualClock, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';

/**
 * Meta batches updates: up to 1,000 in one POST (https://developers.facebook.com/docs/graph-api/webhooks/getting-started/),
 * and a payload of up to 3 MB (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks). Every
 * part is read and handled on its own, and a 200 is given only for what was processed.
 */
const SECRET = SIGNATURES.meta.appSecret;
const T0 = Date.UTC(2026, 2, 2, 12, 0, 0);

type Result = {
  ok: boolean;
  handled: number;
  duplicates: number;
  ignored: number;
  malformed: number;
  problems: string[];
};

for (const kind of STORE_KINDS) {
  describe(`Meta batches (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    let shop: AppRecord;
    const clock = manualClock(T0);
    let n = 0;
    before(async () => {
      h = await harness(kind, { clock });
      const made = await h.makeApp({ name: 'BatchShop', settings: { callbackUrl: CALLBACK } });
      shop = await withSecrets(h, made.app, { metaAppSecret: SECRET });
    });
    after(() => h.close());

    const post = (body: string) =>
      h.request('/hooks/BatchShop/whatsapp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(SECRET, body) },
        body,
      });
    const msg = (from: string, text: string): Msg => ({ id: `wamid.BATCH${kind}${++n}`, from, text, at: clock.now() });
    const people = (count: number, base: number) =>
      Array.from({ length: count }, (_, i) => `1415${String(base + i).padStart(7, '0')}`);
    const user = (phone: string) => h.store.read(getUser, shop.id, phone);

    it('Should opt in 101 people from one entry of 101 changes, and opt out 101 people from 101 entries', async () => {
      const phones = people(101, 5550000);
      const starts = metaBatch(
        phones.map((p) => msg(p, 'START')),
        'changes',
      );
      const a = await post(starts);
      assert.equal(a.status, 200);
      assert.deepEqual(await a.json(), {
        ok: true,
        handled: 101,
        duplicates: 0,
        ignored: 0,
        malformed: 0,
        problems: [],
      });
      for (const p of phones) assert.equal((await user(p))?.optin, 'opted_in', p);

      const stops = metaBatch(
        phones.map((p) => msg(p, 'STOP')),
        'entries',
      );
      const b = await post(stops);
      assert.equal(b.status, 200);
      assert.deepEqual(await b.json(), {
        ok: true,
        handled: 101,
        duplicates: 0,
        ignored: 0,
        malformed: 0,
        problems: [],
      });
      for (const p of phones) assert.equal((await user(p))?.optin, 'opted_out', p);
      const outs = (await events(h, shop.id)).filter((e) => e.type === 'opted-out');
      assert.equal(new Set(outs.map((e) => e.phone)).size, 101);

      // Meta sends the same batch again: nothing changes twice.
      const again = await post(stops);
      assert.equal(again.status, 200);
      assert.equal(((await again.json()) as Result).duplicates, 101);
      assert.equal((await h.store.read(consentsFor, shop.id, phones[0]!)).length, 2);
    });

    it('Should take a batch of 1,000 messages (Meta’s maximum) over 256 KB', async () => {
      const phones = people(1000, 5560000);
      const body = metaBatch(
        phones.map((p) => msg(p, 'START')),
        'entries',
      );
      assert.ok(Buffer.byteLength(body) > 256 * 1024, `${Buffer.byteLength(body)} bytes`);
      const res = await post(body);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as Result).handled, 1000);
      assert.equal((await user(phones[999]!))?.optin, 'opted_in');
    });

    it('Should handle the readable parts of a partly malformed batch, and name the parts it could not read', async () => {
      const [good1, good2, good3] = people(3, 5570000);
      const p = JSON.parse(
        metaBatch([msg(good1!, 'START'), msg(good2!, 'START'), msg(good3!, 'START')], 'entries'),
      ) as { entry: unknown[] };
      const status = fixtureJson<{ entry: unknown[] }>('meta/status-update.json').entry[0];
      const noFrom = JSON.parse(metaMessage(msg('14155570009', 'STOP'))) as {
        entry: { changes: { value: { messages: Record<string, unknown>[] } }[] }[];
      };
      delete noFrom.entry[0]!.changes[0]!.value.messages[0]!.from;
      p.entry.splice(
        1,
        0,
        { id: 'x' },
        { changes: [{ field: 'messages', value: 'not an object' }] },
        noFrom.entry[0],
        status,
      );
      const res = await post(JSON.stringify(p));
      assert.equal(res.status, 200);
      const out = (await res.json()) as Result;
      assert.deepEqual(
        { handled: out.handled, ignored: out.ignored, malformed: out.malformed },
        { handled: 3, ignored: 1, malformed: 3 },
      );
      assert.deepEqual(out.problems, [
        'entry 1: no changes list',
        'entry 2 change 0: no value object',
        `message "wamid.BATCH${kind}${n}": not a message we can read`,
      ]);
      for (const g of [good1!, good2!, good3!]) assert.equal((await user(g))?.optin, 'opted_in', g);
    });

    it('Should say so when nothing in a batch is readable', async () => {
      const res = await post(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1' }, 7] }));
      assert.equal(res.status, 200);
      const out = (await res.json()) as Result;
      assert.equal(out.handled, 0);
      assert.equal(out.malformed, 2);
      assert.deepEqual(out.problems, ['entry 0: no changes list', 'entry 1: no changes list']);
    });
  });
}
