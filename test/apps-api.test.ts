import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN, harness, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';

for (const kind of STORE_KINDS) {
  describe(`app settings API (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    let key: string;
    before(async () => {
      h = await harness(kind);
    });
    after(() => h.close());

    const json = (method: string, path: string, body: unknown, headers: Record<string, string> = ADMIN) =>
      h.request(path, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

    it('Should create an app with the admin token and answer with its API key once', async () => {
      const res = await json('POST', '/api/v1/apps', {
        name: 'ApiShop',
        displayName: 'Api Shop',
        phone: '+1 415 555 0123',
        allowedOrigins: ['https://shop.example.com'],
      });
      assert.equal(res.status, 201);
      const body = await res.json();
      key = body.apiKey;
      assert.match(key, /^okk_[\w-]{12}_[\w-]{32}$/);
      assert.equal(body.app.name, 'ApiShop');
      assert.equal(body.app.phone, '14155550123');
      assert.equal(body.app.live, false);
      assert.equal(body.app.phoneField, 'required');
      assert.equal(body.app.prefill, 'Hi Api Shop!');
      assert.deepEqual(body.app.allowedOrigins, ['https://shop.example.com']);
      assert.equal(body.app.wording.en.version, 1);
      assert.equal(body.app.links.consentPage, 'http://optin.test/o/ApiShop');
      assert.equal(body.app.links.sandboxText, 'PROXY ApiShop');
      assert.equal(res.headers.get('access-control-allow-origin'), null);
      // The key is never stored in the clear, and GET never shows it again.
      const got = await (
        await h.request('/api/v1/apps/ApiShop', { headers: { authorization: `Bearer ${key}` } })
      ).text();
      assert.doesNotMatch(got, new RegExp(key));
    });

    it('Should keep the widget settings: off-by-default analytics, nested changes merged, bad values refused', async () => {
      const auth = { authorization: `Bearer ${key}` };
      const got = await (await h.request('/api/v1/apps/ApiShop', { headers: auth })).json();
      assert.deepEqual(got.widget, {
        greeting: { text: {}, delaySeconds: null, scrollPercent: null, oncePerVisitor: true },
        triggers: true,
        interceptWaLinks: true,
        devices: 'both',
        hidePaths: [],
        buttonLabel: {},
        offset: { x: 20, y: 20 },
        analytics: { ga4: false, gtm: false, metaPixel: false },
      });
      let res = await json(
        'PATCH',
        '/api/v1/apps/ApiShop',
        {
          widget: {
            greeting: { text: { en: 'Questions? Ask us!', es: '¿Dudas? ¡Escríbenos!' }, delaySeconds: 5 },
            devices: 'phones',
            hidePaths: ['/checkout*', '/account/*'],
            buttonLabel: { en: 'Chat with us' },
            offset: { y: 90 },
            analytics: { gtm: true },
          },
        },
        auth,
      );
      assert.equal(res.status, 200);
      res = await json('PATCH', '/api/v1/apps/ApiShop', { widget: { greeting: { scrollPercent: 50 } } }, auth);
      const w = (await res.json()).widget;
      assert.deepEqual(w.greeting, {
        text: { en: 'Questions? Ask us!', es: '¿Dudas? ¡Escríbenos!' },
        delaySeconds: 5,
        scrollPercent: 50,
        oncePerVisitor: true,
      });
      assert.deepEqual(w.offset, { x: 20, y: 90 });
      assert.deepEqual(w.analytics, { ga4: false, gtm: true, metaPixel: false });
      assert.equal(w.devices, 'phones');
      assert.deepEqual(w.hidePaths, ['/checkout*', '/account/*']);
      // The widget reads the same settings from its public call.
      const pub = await (await h.request('/api/v1/apps/ApiShop/public')).json();
      assert.deepEqual(pub.widget, w);
      for (const bad of [
        { devices: 'tablets' },
        { hidePaths: ['checkout'] },
        { offset: { x: -1 } },
        { greeting: { delaySeconds: 9999 } },
        { analytics: { tiktok: true } },
      ]) {
        res = await json('PATCH', '/api/v1/apps/ApiShop', { widget: bad }, auth);
        assert.equal(res.status, 422, JSON.stringify(bad));
        assert.match((await res.json()).error.message, /widget/);
      }
      const after = await (await h.request('/api/v1/apps/ApiShop', { headers: auth })).json();
      assert.deepEqual(after.widget, w);
    });

    it('Should let the app key read and change its own app', async () => {
      const auth = { authorization: `Bearer ${key}` };
      const res = await json(
        'PATCH',
        '/api/v1/apps/apishop',
        {
          live: true,
          prefill: 'Hola Api Shop',
          phoneField: 'optional',
          theme: { color: '#123456', position: 'left' },
          refEnabled: false,
          wording: { es: 'Sí, {business} puede escribirme por WhatsApp sobre mis pedidos.' },
        },
        auth,
      );
      assert.equal(res.status, 200);
      const app = await res.json();
      assert.equal(app.live, true);
      assert.equal(app.prefill, 'Hola Api Shop');
      assert.deepEqual(app.theme, { color: '#123456', position: 'left' });
      assert.equal(app.wording.es.version, 2);
      assert.equal(app.wording.en.version, 1);
      assert.equal(app.links.sandboxText, null);
      const pub = await (await h.request('/api/v1/apps/ApiShop/public')).json();
      assert.equal(pub.wording.es.text, 'Sí, Api Shop puede escribirme por WhatsApp sobre mis pedidos.');
      assert.equal(pub.phoneField, 'optional');
    });

    it('Should change only what a PATCH names, and keep every other setting', async () => {
      const auth = { authorization: `Bearer ${key}` };
      const before = await (await h.request('/api/v1/apps/ApiShop', { headers: auth })).json();
      const res = await json(
        'PATCH',
        '/api/v1/apps/ApiShop',
        { displayName: 'Api Shop 2', theme: { color: '#654321' } },
        auth,
      );
      assert.equal(res.status, 200);
      const after = await res.json();
      assert.equal(after.displayName, 'Api Shop 2');
      assert.deepEqual(after.theme, { color: '#654321', position: 'left' });
      for (const k of [
        'prefill',
        'refEnabled',
        'phoneField',
        'allowedOrigins',
        'live',
        'phone',
        'privacyUrl',
        'autoOptinMessage',
        'templateMessaging',
      ])
        assert.deepEqual(after[k], before[k], k);
      assert.equal(after.wording.es.version, before.wording.es.version);
      // And the consent page follows: the custom prefill, no reference.
      const post = await h.request('/o/ApiShop', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'consent=yes&phone=%2B14155550300',
        redirect: 'manual',
      });
      assert.equal(post.headers.get('location'), 'https://wa.me/14155550123?text=Hola%20Api%20Shop');
      await json('PATCH', '/api/v1/apps/ApiShop', { displayName: 'Api Shop', refEnabled: true }, auth);
    });

    it('Should keep both of two concurrent changes to different settings', async () => {
      const auth = { authorization: `Bearer ${key}` };
      const results = await Promise.all([
        json('PATCH', '/api/v1/apps/ApiShop', { prefill: 'Concurrent prefill' }, auth),
        json('PATCH', '/api/v1/apps/ApiShop', { privacyUrl: 'https://shop.example.com/privacy' }, auth),
        json(
          'PATCH',
          '/api/v1/apps/ApiShop',
          { allowedOrigins: ['https://a.example', 'https://shop.example.com'] },
          auth,
        ),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        [200, 200, 200],
      );
      const app = await (await h.request('/api/v1/apps/ApiShop', { headers: auth })).json();
      assert.equal(app.prefill, 'Concurrent prefill');
      assert.equal(app.privacyUrl, 'https://shop.example.com/privacy');
      assert.deepEqual(app.allowedOrigins, ['https://a.example', 'https://shop.example.com']);
      await json(
        'PATCH',
        '/api/v1/apps/ApiShop',
        { prefill: 'Hola Api Shop', allowedOrigins: ['https://shop.example.com'], privacyUrl: null },
        auth,
      );
    });

    it('Should keep allowed origins typed with a path, a trailing slash or no scheme as origins', async () => {
      const auth = { authorization: `Bearer ${key}` };
      const res = await json(
        'PATCH',
        '/api/v1/apps/ApiShop',
        {
          allowedOrigins: ['127.0.0.1:31201', 'https://Shop.example.com/cart/', 'shop.example.com', 'www.example.org/'],
        },
        auth,
      );
      assert.equal(res.status, 200);
      assert.deepEqual((await res.json()).allowedOrigins, [
        'http://127.0.0.1:31201',
        'https://shop.example.com',
        'https://www.example.org',
      ]);
      await json('PATCH', '/api/v1/apps/ApiShop', { allowedOrigins: ['https://shop.example.com'] }, auth);
    });

    it('Should ask for a key on every method, HEAD included', async () => {
      for (const method of ['HEAD', 'GET', 'PATCH', 'DELETE', 'PUT']) {
        const res = await h.request('/api/v1/apps/ApiShop', { method });
        assert.ok(res.status === 401 || res.status === 404 || res.status === 405, `${method}: ${res.status}`);
        assert.notEqual(res.status, 500);
        if (method !== 'HEAD' && res.status === 401) assert.equal((await res.json()).error.code, 'missing_key');
      }
      assert.equal((await h.request('/api/v1/apps/ApiShop', { method: 'HEAD' })).status, 401);
    });

    it('Should refuse a wording for an unknown locale', async () => {
      const res = await json(
        'PATCH',
        '/api/v1/apps/ApiShop',
        { wording: { fr: 'Je veux {business} sur WhatsApp.' } },
        { authorization: `Bearer ${key}` },
      );
      assert.equal(res.status, 422);
    });

    it("Should tell a missing key, a malformed header, a bad key and another app's key apart", async () => {
      const other = await (await json('POST', '/api/v1/apps', { name: 'OtherShop', displayName: 'Other' })).json();
      const cases: [Record<string, string>, number, string][] = [
        [{}, 401, 'missing_key'],
        [{ authorization: 'Basic abc' }, 401, 'invalid_key'],
        [{ authorization: 'Bearer okk_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' }, 401, 'invalid_key'],
        [{ authorization: `Bearer ${key}x` }, 401, 'invalid_key'],
        [{ authorization: `Bearer ${other.apiKey}` }, 403, 'wrong_app'],
      ];
      for (const [headers, status, code] of cases) {
        const res = await h.request('/api/v1/apps/ApiShop', { headers });
        assert.equal(res.status, status, JSON.stringify(headers));
        assert.equal((await res.json()).error.code, code);
      }
      // Another app's key learns nothing about whether an app exists.
      const ghost = await h.request('/api/v1/apps/NoSuchApp', { headers: { authorization: `Bearer ${other.apiKey}` } });
      assert.equal(ghost.status, 403);
      assert.equal((await h.request('/api/v1/apps/NoSuchApp', { headers: ADMIN })).status, 404);
    });

    it('Should let only the operator create apps', async () => {
      const res = await json(
        'POST',
        '/api/v1/apps',
        { name: 'Sneaky', displayName: 'S' },
        { authorization: `Bearer ${key}` },
      );
      assert.equal(res.status, 403);
      assert.equal((await res.json()).error.code, 'admin_only');
    });

    const bad: [string, unknown, number, string][] = [
      ['a bad name', { name: '1bad', displayName: 'x' }, 422, 'invalid_name'],
      ['a taken name in other case', { name: 'apishop', displayName: 'x' }, 409, 'name_taken'],
      ['an invalid phone', { name: 'PhoneBad', displayName: 'x', phone: '+1 555' }, 422, 'invalid_phone'],
      ['live without a phone', { name: 'LiveBad', displayName: 'x', live: true }, 422, 'phone_required'],
      ['an empty display name', { name: 'EmptyName', displayName: '   ' }, 422, 'invalid_display_name'],
      ['a display name too long', { name: 'LongName', displayName: 'x'.repeat(61) }, 422, 'invalid_display_name'],
      [
        'wording without WhatsApp',
        { name: 'WordBad', displayName: 'x', wording: { en: 'I agree to hear from {business} by email.' } },
        422,
        'invalid_wording',
      ],
      [
        'a bad origin',
        { name: 'OriginBad', displayName: 'x', allowedOrigins: ['ftp://a.example'] },
        422,
        'invalid_request',
      ],
      [
        'a javascript: privacy URL',
        { name: 'PrivBad', displayName: 'x', privacyUrl: 'javascript:alert(1)' },
        422,
        'invalid_request',
      ],
      ['a bad colour', { name: 'ColourBad', displayName: 'x', theme: { color: 'red' } }, 422, 'invalid_request'],
      ['an unknown field', { name: 'Unknown1', displayName: 'x', colour: 'red' }, 422, 'invalid_request'],
      ['malformed JSON', '{"name":', 400, 'malformed_request'],
    ];
    for (const [what, body, status, code] of bad) {
      it(`Should refuse ${what} with ${status} ${code}`, async () => {
        const res = await json('POST', '/api/v1/apps', body);
        assert.equal(res.status, status);
        const b = await res.json();
        assert.equal(b.error.code, code);
        assert.ok(b.error.message.length > 5);
      });
    }

    it('Should refuse a wrong content type with 415 and an oversized body with 413', async () => {
      const form = await h.request('/api/v1/apps', {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=x',
      });
      assert.equal(form.status, 415);
      const patch = await h.request('/api/v1/apps/ApiShop', {
        method: 'PATCH',
        headers: { ...ADMIN, 'content-type': 'text/plain' },
        body: '{}',
      });
      assert.equal(patch.status, 415);
      const big = await json('PATCH', '/api/v1/apps/ApiShop', { prefill: 'x'.repeat(70_000) });
      assert.equal(big.status, 413);
    });

    it('Should keep settings intact after a refused change', async () => {
      const res = await json('PATCH', '/api/v1/apps/ApiShop', { phone: null });
      assert.equal(res.status, 422); // live apps need a phone
      const app = await (await h.request('/api/v1/apps/ApiShop', { headers: ADMIN })).json();
      assert.equal(app.phone, '14155550123');
      assert.equal(app.live, true);
    });

    it('Should publish an OpenAPI document generated from the route schemas', async () => {
      const res = await h.request('/openapi.json');
      assert.equal(res.status, 200);
      const doc = await res.json();
      assert.equal(doc.openapi, '3.1.0');
      assert.ok(doc.paths['/api/v1/apps'].post);
      assert.ok(doc.paths['/api/v1/apps/{app}'].patch);
      assert.ok(doc.components.schemas.App.properties.allowedOrigins);
      assert.ok(doc.components.schemas.Error);
    });
  });
}

describe('admin API switched off', () => {
  it('Should refuse app creation when no ADMIN_TOKEN is configured', async () => {
    const h = await harness('sqlite', { config: { adminToken: null } });
    try {
      const res = await h.request('/api/v1/apps', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer anything-at-all-long' },
        body: '{"name":"Abc","displayName":"A"}',
      });
      assert.equal(res.status, 401);
    } finally {
      await h.close();
    }
  });
});
