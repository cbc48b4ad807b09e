import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../core/clock.js';
import { SETTINGS_MESSAGES } from '../core/settings-messages.js';
import { newApiKey, sha256 } from '../server/keys.js';
import { rotateKey, userHistory } from '../server/store/users.js';
import { harness, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';

const ORIGIN = 'http://optin.test';
const T0 = Date.parse('2026-11-20T09:00:00Z');

type H = TestHarness;

async function signIn(h: H, key: string, cookie?: string): Promise<{ res: Response; cookie: string | null }> {
  const res = await h.request('/settings/session', {
    method: 'POST',
    headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams({ key }).toString(),
    redirect: 'manual',
  });
  const set = res.headers.get('set-cookie');
  return { res, cookie: set ? set.split(';')[0]! : null };
}

const get = (h: H, path: string, cookie?: string | null, headers: Record<string, string> = {}) => h.request(path, { headers: { ...(cookie ? { cookie } : {}), ...headers }, redirect: 'manual' });

function post(h: H, path: string, fields: Record<string, string>, cookie: string | null, headers: Record<string, string> = { origin: ORIGIN }) {
  return h.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}), ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

async function csrfOf(h: H, cookie: string): Promise<string> {
  const html = await (await get(h, '/settings/options', cookie)).text();
  return /name="csrf" value="([^"]+)"/.exec(html)![1]!;
}

/** The error shown beside a field: the element with id `<field>-error`. */
const fieldError = (html: string, id: string) => new RegExp(`id="${id}-error">([^<]+)<`).exec(html)?.[1] ?? null;

it('Should have every Settings string in English, Spanish and Portuguese', () => {
  const keys = Object.keys(SETTINGS_MESSAGES.en).sort();
  for (const l of ['es', 'pt'] as const) assert.deepEqual(Object.keys(SETTINGS_MESSAGES[l]).sort(), keys, l);
  for (const l of ['en', 'es', 'pt'] as const) for (const [k, v] of Object.entries(SETTINGS_MESSAGES[l])) assert.ok(v.length > 0, `${l}.${k}`);
});

