/**
 * The widget API's side of issue 13: a preview records nothing, refused origins are kept for the
 * Settings page, and widget opens are counted for the funnel.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';
import { funnelCounts } from '../server/store/funnel.js';
import { consentsFor } from '../server/store/ledger.js';

const SHOP = 'https://shop.example.com';

for (const kind of STORE_KINDS) {
  describe(`widget previews, refused origins and opens (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    let app: { id: string; name: string };
    before(async () => {
      h = await harness(kind);
      const made = await h.makeApp({
        displayName: 'Preview Shop',
        phone: '+14155550123',
        live: true,
        settings: { allowedOrigins: [SHOP] },
      });
      app = { id: made.app.id, name: made.name };
    });
    after(() => h.close());

    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      h.request(`/api/v1/apps/${app.name}/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8', origin: SHOP, ...headers },
        body: JSON.stringify(body),
      });
    const funnel = async () => {
      await h.deps.funnel.flush(h.store);
      return (await h.store.read(funnelCounts, app.id, '2000-01-01', '2100-01-01'))
        .filter((r) => r.metric === 'view')
        .map((r) => `${r.via}/${r.campaign}:${r.n}`);
    };

    it('Should check a preview like a consent but record, count and send nothing', async () => {
      const res = await post('optins', { consent: true, phone: '+14155550111', preview: true });
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.deepEqual(body, {
        preview: true,
        optinId: null,
        redirectUrl: 'https://wa.me/14155550123?text=Hi%20Preview%20Shop!',
        ref: null,
      });
      assert.deepEqual(await h.store.read(consentsFor, app.id, '14155550111'), []);
      // A bad number is refused as it would be for real.
      assert.equal((await post('optins', { consent: true, phone: '12', preview: true })).status, 422);
    });

    it("Should never record a consent from the Settings page's own preview, whatever the widget sends", async () => {
      const own = 'http://optin.test';
      const res = await post(
        'optins',
        { consent: true, phone: '+14155550112', page: `${own}/settings/options` },
        { origin: own },
      );
      assert.equal(res.status, 200);
      assert.equal((await res.json()).preview, true);
      assert.deepEqual(await h.store.read(consentsFor, app.id, '14155550112'), []);
      // The server's own pages elsewhere (the demo page) record as before.
      const demo = await post('optins', { consent: true, phone: '+14155550113', page: `${own}/demo` }, { origin: own });
      assert.equal(demo.status, 201);
      assert.equal((await h.store.read(consentsFor, app.id, '14155550113')).length, 1);
    });

    it('Should keep the origins it refused lately, per app and bounded, and forget them once allowed', async () => {
      assert.equal(
        (await post('optins', { consent: true, phone: '+14155550114' }, { origin: 'http://127.0.0.1:31201' })).status,
        403,
      );
      await post('optins', { consent: true }, { origin: 'http://127.0.0.1:31201' });
      const pre = await h.request(`/api/v1/apps/${app.name}/optins`, {
        method: 'OPTIONS',
        headers: { origin: 'https://blog.example.org', 'access-control-request-method': 'POST' },
      });
      assert.equal(pre.status, 403);
      const list = h.deps.refusedOrigins.list(app.id, []);
      assert.deepEqual(
        list.map((r) => [r.origin, r.count]),
        [
          ['https://blog.example.org', 1],
          ['http://127.0.0.1:31201', 2],
        ],
      );
      for (let i = 0; i < 30; i++) await post('optins', { consent: true }, { origin: `https://s${i}.example.net` });
      assert.equal(h.deps.refusedOrigins.list(app.id).length, 10, 'bounded');
      assert.equal(
        (await post('optins', { consent: true, phone: '+14155550115' })).status,
        201,
        'allowed ones are not',
      );
    });

    it('Should count widget opens per campaign, but not previews nor opens on sites the app does not allow', async () => {
      assert.equal((await post('opens', { campaign: 'spring' })).status, 204);
      assert.equal((await post('opens', {})).status, 204);
      assert.equal((await post('opens', { preview: true })).status, 204);
      assert.equal((await post('opens', {}, { origin: 'https://elsewhere.example' })).status, 204);
      assert.equal((await post('opens', { campaign: 'bad campaign' })).status, 422);
      assert.deepEqual((await funnel()).sort(), ['widget/:1', 'widget/spring:1']);
    });
  });
}
