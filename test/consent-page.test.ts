import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { form, harness, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';
import { appByName } from '../server/store/apps.js';
import { consentByRef, consentsFor, shownText } from '../server/store/ledger.js';
import { getUser } from '../server/store/users.js';

for (const kind of STORE_KINDS) {
  describe(`hosted consent page (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    let live: string;
    let sandbox: string;
    before(async () => {
      h = await harness(kind);
      live = (await h.makeApp({ name: 'LiveShop', displayName: 'Acme Shoes', phone: '+14155550123', live: true })).name;
      sandbox = (await h.makeApp({ name: 'SandShop', displayName: 'Sand Co' })).name;
    });
    after(() => h.close());

    const consents = async (name: string, phone: string) => {
      const app = (await h.store.read(appByName, name))!;
      return h.store.read(consentsFor, app.id, phone);
    };

    describe('GET /o/:app', () => {
      it('Should name the business, say "on WhatsApp" and show an unticked box with a real label', async () => {
        const res = await h.request(`/o/${live}`);
        assert.equal(res.status, 200);
        const body = await res.text();
        assert.match(body, /<html lang="en">/);
        assert.match(body, /<bdi>Acme Shoes<\/bdi> on WhatsApp/);
        assert.match(body, /<input[^>]*type="checkbox" id="consent" name="consent" value="yes"/);
        assert.doesNotMatch(body, /<input[^>]*id="consent"[^>]*checked/);
        assert.match(
          body,
          /<label[^>]*for="consent">I agree to receive messages from <bdi>Acme Shoes<\/bdi> on WhatsApp/,
        );
        assert.match(body, /<label[^>]*for="phone">/);
        assert.match(body, /name="phone" type="tel"/);
        assert.doesNotMatch(body, /<script/i);
        assert.doesNotMatch(body, /Test mode/);
      });

      it('Should carry a strict CSP with no script and no unsafe-inline, and secure headers', async () => {
        const res = await h.request(`/o/${live}`);
        const csp = res.headers.get('content-security-policy')!;
        assert.match(csp, /default-src 'none'/);
        assert.match(csp, /style-src 'sha256-[A-Za-z0-9+/=]+'/);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|script-src/);
        assert.match(csp, /frame-ancestors 'none'/);
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(res.headers.get('x-frame-options'), 'DENY');
        assert.equal(res.headers.get('cross-origin-resource-policy'), 'same-origin');
        // The inlined CSS is exactly what the hash covers.
        const css = /<style>([\s\S]*?)<\/style>/.exec(await res.text())![1]!;
        const { createHash } = await import('node:crypto');
        assert.ok(csp.includes(`'sha256-${createHash('sha256').update(css).digest('base64')}'`));
      });

      it('Should speak Spanish and Portuguese: lang first, then Accept-Language', async () => {
        const es = await (await h.request(`/o/${live}?lang=es`, { headers: { 'accept-language': 'pt-BR' } })).text();
        assert.match(es, /<html lang="es">/);
        assert.match(es, /Acme Shoes en WhatsApp/);
        assert.match(es, /Continuar a WhatsApp/);
        const pt = await (await h.request(`/o/${live}`, { headers: { 'accept-language': 'pt-BR,pt;q=0.9' } })).text();
        assert.match(pt, /<html lang="pt">/);
        assert.match(pt, /Acme Shoes no WhatsApp/);
        const en = await (await h.request(`/o/${live}`, { headers: { 'accept-language': 'de-DE' } })).text();
        assert.match(en, /<html lang="en">/);
      });

      it('Should find the app without regard to case', async () => {
        assert.equal((await h.request('/o/liveshop')).status, 200);
      });

      it('Should show a note with PROXY <name> while the app is not live', async () => {
        assert.match(await (await h.request(`/o/${sandbox}`)).text(), /Test mode[^<]*PROXY SandShop/);
      });

      it('Should answer an unknown app with a friendly 404 page', async () => {
        const res = await h.request('/o/NoSuchApp');
        assert.equal(res.status, 404);
        assert.match(res.headers.get('content-type')!, /text\/html/);
        assert.match(await res.text(), /This opt-in link is not valid/);
      });

      for (const q of ['c=has%20space', 'c=' + 'x'.repeat(65), 'lang=fr', 'via=sms', 'via=api', 'c=%3Cscript%3E']) {
        it(`Should answer a malformed link (${q}) with a friendly 400 page`, async () => {
          const res = await h.request(`/o/${live}?${q}`);
          assert.equal(res.status, 400);
          assert.match(await res.text(), /This link is not valid/);
        });
      }

      it('Should keep the campaign and via in hidden fields', async () => {
        const body = await (await h.request(`/o/${live}?via=qr&c=spring-sale`)).text();
        assert.match(body, /name="via" value="qr"/);
        assert.match(body, /name="c" value="spring-sale"/);
      });
    });

    describe('via widget: the page a widget falls back to', () => {
      it('Should carry via widget and the page it came from through the form, and record both', async () => {
        const page = 'https://unlisted.example/p/shoes?x=1';
        const q = new URLSearchParams({ via: 'widget', page, c: 'bubble' });
        const body = await (await h.request(`/o/${live}?${q}`)).text();
        assert.match(body, /name="via" value="widget"/);
        assert.match(body, /name="page" value="https:\/\/unlisted\.example\/p\/shoes\?x=1"/);
        const res = await h.request(
          `/o/${live}`,
          form(
            { consent: 'yes', phone: '+1 415 555 0177', via: 'widget', page, c: 'bubble', lang: 'en' },
            { referer: `http://optin.test/o/${live}?${q}` },
          ),
        );
        assert.equal(res.status, 303);
        const [c] = await consents(live, '14155550177');
        assert.equal(c?.via, 'widget');
        assert.equal(c?.page, page);
        assert.equal(c?.campaign, 'bubble');
        // A malformed page is left out rather than refused: the consent still counts.
        const odd = await h.request(`/o/${live}?via=widget&page=javascript:alert(1)`);
        assert.equal(odd.status, 200);
        assert.doesNotMatch(await odd.text(), /name="page"/);
      });
    });

    describe('POST /o/:app', () => {
      it('Should record the consent and answer 303 to the live thread with the reference', async () => {
        const res = await h.request(
          `/o/${live}`,
          form(
            { consent: 'yes', phone: '+1 415 555 0142', via: 'qr', c: 'poster-1', lang: 'en' },
            { 'user-agent': 'OldPhone/1.0', referer: 'http://optin.test/o/LiveShop?via=qr' },
          ),
        );
        assert.equal(res.status, 303);
        const loc = res.headers.get('location')!;
        const m = /^https:\/\/wa\.me\/14155550123\?text=Hi%20Acme%20Shoes!%20\(ref%20([A-Z2-9]{6})\)$/.exec(loc);
        assert.ok(m, loc);
        const [c] = await consents(live, '14155550142');
        assert.ok(c);
        assert.equal(c.action, 'opt_in');
        assert.equal(c.via, 'qr');
        assert.equal(c.campaign, 'poster-1');
        assert.equal(c.ref, m[1]);
        assert.equal(c.userAgent, 'OldPhone/1.0');
        assert.equal(c.locale, 'en');
        assert.equal(c.wordingVersion, 1);
        assert.match(
          (await h.store.read(shownText, c.wordingSha256!)) ?? '',
          /^I agree to receive messages from Acme Shoes on WhatsApp/,
        );
        assert.equal((await h.store.read(getUser, c.appId, '14155550142'))?.optin, 'opted_in');
      });

      it('Should send a sandbox app to the proxy number with exactly PROXY <name>', async () => {
        const res = await h.request(`/o/${sandbox}`, form({ consent: 'yes', phone: '+14155550143' }));
        assert.equal(res.status, 303);
        assert.equal(res.headers.get('location'), 'https://wa.me/917834811114?text=PROXY%20SandShop');
        assert.equal((await consents(sandbox, '14155550143'))[0]?.via, 'url');
      });

      for (const [what, fields] of [
        ['no consent', { phone: '+14155550144' }],
        ['consent=no', { consent: 'no', phone: '+14155550144' }],
        ['consent=on', { consent: 'on', phone: '+14155550144' }],
      ] as const) {
        it(`Should answer 422 with the page, the error stated and the input kept, for ${what}; nothing is recorded`, async () => {
          const res = await h.request(`/o/${live}`, form(fields));
          assert.equal(res.status, 422);
          const body = await res.text();
          assert.match(body, /role="alert" tabindex="-1" autofocus/);
          assert.match(body, /<a href="#consent">Tick the box to agree/);
          assert.match(body, /id="consent"[^>]*aria-invalid="true" aria-describedby="consent-error"/);
          assert.match(body, /value="\+14155550144"/);
          assert.deepEqual(await consents(live, '14155550144'), []);
        });
      }

      for (const phone of ['', '12345', 'call me', '+1 555']) {
        it(`Should answer 422 for the phone "${phone}" and record nothing`, async () => {
          const res = await h.request(`/o/${live}`, form({ consent: 'yes', phone, lang: 'es' }));
          assert.equal(res.status, 422);
          const body = await res.text();
          assert.match(body, /<html lang="es">/);
          assert.match(body, /href="#phone"/);
          assert.match(body, /id="phone"[^>]*aria-invalid="true"/);
        });
      }

      it('Should refuse a wrong content type with 415 and an oversized body with 413', async () => {
        const json = await h.request(`/o/${live}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"consent":"yes"}',
        });
        assert.equal(json.status, 415);
        const big = await h.request(
          `/o/${live}`,
          form({ consent: 'yes', phone: '+14155550145', pad: 'x'.repeat(20_000) }),
        );
        assert.equal(big.status, 413);
        assert.deepEqual(await consents(live, '14155550145'), []);
      });

      for (const [what, fields] of [
        ['a bad campaign', { c: 'a b' }],
        ['a bad lang', { lang: 'fr' }],
        ['a bad via', { via: 'api' }],
      ] as const) {
        it(`Should refuse ${what} with 400 and record nothing`, async () => {
          const res = await h.request(`/o/${live}`, form({ consent: 'yes', phone: '+14155550146', ...fields }));
          assert.equal(res.status, 400);
          assert.deepEqual(await consents(live, '14155550146'), []);
        });
      }

      it('Should answer an unknown app with the friendly 404 page', async () => {
        const res = await h.request('/o/NoSuchApp', form({ consent: 'yes', phone: '+14155550147' }));
        assert.equal(res.status, 404);
      });

      it('Should record nothing when the honeypot is filled, yet look like success to the bot', async () => {
        const res = await h.request(
          `/o/${live}`,
          form({ consent: 'yes', phone: '+14155550148', website: 'http://spam.example' }),
        );
        assert.equal(res.status, 303);
        assert.match(res.headers.get('location')!, /^https:\/\/wa\.me\/14155550123\?text=Hi%20Acme%20Shoes!$/);
        assert.deepEqual(await consents(live, '14155550148'), []);
      });

      const attacks: Record<string, string>[] = [
        { via: '//evil.example' },
        { via: 'https:evil.example' },
        { c: '%2F%2Fevil.example' },
        { c: 'x\r\nLocation: https://evil.example' },
        { lang: 'en\r\nSet-Cookie: a=b' },
        { phone: '+14155550149\r\nLocation: //evil.example' },
        { redirect: 'https://evil.example', next: '//evil.example', return_to: 'https:evil' },
      ];
      for (const extra of attacks) {
        it(`Should never redirect anywhere the server did not build: ${JSON.stringify(extra)}`, async () => {
          const res = await h.request(`/o/${live}`, form({ consent: 'yes', phone: '+14155550150', ...extra }));
          const loc = res.headers.get('location');
          if (loc !== null)
            assert.match(loc, /^https:\/\/wa\.me\/14155550123\?text=Hi%20Acme%20Shoes!%20\(ref%20[A-Z2-9]{6}\)$/);
          else assert.ok(res.status >= 400 && res.status < 500, String(res.status));
          assert.equal(res.headers.get('set-cookie'), null);
        });
      }
      it('Should not be steered by path tricks on the app name', async () => {
        for (const path of ['/o/%2F%2Fevil.example', '/o//evil.example', '/o/LiveShop%0D%0ALocation:%20x']) {
          const res = await h.request(path, form({ consent: 'yes', phone: '+14155550151' }));
          assert.ok(res.status === 404, `${path}: ${res.status}`);
          assert.equal(res.headers.get('location'), null);
        }
      });
    });

    describe('a display name holding markup', () => {
      it('Should be escaped everywhere it appears', async () => {
        const { name } = await h.makeApp({ name: 'XssShop', displayName: '<script>alert(1)</script>&"\'' });
        const page = await (await h.request(`/o/${name}`)).text();
        assert.doesNotMatch(page, /<script>alert/);
        assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&amp;&quot;&#39;/);
        const err = await (await h.request(`/o/${name}`, form({ phone: '"><script>x</script>' }))).text();
        assert.doesNotMatch(err, /<script>/);
        assert.match(err, /value="&quot;&gt;&lt;script&gt;x&lt;\/script&gt;"/);
        const pub = await (await h.request(`/api/v1/apps/${name}/public`)).json();
        assert.equal(pub.displayName, '<script>alert(1)</script>&"\'');
      });
    });
  });
}

describe('rate limit on consent posts', () => {
  it('Should answer 429 with Retry-After past the limit, per IP, and record nothing more', async () => {
    const h = await harness('sqlite', { config: { consentRateLimit: 3, trustProxy: true } });
    try {
      const { name, app } = await h.makeApp({ name: 'Limited', phone: '+14155550123', live: true });
      const post = (ip: string, phone: string) =>
        h.request(`/o/${name}`, form({ consent: 'yes', phone }, { 'x-forwarded-for': ip }));
      for (let i = 0; i < 3; i++) assert.equal((await post('198.51.100.1', `+1415555016${i}`)).status, 303);
      const limited = await post('198.51.100.1', '+14155550169');
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);
      assert.match(await limited.text(), /Too many attempts/);
      assert.equal(await h.store.read(getUser, app.id, '14155550169'), null);
      assert.equal((await post('198.51.100.2', '+14155550168')).status, 303);
    } finally {
      await h.close();
    }
  });
});

describe('client addresses behind a proxy', () => {
  it('Should trust only the last X-Forwarded-For hop, and only when it is an IP', async () => {
    const h = await harness('sqlite', { config: { consentRateLimit: 2, trustProxy: true } });
    try {
      const { name, app } = await h.makeApp({ name: 'Proxied', phone: '+14155550123', live: true });
      const post = (xff: string, phone: string) =>
        h.request(`/o/${name}`, form({ consent: 'yes', phone }, { 'x-forwarded-for': xff }));
      // A client that rotates the first hop is still one client to the limiter.
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await post(`10.0.0.${i}, 198.51.100.9`, `+1415555031${i}`)).status);
      assert.deepEqual(statuses, [303, 303, 429, 429]);
      assert.equal((await h.store.read(consentsFor, app.id, '14155550310'))[0]?.ip, '198.51.100.9');
      assert.equal((await post('<script>', '+14155550319')).status, 303);
      assert.equal((await h.store.read(consentsFor, app.id, '14155550319'))[0]?.ip, null);
    } finally {
      await h.close();
    }
  });
});

describe('odd input on the consent page', () => {
  it('Should answer a very long phone with 422, keeping (a bounded part of) the input', async () => {
    const h = await harness('sqlite');
    try {
      const { name } = await h.makeApp({ name: 'LongPhone' });
      const res = await h.request(`/o/${name}`, form({ consent: 'yes', phone: '+1'.padEnd(300, '5') }));
      assert.equal(res.status, 422);
      assert.match(await res.text(), /href="#phone"/);
    } finally {
      await h.close();
    }
  });
  it('Should not send gzip to a client that refuses it with q=0', async () => {
    const h = await harness('sqlite');
    try {
      const { name } = await h.makeApp({ name: 'NoGzip' });
      assert.equal(
        (await h.request(`/o/${name}`, { headers: { 'accept-encoding': 'gzip;q=0, identity' } })).headers.get(
          'content-encoding',
        ),
        null,
      );
      assert.equal(
        (await h.request(`/o/${name}`, { headers: { 'accept-encoding': 'br, gzip;q=0.5' } })).headers.get(
          'content-encoding',
        ),
        'gzip',
      );
    } finally {
      await h.close();
    }
  });
});

describe('phone field settings', () => {
  it('Should hide the field when the app asks for none, and accept consent without a phone', async () => {
    const h = await harness('sqlite');
    try {
      const { name, app } = await h.makeApp({
        name: 'NoPhoneField',
        phone: '+14155550123',
        live: true,
        settings: { phoneField: 'none' },
      });
      assert.doesNotMatch(await (await h.request(`/o/${name}`)).text(), /name="phone"/);
      const res = await h.request(`/o/${name}`, form({ consent: 'yes', phone: '+14155550170' }));
      assert.equal(res.status, 303);
      const ref = /\(ref%20([A-Z2-9]{6})\)/.exec(res.headers.get('location')!)![1]!;
      assert.equal((await h.store.read(consentByRef, app.id, ref))?.phone, '');
      assert.equal(await h.store.read(getUser, app.id, '14155550170'), null);
    } finally {
      await h.close();
    }
  });
  it('Should mark the field optional, and still refuse an invalid number', async () => {
    const h = await harness('sqlite');
    try {
      const { name } = await h.makeApp({ name: 'OptPhone', settings: { phoneField: 'optional' } });
      assert.match(await (await h.request(`/o/${name}`)).text(), /\(optional\)/);
      assert.equal((await h.request(`/o/${name}`, form({ consent: 'yes', phone: '' }))).status, 303);
      assert.equal((await h.request(`/o/${name}`, form({ consent: 'yes', phone: '999' }))).status, 422);
    } finally {
      await h.close();
    }
  });
});