for (const kind of STORE_KINDS) {
  describe(`the Settings page (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: H;
    const clock = manualClock(T0);
    before(async () => {
      h = await harness(kind, { clock });
    });
    after(async () => h?.close());

    const newApp = async (o: Parameters<H['makeApp']>[0] = {}) => {
      const made = await h.makeApp(o);
      const { cookie } = await signIn(h, made.apiKey);
      assert.ok(cookie);
      return { ...made, cookie: cookie!, csrf: await csrfOf(h, cookie!) };
    };

    it('Should show the sign-in form with strict headers', async () => {
      const res = await get(h, '/settings');
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /<form[^>]+action="\/settings\/session"/);
      assert.match(html, /type="password"/);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      const csp = res.headers.get('content-security-policy')!;
      assert.match(csp, /^default-src 'none'/);
      assert.match(csp, /script-src 'self';/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(html, /<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    });

    it('Should exchange a valid key for an HttpOnly, Secure, SameSite=Strict __Host- cookie, storing only its hash', async () => {
      const { apiKey } = await h.makeApp();
      const { res, cookie } = await signIn(h, apiKey);
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/settings');
      const set = res.headers.get('set-cookie')!;
      assert.match(set, /^__Host-optin_session=[A-Za-z0-9_-]{43};/);
      for (const attr of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']) assert.ok(set.includes(attr), attr);
      assert.ok(!set.includes(apiKey), 'the key is not in the cookie');
      const id = cookie!.split('=')[1]!;
      const rows = await h.store.driver.read(function* () {
        return (yield { kind: 'all', sql: 'SELECT id_hash FROM sessions', params: [] }) as { id_hash: string }[];
      });
      assert.ok(rows.some((r) => r.id_hash === sha256(id)));
      assert.ok(!rows.some((r) => r.id_hash === id), 'the raw id is never stored');
      const page = await get(h, '/settings', cookie);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Opt-in tools/);
    });

    it('Should answer a wrong key with 401, the form and an error, and rate-limit repeated failures per IP', async () => {
      const { res, cookie } = await signIn(h, 'okk_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB');
      assert.equal(res.status, 401);
      assert.equal(cookie, null);
      const html = await res.text();
      assert.equal(fieldError(html, 'api-key'), 'That API key is not valid');
      assert.match(html, /role="alert"/);
      assert.equal((await signIn(h, '')).res.status, 401);
      let last = 0;
      for (let i = 0; i < 12; i++) last = (await signIn(h, `nonsense-${i}`)).res.status;
      assert.equal(last, 429);
      // A right key from that address waits too, until the minute has passed.
      const { apiKey } = await h.makeApp();
      assert.equal((await signIn(h, apiKey)).res.status, 429);
      clock.advance(61_000);
      assert.equal((await signIn(h, apiKey)).res.status, 303);
    });

    it('Should never adopt a cookie set before sign-in (session fixation)', async () => {
      const { apiKey } = await h.makeApp();
      const planted = `__Host-optin_session=${'A'.repeat(43)}`;
      const first = await signIn(h, apiKey, planted);
      assert.ok(first.cookie && first.cookie !== planted);
      assert.equal((await get(h, '/settings/options', planted)).status, 303, 'the planted id opens nothing');
      // Signing in again over a valid session makes a new id and ends the old one.
      const second = await signIn(h, apiKey, first.cookie!);
      assert.ok(second.cookie && second.cookie !== first.cookie);
      assert.equal((await get(h, '/settings/options', first.cookie)).status, 303);
      assert.equal((await get(h, '/settings/options', second.cookie)).status, 200);
    });

    it('Should refuse a form without the CSRF token, with a forged one, or from another origin, and change nothing', async () => {
      const a = await newApp();
      const fields = { color: '#123456', position: 'left' };
      const attempts: [Record<string, string>, Record<string, string>][] = [
        [fields, { origin: ORIGIN }],
        [{ ...fields, csrf: 'forged-token' }, { origin: ORIGIN }],
        [{ ...fields, csrf: a.csrf }, { origin: 'https://evil.example' }],
        [{ ...fields, csrf: a.csrf }, { referer: 'https://evil.example/page' }],
        [{ ...fields, csrf: a.csrf }, {}],
      ];
      for (const [f, headers] of attempts) {
        const res = await post(h, '/settings/options/theme', f, a.cookie, headers);
        assert.equal(res.status, 403, JSON.stringify(headers));
        assert.match(await res.text(), /This form has expired/);
      }
      // Another session's token does not work here either.
      const b = await newApp();
      assert.equal((await post(h, '/settings/options/theme', { ...fields, csrf: b.csrf }, a.cookie)).status, 403);
      assert.equal((await h.store.getApp(a.name))!.settings.theme.color, '#25D366');
      // The Referer alone, from our origin, is enough (some privacy tools drop Origin).
      const ok = await post(h, '/settings/options/theme', { ...fields, csrf: a.csrf }, a.cookie, { referer: `${ORIGIN}/settings/options` });
      assert.equal(ok.status, 303);
      assert.equal((await h.store.getApp(a.name))!.settings.theme.color, '#123456');
    });

    it('Should refuse a session after 12 idle hours, and after 7 days however busy', async () => {
      const a = await newApp();
      clock.advance(11 * 3600_000);
      assert.equal((await get(h, '/settings/users', a.cookie)).status, 200);
      clock.advance(12 * 3600_000 + 1000);
      const idle = await get(h, '/settings/users', a.cookie);
      assert.equal(idle.status, 303);
      assert.equal(idle.headers.get('location'), '/settings?done=ended');
      assert.match(await (await get(h, '/settings?done=ended')).text(), /Your session has ended/);

      const b = await newApp();
      for (let i = 0; i < 27; i++) {
        clock.advance(6 * 3600_000);
        assert.equal((await get(h, '/settings/options', b.cookie)).status, 200, `after ${(i + 1) * 6} h`);
      }
      clock.advance(6 * 3600_000);
      assert.equal((await get(h, '/settings/options', b.cookie)).status, 303, 'past 7 days');
      assert.equal((await post(h, '/settings/options/template', { csrf: b.csrf, template_messaging: 'on' }, b.cookie)).status, 303);
      assert.equal((await h.store.getApp(b.name))!.settings.templateMessaging, false, 'an expired session changes nothing');
    });

    it('Should sign out, and "Refresh access" should end every session of the app', async () => {
      const a = await newApp();
      const out = await post(h, '/settings/signout', { csrf: a.csrf }, a.cookie);
      assert.equal(out.status, 303);
      assert.match(out.headers.get('set-cookie')!, /__Host-optin_session=;/);
      assert.equal((await get(h, '/settings/options', a.cookie)).status, 303);

      const one = (await signIn(h, a.apiKey)).cookie!;
      const two = (await signIn(h, a.apiKey)).cookie!;
      const other = await newApp();
      const res = await post(h, '/settings/refresh', { csrf: await csrfOf(h, one) }, one);
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/settings?done=refreshed');
      assert.equal((await get(h, '/settings/options', one)).status, 303);
      assert.equal((await get(h, '/settings/options', two)).status, 303);
      assert.equal((await get(h, '/settings/options', other.cookie)).status, 200, 'other apps keep theirs');
    });

    it('Should refuse a rotated-away key and the sessions it opened', async () => {
      const a = await newApp();
      const k = newApiKey();
      await rotateKey(h.store, a.app.id, { id: k.id, hash: k.hash, prefix: k.prefix }, clock.now());
      assert.equal((await get(h, '/settings/options', a.cookie)).status, 303);
      const again = await signIn(h, a.apiKey);
      assert.equal(again.res.status, 401);
      assert.match(await again.res.text(), /replaced by a newer one/);
      assert.equal((await signIn(h, k.key)).res.status, 303);
    });

    it('Should show the five mechanisms with campaign links, QR downloads, the snippet, webhooks and sandbox steps', async () => {
      const a = await newApp({ name: `Tools${kind}` });
      const html = await (await get(h, '/settings?c=spring-sale', a.cookie)).text();
      assert.ok(html.includes(`${ORIGIN}/o/${a.name}?c=spring-sale`));
      assert.ok(html.includes(`/o/${a.name}/qr.svg?download&amp;c=spring-sale`));
      assert.ok(html.includes(`/o/${a.name}/qr.png?size=1024&amp;download&amp;c=spring-sale`));
      assert.ok(html.includes('/settings/poster?paper=a4&amp;c=spring-sale'));
      assert.ok(html.includes(`&lt;script src=&quot;${ORIGIN}/widget.js&quot; data-app=&quot;${a.name}&quot; async&gt;&lt;/script&gt;`));
      assert.ok(html.includes(`${ORIGIN}/hooks/${a.name}/sms`));
      assert.ok(html.includes(`${ORIGIN}/hooks/${a.name}/whatsapp`));
      assert.match(html, /id="verify-state">Not set</);
      assert.ok(html.includes(`PROXY ${a.name}`));
      assert.ok(html.includes(`https://wa.me/917834811114?text=PROXY%20${a.name}`));
      const bad = await get(h, '/settings?c=no%20spaces', a.cookie);
      assert.equal(bad.status, 422);
      assert.equal(fieldError(await bad.text(), 'campaign'), 'Use 1 to 64 letters, digits, - or _');

      const poster = await get(h, '/settings/poster?paper=letter&c=spring-sale', a.cookie);
      const p = await poster.text();
      assert.equal(poster.status, 200);
      assert.match(p, /Acme Shoes/);
      assert.match(p, /Chat with Acme Shoes on WhatsApp/);
      assert.match(p, /@page\{size:letter/);
      assert.equal((await get(h, '/settings/poster?paper=a3', a.cookie)).status, 400);

      const tokenRes = await post(h, '/settings/options/verify', { csrf: a.csrf, verify_token: 'short' }, a.cookie);
      assert.equal(tokenRes.status, 422);
      assert.equal(fieldError(await tokenRes.text(), 'verify-token'), 'Use 8 to 200 characters');
      assert.equal((await post(h, '/settings/options/verify', { csrf: a.csrf, verify_token: 'my-verify-token-1' }, a.cookie)).status, 303);
      assert.equal((await h.store.getApp(a.name))!.secrets.metaVerifyToken, 'my-verify-token-1');
      const after = await (await get(h, '/settings', a.cookie)).text();
      assert.match(after, /id="verify-state">Set</);
      assert.ok(!after.includes('my-verify-token-1'), 'the token is never shown back');
    });

    it('Should save each setting at once, and show each error beside its field with nothing changed', async () => {
      const a = await newApp();
      const save = (form: string, f: Record<string, string>) => post(h, `/settings/options/${form}`, { csrf: a.csrf, ...f }, a.cookie);
      const cur = async () => (await h.store.getApp(a.name))!;

      // Live needs a phone; a bad phone is refused.
      let res = await save('status', { phone: '', live: 'on' });
      assert.equal(res.status, 422);
      assert.equal(fieldError(await res.text(), 'live'), 'Set the WhatsApp number before going live');
      res = await save('status', { phone: '12', live: 'on' });
      const bad = await res.text();
      assert.equal(fieldError(bad, 'phone'), 'Enter a valid phone number with its country code');
      assert.match(bad, /id="phone"[^>]+aria-invalid="true"/);
      assert.match(bad, /value="12"/, 'what was typed is kept');
      assert.equal((await cur()).live, false);
      res = await save('status', { phone: '+1 415 555 0123', live: 'on' });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/settings/options?saved=status#form-status');
      assert.equal((await cur()).live, true);
      assert.equal((await cur()).phone, '14155550123');
      assert.match(await (await get(h, '/settings/options?saved=status', a.cookie)).text(), /role="status">Saved\./);
      assert.equal((await save('status', { phone: '+14155550123' })).status, 303);
      assert.equal((await cur()).live, false, 'back to the sandbox');

      // Template messaging.
      assert.equal((await save('template', { template_messaging: 'on' })).status, 303);
      assert.equal((await cur()).settings.templateMessaging, true);
      assert.equal((await save('template', {})).status, 303);
      assert.equal((await cur()).settings.templateMessaging, false);

      // Wording: a change makes a new version; an unchanged locale does not.
      const w0 = await h.store.currentWordings(a.app.id);
      res = await save('wording', { wording_en: 'No business named here', wording_es: w0.es.template, wording_pt: w0.pt.template });
      assert.equal(res.status, 422);
      assert.match(fieldError(await res.text(), 'wording-en')!, /mention WhatsApp/);
      assert.equal((await h.store.currentWordings(a.app.id)).en.version, w0.en.version);
      res = await save('wording', { wording_en: 'Yes, {business} may message me on WhatsApp.', wording_es: w0.es.template, wording_pt: w0.pt.template });
      assert.equal(res.status, 303);
      const w1 = await h.store.currentWordings(a.app.id);
      assert.equal(w1.en.version, w0.en.version + 1);
      assert.equal(w1.es.version, w0.es.version);
      const page = await (await get(h, '/settings/options', a.cookie)).text();
      assert.ok(page.includes(`English, version ${w1.en.version}`));
      assert.ok(page.includes(`Saving a change makes version ${w1.en.version + 1}.`));

      // Automated opt-in message: off, and a text per language; empty goes back to the default.
      assert.equal((await save('auto', { auto_en: 'Hi! Reply YES for {business} news.', auto_es: '', auto_pt: '' })).status, 303);
      assert.deepEqual((await cur()).settings.autoOptinMessage, { enabled: false, text: { en: 'Hi! Reply YES for {business} news.' } });
      assert.equal((await save('auto', { auto_enabled: 'on', auto_en: '', auto_es: 'Hola', auto_pt: '' })).status, 303);
      assert.deepEqual((await cur()).settings.autoOptinMessage, { enabled: true, text: { es: 'Hola' } });
      res = await save('auto', { auto_enabled: 'on', auto_en: 'x'.repeat(1001) });
      assert.equal(fieldError(await res.text(), 'auto-en'), 'Use at most 1000 characters');

      // Theme colour.
      res = await save('theme', { color: 'green', position: 'right' });
      assert.equal(res.status, 422);
      assert.equal(fieldError(await res.text(), 'theme-color'), 'Enter a hex colour such as #25D366');
      assert.equal((await save('theme', { color: '#aa0000', position: 'left' })).status, 303);
      assert.deepEqual((await cur()).settings.theme, { color: '#aa0000', position: 'left' });

      // Allowed origins, one per line; a trailing slash is forgiven, a path is not.
      res = await save('origins', { origins: 'https://shop.example.com\nhttps://blog.example.com/posts' });
      assert.equal(res.status, 422);
      assert.match(fieldError(await res.text(), 'origins')!, /blog\.example\.com\/posts/);
      assert.deepEqual((await cur()).settings.allowedOrigins, []);
      assert.equal((await save('origins', { origins: 'https://shop.example.com/\r\n\r\nhttp://localhost:3000' })).status, 303);
      assert.deepEqual((await cur()).settings.allowedOrigins, ['https://shop.example.com', 'http://localhost:3000']);

      // Callback URL.
      res = await save('callback', { callback_url: 'ftp://x' });
      assert.equal(fieldError(await res.text(), 'callback-url'), 'Enter an http or https URL');
      assert.equal((await save('callback', { callback_url: 'https://hooks.example.com/optin' })).status, 303);
      assert.equal((await cur()).settings.callbackUrl, 'https://hooks.example.com/optin');
      assert.equal((await save('callback', { callback_url: '' })).status, 303);
      assert.equal((await cur()).settings.callbackUrl, null);

      assert.equal((await save('nonsense', {})).status, 404);
    });

    it('Should list opt-ins masked, reveal, filter, page, show history, opt out and erase with a confirmation', async () => {
      const a = await newApp();
      const base = 14155550100;
      for (let i = 0; i < 30; i++) {
        await h.store.recordConsent({
          id: randomUUID(), appId: a.app.id, phone: String(base + i), action: 'opt_in', via: i % 2 ? 'qr' : 'url', wording: null, locale: 'en',
          at: clock.now() + i, ip: null, userAgent: null, page: null, campaign: i === 0 ? 'spring' : null, ref: null, actor: null, verified: false,
        });
      }
      let html = await (await get(h, '/settings/users', a.cookie)).text();
      assert.ok(html.includes('•••••••0100'), 'masked by default');
      assert.ok(!html.includes('14155550100'), 'the full number is not on the page');
      assert.match(html, /<details/);
      assert.match(html, /campaign spring/);
      const next = /href="\/settings\/users\?cursor=([^"]+)" rel="next"/.exec(html)?.[1];
      assert.ok(next, 'a next page');
      const page2 = await (await get(h, `/settings/users?cursor=${next}`, a.cookie)).text();
      assert.ok(page2.includes('•••••••0129'));
      assert.ok(!page2.includes('•••••••0100'));

      html = await (await get(h, '/settings/users?reveal=1&via=qr', a.cookie)).text();
      assert.ok(html.includes('+14155550101'));
      assert.ok(!html.includes('+14155550100'), 'filtered by via');

      const ref = (p: string) => Buffer.from(p).toString('base64url');
      const confirm = await get(h, `/settings/users/confirm?action=optout&p=${ref('14155550101')}`, a.cookie);
      assert.equal(confirm.status, 200);
      const c = await confirm.text();
      assert.match(c, /Opt out •••••••0101\?/);
      assert.match(c, /name="confirm" value="yes"/);
      assert.equal((await post(h, '/settings/users/optout', { csrf: a.csrf, p: ref('14155550101') }, a.cookie)).status, 400, 'not without the confirmation');
      const out = await post(h, '/settings/users/optout', { csrf: a.csrf, p: ref('14155550101'), confirm: 'yes' }, a.cookie);
      assert.equal(out.status, 303);
      const u = await h.store.getUser(a.app.id, '14155550101');
      assert.equal(u?.optin, 'opted_out');
      const last = (await h.store.consentsFor(a.app.id, '14155550101')).at(-1)!;
      assert.equal(last.via, 'api');
      assert.equal(last.actor, 'session');
      assert.match(await (await get(h, out.headers.get('location')!, a.cookie)).text(), /•••••••0101 is opted out\./);
      html = await (await get(h, '/settings/users?optin=opted_out', a.cookie)).text();
      assert.ok(html.includes('•••••••0101'));
      assert.ok(!html.includes('•••••••0102'));

      const erase = await post(h, '/settings/users/erase', { csrf: a.csrf, p: ref('14155550102'), confirm: 'yes' }, a.cookie);
      assert.equal(erase.status, 303);
      const gone = await userHistory(h.store, a.app.id, '14155550102');
      assert.equal(gone.user, null);
      assert.equal(gone.consents.length, 0);

      assert.equal((await get(h, '/settings/users?optin=bogus', a.cookie)).status, 400);
      assert.equal((await get(h, '/settings/users?cursor=zzz', a.cookie)).status, 400);
      assert.equal((await get(h, '/settings/users/confirm?action=optout&p=abc', a.cookie)).status, 400);
    });

    it('Should export the CSV with the session cookie, and not without it', async () => {
      const a = await newApp();
      await h.store.recordConsent({ id: randomUUID(), appId: a.app.id, phone: '14155550190', action: 'opt_in', via: 'url', wording: null, locale: 'en', at: clock.now(), ip: null, userAgent: null, page: null, campaign: null, ref: null, actor: null, verified: false });
      const res = await get(h, '/settings/users.csv', a.cookie);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/csv/);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.match(res.headers.get('content-disposition')!, /attachment/);
      const csv = await res.text();
      assert.match(csv, /^phone,optin,activity,via/);
      assert.match(csv, /14155550190,opted_in,inactive,url/);
      const anon = await get(h, '/settings/users.csv');
      assert.equal(anon.status, 303);
      assert.equal(await anon.text(), '');
    });

    it('Should draw the funnel as SVG with a table of the same numbers', async () => {
      const a = await newApp();
      h.deps.funnel.add(a.app.id, clock.now(), 'qr', 'poster', 'view', 5);
      await h.store.recordConsent({ id: randomUUID(), appId: a.app.id, phone: '14155550191', action: 'opt_in', via: 'qr', wording: null, locale: 'en', at: clock.now(), ip: null, userAgent: null, page: null, campaign: 'poster', ref: null, actor: null, verified: false });
      clock.advance(1000);
      const html = await (await get(h, '/settings/funnel?days=30', a.cookie)).text();
      assert.match(html, /<svg[^>]+role="img"/);
      assert.match(html, /<title id="chart-title">Funnel per mechanism and campaign, last 30 days<\/title>/);
      assert.match(html, /<th scope="row">QR code · poster<\/th><td[^>]*>5<\/td><td[^>]*>1<\/td>/);
      assert.equal((await get(h, '/settings/funnel?days=9', a.cookie)).status, 400);
      assert.match(await (await get(h, '/settings/funnel', a.cookie)).text(), /aria-current="page">Last 7 days/);
    });

    it('Should speak Spanish and Portuguese: ?lang remembered in a cookie, else Accept-Language', async () => {
      const es = await get(h, '/settings?lang=es');
      assert.match(await es.text(), /<html lang="es">[\s\S]*Inicia sesión en Ajustes/);
      const langCookie = es.headers.get('set-cookie')!.split(';')[0]!;
      assert.match(langCookie, /^__Host-optin_lang=es$/);
      assert.match(await (await get(h, '/settings', langCookie)).text(), /Inicia sesión/);
      assert.match(await (await get(h, '/settings', null, { 'accept-language': 'pt-BR,pt;q=0.9' })).text(), /Entre nas Configurações/);
    });

    it('Should answer bad requests with friendly 4xx pages, never 500', async () => {
      const a = await newApp();
      const wrongType = await h.request('/settings/options/theme', { method: 'POST', headers: { origin: ORIGIN, cookie: a.cookie, 'content-type': 'application/json' }, body: '{}' });
      assert.equal(wrongType.status, 415);
      const big = await post(h, '/settings/options/origins', { csrf: a.csrf, origins: 'x'.repeat(70_000) }, a.cookie);
      assert.equal(big.status, 413);
      const nf = await get(h, '/settings/nothing-here', a.cookie);
      assert.equal(nf.status, 404);
      assert.match(await nf.text(), /Not found/);
      assert.equal(nf.headers.get('cache-control'), 'no-store');
      assert.equal((await get(h, '/settings/options')).status, 303, 'signed out: to the sign-in form');
      const weird = await post(h, '/settings/session', { key: '\u0000'.repeat(300) }, null);
      assert.equal(weird.status, 401);
    });

    it('Should serve its styles and script from /assets, cached for good', async () => {
      const html = await (await get(h, '/settings')).text();
      const css = /<link rel="stylesheet" href="(\/assets\/settings\.[\w-]+\.css)">/.exec(html)![1]!;
      const js = /<script src="(\/assets\/settings\.[\w-]+\.js)" defer><\/script>/.exec(html)![1]!;
      for (const p of [css, js]) {
        const res = await get(h, p);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      }
      assert.equal((await get(h, '/assets/settings.nope.css')).status, 404);
    });
  });
}
