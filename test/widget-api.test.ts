import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';
import { appByName } from '../server/store/apps.js';
import { funnelCounts } from '../server/store/funnel.js';
import { consentsFor } from '../server/store/ledger.js';
import { getUser } from '../server/store/users.js';
import { patchApp } from './support/ledger.js';

const SHOP = 'https://shop.example.com';

for (const kind of STORE_KINDS) {
  describe(`widget API (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    before(async () => {
      h = await harness(kind);
      await h.makeApp({
        name: 'WidgetShop',
        displayName: 'Widget Shop',
        phone: '+14155550123',
        live: true,
        settings: { allowedOrigins: [SHOP], privacyUrl: 'https://shop.example.com/privacy' },
      });
      await h.makeApp({ name: 'WidgetSand', displayName: 'Sand' });
    });
    after(() => h.close());

    const consentCount = async (appId: string) =>
      Number(
        (
          await h.store.read(function* () {
            return (yield {
              kind: 'get',
              sql: 'SELECT COUNT(*) AS n FROM consents WHERE app_id = ?',
              params: [appId],
            }) as { n: number };
          })
        ).n,
      );

    const post = (name: string, body: unknown, headers: Record<string, string> = {}) =>
      h.request(`/api/v1/apps/${name}/optins`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: SHOP, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

    it('Should give the widget what it needs, cacheable, readable from any page', async () => {
      const res = await h.request('/api/v1/apps/widgetshop/public', {
        headers: { origin: 'https://anywhere.example' },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      assert.equal(res.headers.get('cross-origin-resource-policy'), 'cross-origin');
      assert.match(res.headers.get('cache-control')!, /public, max-age=60/);
      const etag = res.headers.get('etag')!;
      const body = await res.json();
      assert.deepEqual(Object.keys(body).sort(), [
        'challenge',
        'displayName',
        'live',
        'name',
        'phone',
        'phoneField',
        'privacyUrl',
        'theme',
        'widget',
        'wording',
      ]);
      assert.deepEqual(body.widget.analytics, { ga4: false, gtm: false, metaPixel: false });
      assert.equal(body.name, 'WidgetShop');
      assert.equal(body.live, true);
      assert.equal(body.phoneField, 'required');
      assert.equal(body.wording.es.version, 1);
      assert.match(body.wording.pt.text, /Widget Shop no WhatsApp/);
      assert.deepEqual(body.theme, { color: '#25D366', position: 'right' });
      assert.equal(
        (await h.request('/api/v1/apps/WidgetShop/public', { headers: { 'if-none-match': etag } })).status,
        304,
      );
      // A wording change is a new body, so a new tag: a cache never keeps the old text.
      const app = (await h.store.read(appByName, 'WidgetShop'))!;
      await patchApp(h.store, app.id, { wording: { en: 'Yes: {business} may write to me on WhatsApp.' } }, Date.now());
      const changed = await h.request('/api/v1/apps/WidgetShop/public', { headers: { 'if-none-match': etag } });
      assert.equal(changed.status, 200);
      assert.notEqual(changed.headers.get('etag'), etag);
      assert.match((await changed.json()).wording.en.text, /^Yes: Widget Shop may write/);
      const missing = await h.request('/api/v1/apps/Nope1/public', { headers: { origin: 'https://anywhere.example' } });
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('access-control-allow-origin'), '*');
      assert.equal((await missing.json()).error.code, 'app_not_found');
    });

    it('Should record a widget opt-in and answer 201 with the redirect', async () => {
      const res = await post('WidgetShop', {
        consent: true,
        phone: '+14155550180',
        via: 'widget',
        campaign: 'banner',
        lang: 'es',
        page: 'https://shop.example.com/p/1',
        wordingVersion: 1,
      });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('access-control-allow-origin'), SHOP);
      assert.match(res.headers.get('vary')!, /Origin/);
      const body = await res.json();
      assert.match(body.ref, /^[A-Z2-9]{6}$/);
      assert.equal(body.redirectUrl, `https://wa.me/14155550123?text=Hi%20Widget%20Shop!%20(ref%20${body.ref})`);
      const app = (await h.store.read(appByName, 'WidgetShop'))!;
      const [c] = await h.store.read(consentsFor, app.id, '14155550180');
      assert.equal(c?.id, body.optinId);
      assert.equal(c?.via, 'widget');
      assert.equal(c?.locale, 'es');
      assert.equal(c?.campaign, 'banner');
      assert.equal(c?.page, 'https://shop.example.com/p/1');
    });

    it('Should fill the prefill’s page variables from the page the widget was on, storing only the page', async () => {
      const app = (await h.store.read(appByName, 'WidgetShop'))!;
      await patchApp(
        h.store,
        app.id,
        { settings: { ...app.settings, prefill: 'Hi! About {title}: {url}' } },
        Date.now(),
      );
      try {
        const res = await post('WidgetShop', {
          consent: true,
          phone: '+14155550193',
          page: 'https://shop.example.com/p/red',
          title: 'Red  shoes\n',
        });
        assert.equal(res.status, 201);
        const body = await res.json();
        const text = new URL(body.redirectUrl).searchParams.get('text');
        assert.equal(text, `Hi! About Red shoes: https://shop.example.com/p/red (ref ${body.ref})`);
        const [c] = await h.store.read(consentsFor, app.id, '14155550193');
        assert.equal(c?.page, 'https://shop.example.com/p/red');
        // Without a page title the variable is left out, tidily.
        const res2 = await post('WidgetShop', { consent: true, phone: '+14155550194', page: 'https://s.example/x' });
        const b2 = await res2.json();
        assert.equal(
          new URL(b2.redirectUrl).searchParams.get('text'),
          `Hi! About: https://s.example/x (ref ${b2.ref})`,
        );
      } finally {
        await patchApp(h.store, app.id, { settings: app.settings }, Date.now());
      }
    });

    it('Should accept the same JSON as text/plain, which needs no CORS preflight', async () => {
      const res = await post(
        'WidgetShop',
        { consent: true, phone: '+14155550181' },
        { 'content-type': 'text/plain;charset=UTF-8' },
      );
      assert.equal(res.status, 201);
    });

    it('Should send a sandbox app to PROXY <name>', async () => {
      const res = await post('WidgetSand', { consent: true, phone: '+14155550182' }, { origin: h.config.publicUrl });
      assert.equal(res.status, 201);
      assert.equal((await res.json()).redirectUrl, 'https://wa.me/917834811114?text=PROXY%20WidgetSand');
    });

    it('Should refuse an origin the app does not list, and record nothing', async () => {
      const res = await post(
        'WidgetShop',
        { consent: true, phone: '+14155550183' },
        { origin: 'https://evil.example' },
      );
      assert.equal(res.status, 403);
      // The refusal is readable by the page, so the widget can say why.
      assert.equal(res.headers.get('access-control-allow-origin'), 'https://evil.example');
      assert.equal((await res.json()).error.code, 'origin_not_allowed');
      const app = (await h.store.read(appByName, 'WidgetShop'))!;
      assert.equal(await h.store.read(getUser, app.id, '14155550183'), null);
    });

    it('Should answer preflights only for allowed origins', async () => {
      const ok = await h.request('/api/v1/apps/WidgetShop/optins', {
        method: 'OPTIONS',
        headers: {
          origin: SHOP,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      assert.equal(ok.status, 204);
      assert.equal(ok.headers.get('access-control-allow-origin'), SHOP);
      assert.match(ok.headers.get('access-control-allow-headers')!, /Content-Type/i);
      const bad = await h.request('/api/v1/apps/WidgetShop/optins', {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      assert.equal(bad.status, 403);
      assert.equal(bad.headers.get('access-control-allow-methods'), null);
    });

    const bad: [string, unknown, number, string][] = [
      ['consent missing', { phone: '+14155550184' }, 422, 'consent_required'],
      ['consent false', { consent: false, phone: '+14155550184' }, 422, 'consent_required'],
      ['consent "yes"', { consent: 'yes', phone: '+14155550184' }, 422, 'consent_required'],
      ['an invalid phone', { consent: true, phone: '12' }, 422, 'invalid_phone'],
      ['no phone when required', { consent: true }, 422, 'phone_required'],
      ['a bad campaign', { consent: true, phone: '+14155550184', campaign: 'a b' }, 422, 'invalid_campaign'],
      ['a bad lang', { consent: true, phone: '+14155550184', lang: 'fr' }, 422, 'invalid_request'],
      ['a bad via', { consent: true, phone: '+14155550184', via: 'qr' }, 422, 'invalid_request'],
      ['malformed JSON', '{"consent":tru', 400, 'malformed_json'],
      ['a JSON array', '[1]', 422, 'invalid_request'],
      [
        'an oversized body',
        { consent: true, phone: '+14155550184', page: 'x'.repeat(10_000) },
        413,
        'payload_too_large',
      ],
    ];
    for (const [what, body, status, code] of bad) {
      it(`Should answer ${status} ${code} for ${what}, and record nothing`, async () => {
        const app = (await h.store.read(appByName, 'WidgetShop'))!;
        const before = await h.store.read(funnelCounts, app.id, '2000-01-01', '2100-01-01');
        const countBefore = await consentCount(app.id);
        const res = await post('WidgetShop', body);
        assert.equal(res.status, status);
        assert.equal((await res.json()).error.code, code);
        assert.equal(await h.store.read(getUser, app.id, '14155550184'), null);
        assert.equal(await consentCount(app.id), countBefore, 'no consent record was written');
        assert.deepEqual(await h.store.read(funnelCounts, app.id, '2000-01-01', '2100-01-01'), before);
      });
    }

    it('Should refuse other content types with 415', async () => {
      const res = await h.request('/api/v1/apps/WidgetShop/optins', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SHOP },
        body: 'consent=true',
      });
      assert.equal(res.status, 415);
      assert.equal((await res.json()).error.code, 'unsupported_media_type');
    });

    it('Should answer an unknown app with 404 in the error shape', async () => {
      const res = await post('Nope1', { consent: true });
      assert.equal(res.status, 404);
      assert.equal(res.headers.get('access-control-allow-origin'), SHOP);
      assert.equal((await res.json()).error.code, 'app_not_found');
    });
  });
}
