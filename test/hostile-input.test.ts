import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN, form, harness, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';
import { patchApp } from './support/ledger.js';
import { csrfOf, post, signIn } from './support/settings.js';
import { appByName } from '../server/store/apps.js';
import { recordWebConsent } from '../server/services/consent.js';

/** Texts as they travel in a JSON body: `\u0000` and a lone `\ud800` are valid JSON escapes. */
const NUL = '\\u0000';
const LONE = '\\ud800';

for (const kind of STORE_KINDS) {
  describe(`hostile input (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    let name: string;
    let auth: Record<string, string>;
    before(async () => {
      h = await harness(kind, { config: { sandboxWebhookToken: 'sandbox-token-0123456789' } });
      const made = await h.makeApp({ name: 'Hostile1', phone: '+14155550123', live: true });
      name = made.name;
      auth = { authorization: `Bearer ${made.apiKey}` };
    });
    after(() => h.close());

    const consentCount = async () =>
      Number(
        (
          await h.store.read(function* () {
            return (yield { kind: 'get', sql: 'SELECT COUNT(*) AS n FROM consents', params: [] }) as { n: number };
          })
        ).n,
      );
    const json = (method: string, path: string, body: string, headers = auth) =>
      h.request(path, { method, headers: { 'content-type': 'application/json', ...headers }, body });
    const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

    it('Should answer no 5xx to NUL, lone surrogates or malformed escapes on any route', async () => {
      const cases: [string, string, RequestInit][] = [];
      const J = (method: string, body: string, headers: Record<string, string> = auth): RequestInit => ({
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      for (const bad of [NUL, LONE]) {
        const widget = { 'content-type': 'text/plain', origin: 'http://optin.test' };
        cases.push(
          [
            `widget page ${bad}`,
            `/api/v1/apps/${name}/optins`,
            J('POST', `{"consent":true,"phone":"+14155550124","page":"a${bad}b"}`, widget),
          ],
          [
            `widget phone ${bad}`,
            `/api/v1/apps/${name}/optins`,
            J('POST', `{"consent":true,"phone":"+1415555${bad}0124"}`, widget),
          ],
          [`widget key ${bad}`, `/api/v1/apps/${name}/optins`, J('POST', `{"consent":true,"a${bad}":1}`, widget)],
          [`displayName ${bad}`, `/api/v1/apps/${name}`, J('PATCH', `{"displayName":"Ac${bad}me"}`)],
          [`prefill ${bad}`, `/api/v1/apps/${name}`, J('PATCH', `{"prefill":"Hi${bad}"}`)],
          [
            `wording ${bad}`,
            `/api/v1/apps/${name}`,
            J('PATCH', `{"wording":{"en":"I agree {business} WhatsApp ${bad} more"}}`),
          ],
          [`auto text ${bad}`, `/api/v1/apps/${name}`, J('PATCH', `{"autoOptinMessage":{"text":{"en":"Hi ${bad}"}}}`)],
          [`privacyUrl ${bad}`, `/api/v1/apps/${name}`, J('PATCH', `{"privacyUrl":"https://a.example/${bad}"}`)],
          [`origin ${bad}`, `/api/v1/apps/${name}`, J('PATCH', `{"allowedOrigins":["https://a${bad}.example"]}`)],
          [`secret ${bad}`, `/api/v1/apps/${name}`, J('PATCH', `{"secrets":{"twilioAuthToken":"abcdefgh${bad}"}}`)],
          [
            `create ${bad}`,
            '/api/v1/apps',
            J('POST', `{"name":"Zed${bad === NUL ? 1 : 2}","displayName":"Z${bad}"}`, ADMIN),
          ],
          [`campaign ${bad}`, `/api/v1/apps/${name}/users/14155550125/optin`, J('PUT', `{"campaign":"a${bad}"}`)],
          [
            `eligibility ${bad}`,
            `/api/v1/apps/${name}/eligibility`,
            J('POST', `{"phone":"1415555012${bad}","kind":"text"}`),
          ],
          [`recover ${bad}`, `/api/v1/apps/${name}/events/recover`, J('POST', `{"since":"2026${bad}"}`)],
          [
            `sandbox hook ${bad}`,
            '/hooks/sandbox/whatsapp',
            J(
              'POST',
              `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"14155550199","id":"wamid.${bad}","timestamp":"1","type":"text","text":{"body":"PROXY ${name}${bad}"}}]}}]}]}`,
              { authorization: 'Bearer sandbox-token-0123456789' },
            ),
          ],
        );
      }
      for (const p of ['%25', '%', '%E0%A4%A', '%00', '%ED%A0%80', '1415%005550123', '%FF'])
        for (const [method, path] of [
          ['GET', `/api/v1/apps/${name}/users/${p}`],
          ['PUT', `/api/v1/apps/${name}/users/${p}/optin`],
          ['DELETE', `/api/v1/apps/${name}/users/${p}`],
          ['GET', `/o/${p}`],
          ['POST', `/o/${p}`],
          ['GET', `/o/${name}?c=${p}`],
          ['GET', `/o/${name}?lang=${p}`],
          ['GET', `/o/${name}/qr.svg?c=${p}`],
          ['GET', `/api/v1/apps/${p}/public`],
          ['OPTIONS', `/api/v1/apps/${p}/optins`],
          ['GET', `/hooks/${p}/whatsapp?hub.mode=${p}`],
          ['POST', `/hooks/${p}/sms`],
          ['GET', `/api/v1/apps/${p}`],
          ['GET', `/api/v1/apps/${name}/users?cursor=${p}`],
          ['GET', `/api/v1/apps/${name}/events/${p}`],
          ['GET', `/settings?lang=${p}`],
          ['GET', `/assets/${p}`],
          ['GET', `/demo?app=${p}`],
        ] as const)
          cases.push([`${method} ${path}`, path, { method, headers: auth }]);
      cases.push(
        ['consent form NUL', `/o/${name}`, form({ consent: 'yes', phone: '+1415555\u00000126', c: 'a\u0000' })],
        ['consent form NUL lang', `/o/${name}`, form({ consent: 'yes', phone: '+14155550126', lang: '\u0000' })],
        ['settings sign-in NUL', '/settings/session', form({ key: 'okk_\u0000' }, { origin: 'http://optin.test' })],
      );
      const before = await consentCount();
      const failures: string[] = [];
      for (const [label, path, init] of cases) {
        const res = await h.request(path, init);
        const text = await res.text();
        if (res.status >= 500) failures.push(`${res.status} ${label}: ${text.slice(0, 100)}`);
      }
      assert.deepEqual(failures, []);
      assert.equal(await consentCount(), before, 'nothing hostile was recorded');
    });

    it('Should refuse NUL in the widget’s page field without a key, and record nothing', async () => {
      const before = await consentCount();
      const res = await h.request(`/api/v1/apps/${name}/optins`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://optin.test' },
        body: `{"consent":true,"phone":"+14155550124","page":"a${NUL}b"}`,
      });
      assert.equal(res.status, 422);
      const b = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(b.error.code, 'invalid_text');
      assert.match(b.error.message, /^page .*NUL/);
      assert.equal(await consentCount(), before);
    });

    it('Should refuse lone surrogates in every app text as not well-formed Unicode', async () => {
      for (const body of [
        `{"prefill":"Hi ${LONE}!"}`,
        `{"displayName":"Acme ${LONE}"}`,
        `{"wording":{"en":"I agree that {business} may write on WhatsApp ${LONE}"}}`,
      ]) {
        const res = await json('PATCH', `/api/v1/apps/${name}`, body);
        assert.equal(res.status, 422, body);
        const b = (await res.json()) as { error: { code: string; message: string } };
        assert.equal(b.error.code, 'invalid_text');
        assert.match(b.error.message, /not well-formed Unicode/);
      }
      const app = (await h.store.read(appByName, name))!;
      assert.equal(app.settings.prefill, 'Hi Acme Shoes!');
      assert.equal(app.displayName, 'Acme Shoes');
    });

    it('Should still send people to WhatsApp when a lone surrogate was stored before the check', async () => {
      const { app } = await h.makeApp({ name: 'Hostile2', phone: '+14155550123', live: true });
      await patchApp(h.store, app.id, { settings: { ...app.settings, prefill: 'Hi \uD800!' } }, Date.now());
      const before = await consentCount();
      const page = await h.request('/o/Hostile2', form({ consent: 'yes', phone: '+14155550130' }));
      assert.equal(page.status, 303);
      assert.match(
        page.headers.get('location')!,
        /^https:\/\/wa\.me\/14155550123\?text=Hi%20%EF%BF%BD!%20\(ref%20[A-Z2-9]{6}\)$/,
      );
      const widget = await h.request('/api/v1/apps/Hostile2/optins', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://optin.test' },
        body: '{"consent":true,"phone":"+14155550131"}',
      });
      assert.equal(widget.status, 201);
      assert.equal(await consentCount(), before + 2, 'one record per consent, each answered');
    });

    it('Should build the redirect before writing: one that cannot be built records nothing', async () => {
      const { app } = await h.makeApp({ name: 'Hostile3', phone: '+14155550123', live: true });
      // A phone waMeLink refuses, stored without validation: building the link throws.
      const broken = await patchApp(h.store, app.id, { phone: '12' }, Date.now());
      const before = await consentCount();
      await assert.rejects(
        recordWebConsent(h.deps, broken, '14155550132', {
          phone: '14155550132',
          via: 'url',
          campaign: null,
          locale: 'en',
          wordingVersion: null,
          ip: null,
          userAgent: null,
          page: null,
        }),
        /6 to 15 digits/,
      );
      assert.equal(await consentCount(), before);
    });

    it('Should decode a phone in the path once: %25 is a 422, a malformed escape a 400', async () => {
      const pct = await h.request(`/api/v1/apps/${name}/users/%25`, { headers: auth });
      assert.equal(pct.status, 422);
      assert.equal(await code(pct), 'invalid_phone');
      for (const p of ['%', '%E0%A4%A', '%ED%A0%80', '1415%005550123']) {
        const res = await h.request(`/api/v1/apps/${name}/users/${p}`, { headers: auth });
        assert.equal(res.status, 400, p);
        assert.equal(await code(res), 'malformed_url');
      }
      const plus = await h.request(`/api/v1/apps/${name}/users/%2B14155550125/optin`, { method: 'PUT', headers: auth });
      assert.equal(plus.status, 200, 'an escaped + still names the number');
      const page = await h.request('/o/%E0%A4%A');
      assert.equal(page.status, 400);
      assert.match(page.headers.get('content-type')!, /text\/html/);
    });

    it('Should refuse control and bidi-override characters in displayName, everywhere it is set', async () => {
      for (const dn of [
        'Acme\u202Eseohs',
        'Acme\u2066x\u2069',
        'Ac\u0007me',
        'Acme\u001B[31m',
        'Ac\nme',
        'Ac\u0085me',
      ]) {
        const create = await json('POST', '/api/v1/apps', JSON.stringify({ name: 'Spoof1', displayName: dn }), ADMIN);
        assert.equal(create.status, 422, JSON.stringify(dn));
        assert.equal(await code(create), 'invalid_display_name');
        const patch = await json('PATCH', `/api/v1/apps/${name}`, JSON.stringify({ displayName: dn }));
        assert.equal(patch.status, 422, JSON.stringify(dn));
        assert.equal(await code(patch), 'invalid_display_name');
      }
      const ok = await json('PATCH', `/api/v1/apps/${name}`, JSON.stringify({ displayName: 'متجر Acme 👟' }));
      assert.equal(ok.status, 200, 'right-to-left letters and emoji are names, not spoofing');
      await json('PATCH', `/api/v1/apps/${name}`, JSON.stringify({ displayName: 'Acme Shoes' }));
    });

    it('Should refuse NUL in the consent and Settings forms with a 400 page, and bidi overrides in wording', async () => {
      const before = await consentCount();
      const page = await h.request(`/o/${name}`, form({ consent: 'yes', phone: '+14155550133', c: 'spring\u0000' }));
      assert.equal(page.status, 400);
      assert.match(await page.text(), /<html/);
      assert.equal(await consentCount(), before);

      const { cookie } = await signIn(h, auth.authorization!.slice('Bearer '.length));
      const csrf = await csrfOf(h, cookie!);
      const nul = await post(h, '/settings/options/origins', { csrf, origins: 'https://a.example\u0000' }, cookie);
      assert.equal(nul.status, 400);
      const bidi = await post(
        h,
        '/settings/options/wording',
        { csrf, wording_en: 'I agree that {business} may write to me on WhatsApp \u202Egnirts' },
        cookie,
      );
      assert.equal(bidi.status, 422);
      const app = (await h.store.read(appByName, name))!;
      assert.deepEqual(app.settings.allowedOrigins, []);
    });
  });
}
