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
    let apiKey: string;
    before(async () => {
      h = await harness(kind);
      const made = await h.makeApp({
        displayName: 'Preview Shop',
        phone: '+14155550123',
        live: true,
        settings: { allowedOrigins: [SHOP] },
      });
      app = { id: made.app.id, name: made.name };
      apiKey = made.apiKey;
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

    it('Should count widget opens per campaign, but not previews', async () => {
      assert.equal((await post('opens', { campaign: 'spring' })).status, 204);
      assert.equal((await post('opens', {})).status, 204);
      // What the widget sends without a campaign attribute: none.
      assert.equal((await post('opens', { campaign: '' })).status, 204);
      assert.equal((await post('opens', { preview: true })).status, 204);
      // The Settings page's own preview, known by its Referer, whatever it sends.
      const own = 'http://optin.test';
      assert.equal((await post('opens', {}, { origin: own, referer: `${own}/settings?c=spring` })).status, 204);
      // The server's own pages elsewhere (the demo page) count.
      assert.equal((await post('opens', {}, { origin: own, referer: `${own}/demo` })).status, 204);
      assert.equal((await post('opens', { campaign: 'bad campaign' })).status, 422);
      assert.deepEqual((await funnel()).sort(), ['widget/:3', 'widget/spring:1']);
    });

    it('Should refuse an open from a site the app does not allow, readably, and list it on the Settings page', async () => {
      const refused = 'https://elsewhere.example';
      const before = await funnel();
      const res = await post('opens', { campaign: 'spring' }, { origin: refused });
      assert.equal(res.status, 403);
      // The widget on that site must be able to read the refusal: no preflight, and `*` lets it.
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'origin_not_allowed');
      assert.match(body.error.message, /https:\/\/elsewhere\.example may not post opt-ins/);
      assert.deepEqual(await funnel(), before, 'not counted');
      assert.deepEqual(
        h.deps.refusedOrigins
          .list(app.id, [])
          .filter((r) => r.origin === refused)
          .map((r) => r.count),
        [1],
        'listed for the Settings page, as a refused consent is',
      );
      // Refused before the body is read: a malformed one is still origin_not_allowed.
      const bad = await h.request(`/api/v1/apps/${app.name}/opens`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8', origin: refused },
        body: '{not json',
      });
      assert.equal(bad.status, 403);
      assert.equal(h.deps.refusedOrigins.list(app.id, []).find((r) => r.origin === refused)?.count, 2);
      // Without an Origin header (not a browser) it is origin_required, and nothing is listed.
      const none = await h.request(`/api/v1/apps/${app.name}/opens`, { method: 'POST', body: '{}' });
      assert.equal(none.status, 403);
      assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'origin_required');
      // Once allowed, the same site counts.
      await h.request(`/api/v1/apps/${app.name}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ allowedOrigins: [SHOP, refused] }),
      });
      assert.equal((await post('opens', { campaign: 'spring' }, { origin: refused })).status, 204);
      assert.deepEqual(
        (await funnel()).filter((r) => r.startsWith('widget/spring')),
        ['widget/spring:2'],
      );
    });
  });
}
