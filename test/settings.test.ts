import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../core/clock.js';
import { SETTINGS_MESSAGES } from '../server/settings-page/messages.js';
import { newApiKey, sha256 } from '../server/keys.js';
import { rotateKey } from '../server/store/keys.js';
import { userHistory } from '../server/store/users.js';
import { harness, type TestHarness } from './support/server.js';
import { csrfOf, get, ORIGIN, post, signIn } from './support/settings.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';
import { appByName } from '../server/store/apps.js';
import { consentsFor } from '../server/store/ledger.js';
import { getUser } from '../server/store/users.js';
import { currentWordings } from '../server/store/wordings.js';
import { recordConsent } from './support/ledger.js';

const T0 = Date.parse('2026-11-20T09:00:00Z');

type H = TestHarness;

/** The opaque reference a row's confirm link names a person by (`shown` as the page shows the number). */
function refIn(html: string, shown: string, action: 'optout' | 'erase' = 'erase'): string {
  const row = html.split('<tr>').find((r) => r.includes(`>${shown}</th>`));
  assert.ok(row, `a row for ${shown}`);
  const ref = new RegExp(`action=${action}&amp;p=([A-Za-z0-9_-]+)`).exec(row!)?.[1];
  assert.ok(ref, `a ${action} link for ${shown}`);
  return ref!;
}

/** The error shown beside a field: the element with id `<field>-error`. */
const fieldError = (html: string, id: string) => new RegExp(`id="${id}-error">([^<]+)<`).exec(html)?.[1] ?? null;

it('Should have every Settings string in English, Spanish and Portuguese', () => {
  const keys = Object.keys(SETTINGS_MESSAGES.en).sort();
  for (const l of ['es', 'pt'] as const) assert.deepEqual(Object.keys(SETTINGS_MESSAGES[l]).sort(), keys, l);
  for (const l of ['en', 'es', 'pt'] as const)
    for (const [k, v] of Object.entries(SETTINGS_MESSAGES[l])) assert.ok(v.length > 0, `${l}.${k}`);
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
      const rows = await h.store.read(function* () {
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
      // The attacker signs in to an app of their own and plants that real, working cookie in the victim's browser.
      const attacker = await h.makeApp();
      const planted = (await signIn(h, attacker.apiKey)).cookie!;
      assert.equal((await get(h, '/settings/options', planted)).status, 200, 'the planted cookie was a live session');
      const victim = await h.makeApp({ displayName: 'Victim Shop' });
      const first = await signIn(h, victim.apiKey, planted);
      assert.equal(first.res.status, 303);
      assert.ok(first.cookie && first.cookie !== planted, 'a fresh id, not the planted one');
      const withPlanted = await get(h, '/settings/options', planted);
      assert.equal(withPlanted.status, 303, 'the planted session was ended by the sign-in, so it opens nothing');
      const victimPage = await (await get(h, '/settings/options', first.cookie)).text();
      assert.match(victimPage, /Victim Shop/);
      // Signing in again over a valid session makes a new id and ends the old one.
      const second = await signIn(h, victim.apiKey, first.cookie!);
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
      assert.equal((await h.store.read(appByName, a.name))!.settings.theme.color, '#25D366');
      // The Referer alone, from our origin, is enough (some privacy tools drop Origin).
      const ok = await post(h, '/settings/options/theme', { ...fields, csrf: a.csrf }, a.cookie, {
        referer: `${ORIGIN}/settings/options`,
      });
      assert.equal(ok.status, 303);
      assert.equal((await h.store.read(appByName, a.name))!.settings.theme.color, '#123456');
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
      assert.equal(
        (await post(h, '/settings/options/template', { csrf: b.csrf, template_messaging: 'on' }, b.cookie)).status,
        303,
      );
      assert.equal(
        (await h.store.read(appByName, b.name))!.settings.templateMessaging,
        false,
        'an expired session changes nothing',
      );
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
      await h.store.transact(rotateKey, a.app.id, { id: k.id, hash: k.hash, prefix: k.prefix }, clock.now());
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
      assert.ok(
        html.includes(
          `&lt;script src=&quot;${ORIGIN}/widget.js&quot; data-app=&quot;${a.name}&quot; async&gt;&lt;/script&gt;`,
        ),
      );
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
      assert.equal(
        (await post(h, '/settings/options/verify', { csrf: a.csrf, verify_token: 'my-verify-token-1' }, a.cookie))
          .status,
        303,
      );
      assert.equal((await h.store.read(appByName, a.name))!.secrets.metaVerifyToken, 'my-verify-token-1');
      const after = await (await get(h, '/settings', a.cookie)).text();
      assert.match(after, /id="verify-state">Set</);
      assert.ok(!after.includes('my-verify-token-1'), 'the token is never shown back');
    });

    it('Should change proof-of-work only from an origins form that shows its switch, not from a tab opened before it', async () => {
      const a = await newApp();
      const save = (f: Record<string, string>) =>
        post(h, '/settings/options/origins', { csrf: a.csrf, ...f }, a.cookie);
      const cur = async () => (await h.store.read(appByName, a.name))!.settings;
      const originsForm = (html: string) =>
        html.split('<form').find((f) => f.includes('action="/settings/options/origins"'))!;
      const page = originsForm(await (await get(h, '/settings/options', a.cookie)).text());
      assert.match(page, /<input type="hidden" name="challenge_shown" value="1">/, 'the marker is in the origins form');
      assert.match(page, /name="challenge"/);

      assert.equal((await save({ origins: 'shop.example', challenge_shown: '1', challenge: 'on' })).status, 303);
      assert.equal((await cur()).challenge, 'proof-of-work');
      // A tab loaded before the switch existed posts the origins alone: they change, proof-of-work stays.
      assert.equal((await save({ origins: 'shop.example\nhttps://b.example' })).status, 303);
      assert.deepEqual((await cur()).allowedOrigins, ['https://shop.example', 'https://b.example']);
      assert.equal((await cur()).challenge, 'proof-of-work');
      // Refused from such a tab, the form comes back with the switch as stored, not unticked.
      const refused = await save({ origins: 'not an origin at all' });
      assert.equal(refused.status, 422);
      assert.match(originsForm(await refused.text()), /name="challenge"[^>]* checked/);
      assert.equal((await cur()).challenge, 'proof-of-work');
      // With the marker, an unticked switch is off.
      assert.equal((await save({ origins: 'shop.example', challenge_shown: '1' })).status, 303);
      assert.equal((await cur()).challenge, 'off');
      assert.deepEqual((await cur()).allowedOrigins, ['https://shop.example']);
      // And from an old tab, off stays off.
      assert.equal((await save({ origins: 'shop.example' })).status, 303);
      assert.equal((await cur()).challenge, 'off');
    });

    it('Should save each setting at once, and show each error beside its field with nothing changed', async () => {
      const a = await newApp();
      const save = (form: string, f: Record<string, string>) =>
        post(h, `/settings/options/${form}`, { csrf: a.csrf, ...f }, a.cookie);
      const cur = async () => (await h.store.read(appByName, a.name))!;

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
      assert.equal(res.headers.get('location'), '/settings/options?saved=status');
      assert.equal((await cur()).live, true);
      assert.equal((await cur()).phone, '14155550123');
      // The notice takes focus on load, as the opt-ins page's does.
      assert.match(
        await (await get(h, '/settings/options?saved=status', a.cookie)).text(),
        /role="status" tabindex="-1" autofocus>Saved\./,
      );
      assert.equal((await save('status', { phone: '+14155550123' })).status, 303);
      assert.equal((await cur()).live, false, 'back to the sandbox');

      // Template messaging.
      assert.equal((await save('template', { template_messaging: 'on' })).status, 303);
      assert.equal((await cur()).settings.templateMessaging, true);
      assert.equal((await save('template', {})).status, 303);
      assert.equal((await cur()).settings.templateMessaging, false);

      // Wording: a change makes a new version; an unchanged locale does not.
      const w0 = await h.store.read(currentWordings, a.app.id);
      res = await save('wording', {
        wording_en: 'No business named here',
        wording_es: w0.es.template,
        wording_pt: w0.pt.template,
      });
      assert.equal(res.status, 422);
      assert.match(fieldError(await res.text(), 'wording-en')!, /mention WhatsApp/);
      assert.equal((await h.store.read(currentWordings, a.app.id)).en.version, w0.en.version);
      res = await save('wording', {
        wording_en: 'Yes, {business} may message me on WhatsApp.',
        wording_es: w0.es.template,
        wording_pt: w0.pt.template,
      });
      assert.equal(res.status, 303);
      const w1 = await h.store.read(currentWordings, a.app.id);
      assert.equal(w1.en.version, w0.en.version + 1);
      assert.equal(w1.es.version, w0.es.version);
      const page = await (await get(h, '/settings/options', a.cookie)).text();
      assert.ok(page.includes(`English, version ${w1.en.version}`));
      assert.ok(page.includes(`Saving a change makes version ${w1.en.version + 1}.`));

      // Automated opt-in message: off, and a text per language; empty goes back to the default.
      assert.equal(
        (await save('auto', { auto_en: 'Hi! Reply YES for {business} news.', auto_es: '', auto_pt: '' })).status,
        303,
      );
      assert.deepEqual((await cur()).settings.autoOptinMessage, {
        enabled: false,
        text: { en: 'Hi! Reply YES for {business} news.' },
      });
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

      // Allowed origins, one per line, as people type them: paths, trailing slashes and a missing scheme
      // are normalised to the origin; what cannot be a web address is refused.
      res = await save('origins', { origins: 'https://shop.example.com\nftp://files.example.com' });
      assert.equal(res.status, 422);
      assert.match(fieldError(await res.text(), 'origins')!, /ftp:\/\/files\.example\.com/);
      assert.deepEqual((await cur()).settings.allowedOrigins, []);
      assert.equal(
        (
          await save('origins', {
            origins:
              'https://shop.example.com/\r\n\r\nhttp://localhost:3000\n127.0.0.1:31201\nhttps://blog.example.com/posts',
          })
        ).status,
        303,
      );
      assert.deepEqual((await cur()).settings.allowedOrigins, [
        'https://shop.example.com',
        'http://localhost:3000',
        'http://127.0.0.1:31201',
        'https://blog.example.com',
      ]);

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
        await recordConsent(h.store, {
          id: randomUUID(),
          appId: a.app.id,
          phone: String(base + i),
          action: 'opt_in',
          via: i % 2 ? 'qr' : 'url',
          wording: null,
          locale: 'en',
          at: clock.now() + i,
          ip: null,
          userAgent: null,
          page: null,
          campaign: i === 0 ? 'spring' : null,
          ref: null,
          actor: null,
          verified: false,
        });
      }
      // Newest first: the last 25 to arrive, then the 5 before them.
      let html = await (await get(h, '/settings/users', a.cookie)).text();
      assert.ok(html.includes('•••••••0129'), 'masked by default');
      assert.ok(!html.includes('14155550129'), 'the full number is not on the page');
      assert.ok(html.indexOf('•••••••0129') < html.indexOf('•••••••0128'), 'newest first');
      assert.ok(!html.includes('•••••••0100'));
      assert.match(html, /<details/);
      const next = /href="\/settings\/users\?cursor=([^"]+)" rel="next"/.exec(html)?.[1];
      assert.ok(next, 'a next page');
      const page2 = await (await get(h, `/settings/users?cursor=${next}`, a.cookie)).text();
      assert.ok(page2.includes('•••••••0100'));
      assert.ok(!page2.includes('•••••••0129'));
      assert.match(page2, /campaign spring/);
      // Search by number: digits as typed, anywhere in the number.
      const found = await (await get(h, '/settings/users?q=%2B1%20415%20555%200117', a.cookie)).text();
      assert.ok(found.includes('•••••••0117'));
      assert.equal((found.match(/<th scope="row"/g) ?? []).length, 1);
      assert.equal((await get(h, '/settings/users?q=abc', a.cookie)).status, 400);

      html = await (await get(h, '/settings/users?reveal=1&via=qr', a.cookie)).text();
      assert.ok(html.includes('+14155550101'));
      assert.ok(!html.includes('+14155550100'), 'filtered by via');

      const list = await (await get(h, '/settings/users?reveal=1&q=1415555010', a.cookie)).text();
      const refs = new Map(['14155550101', '14155550102'].map((p) => [p, refIn(list, `+${p}`, 'optout')]));
      const ref = (p: string) => refs.get(p)!;
      const confirm = await get(h, `/settings/users/confirm?action=optout&p=${ref('14155550101')}`, a.cookie);
      assert.equal(confirm.status, 200);
      const c = await confirm.text();
      assert.match(c, /Opt out •••••••0101\?/);
      assert.match(c, /name="confirm" value="yes"/);
      assert.equal(
        (await post(h, '/settings/users/optout', { csrf: a.csrf, p: ref('14155550101') }, a.cookie)).status,
        400,
        'not without the confirmation',
      );
      const out = await post(
        h,
        '/settings/users/optout',
        { csrf: a.csrf, p: ref('14155550101'), confirm: 'yes' },
        a.cookie,
      );
      assert.equal(out.status, 303);
      const u = await h.store.read(getUser, a.app.id, '14155550101');
      assert.equal(u?.optin, 'opted_out');
      const last = (await h.store.read(consentsFor, a.app.id, '14155550101')).at(-1)!;
      assert.equal(last.via, 'api');
      assert.equal(last.actor, 'session');
      assert.match(await (await get(h, out.headers.get('location')!, a.cookie)).text(), /•••••••0101 is opted out\./);
      html = await (await get(h, '/settings/users?optin=opted_out', a.cookie)).text();
      assert.ok(html.includes('•••••••0101'));
      assert.ok(!html.includes('•••••••0102'));

      const erase = await post(
        h,
        '/settings/users/erase',
        { csrf: a.csrf, p: ref('14155550102'), confirm: 'yes' },
        a.cookie,
      );
      assert.equal(erase.status, 303);
      const gone = await h.store.read(userHistory, a.app.id, '14155550102');
      assert.equal(gone.user, null);
      assert.equal(gone.consents.length, 0);

      assert.equal((await get(h, '/settings/users?optin=bogus', a.cookie)).status, 400);
      assert.equal((await get(h, '/settings/users?cursor=zzz', a.cookie)).status, 400);
      assert.equal((await get(h, '/settings/users/confirm?action=optout&p=abc', a.cookie)).status, 400);
    });

    it('Should export the CSV with the session cookie, and not without it', async () => {
      const a = await newApp();
      await recordConsent(h.store, {
        id: randomUUID(),
        appId: a.app.id,
        phone: '14155550190',
        action: 'opt_in',
        via: 'url',
        wording: null,
        locale: 'en',
        at: clock.now(),
        ip: null,
        userAgent: null,
        page: null,
        campaign: null,
        ref: null,
        actor: null,
        verified: false,
      });
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
      h.deps.funnel.add(a.app.id, clock.now(), 'url', '', 'view', 9);
      h.deps.funnel.add(a.app.id, clock.now(), 'url', '', 'redirect', 3);
      const consent = (
        phone: string,
        via: 'qr' | 'url',
        campaign: string | null,
        action: 'opt_in' | 'opt_out' = 'opt_in',
      ) =>
        recordConsent(h.store, {
          id: randomUUID(),
          appId: a.app.id,
          phone,
          action,
          via,
          wording: null,
          locale: 'en',
          at: clock.now(),
          ip: null,
          userAgent: null,
          page: null,
          campaign,
          ref: null,
          actor: null,
          verified: false,
        });
      await consent('14155550191', 'qr', 'poster');
      await consent('14155550192', 'url', null);
      await consent('14155550193', 'url', null);
      await consent('14155550193', 'url', null, 'opt_out');
      clock.advance(1000);
      const html = await (await get(h, '/settings/funnel?days=30', a.cookie)).text();
      assert.match(html, /<svg[^>]+role="img"/);
      assert.match(html, /<title id="chart-title">Funnel per mechanism and campaign, last 30 days<\/title>/);
      assert.match(html, /<th scope="row">QR code · poster<\/th><td[^>]*>5<\/td><td[^>]*>1<\/td>/);

      // The table: each source's five numbers, under the metric names of its head.
      const main = html.slice(html.indexOf('<caption id="funnel-caption">'));
      const metrics = [
        ...main
          .split('<thead>')[1]!
          .split('</thead>')[0]!
          .matchAll(/<th scope="col"[^>]*>([^<]+)<\/th>/g),
      ]
        .map((x) => x[1]!)
        .slice(1);
      assert.equal(metrics.length, 5);
      const tbody = main.split('<tbody>')[1]!.split('</tbody>')[0]!;
      const table = new Map(
        [...tbody.matchAll(/<tr><th scope="row">([^<]+)<\/th>((?:<td[^>]*>\d+<\/td>)+)<\/tr>/g)].map((x) => [
          x[1]!,
          [...x[2]!.matchAll(/>(\d+)</g)].map((n) => Number(n[1])),
        ]),
      );
      assert.equal(table.size, 2);
      assert.deepEqual(table.get('QR code · poster'), [5, 1, 0, 0, 0]);
      // The chart: one group per source, its label, and per bar the metric, the value in its title and beside it.
      const svg = html.split(/<svg(?=[^>]+role="img")/)[1]!.split('</svg>')[0]!;
      const groups = [...svg.matchAll(/<g>([\s\S]*?)<\/g>/g)].map((g) => {
        const label = /<text[^>]*font-weight="700">([^<]+)<\/text>/.exec(g[1]!)![1]!;
        const bars = [
          ...g[1]!.matchAll(
            /<rect[^>]*width="(\d+)"[^>]*><title>([^<]+): (\d+)<\/title><\/rect>\s*<text[^>]*>(\d+)<\/text>/g,
          ),
        ].map((b) => ({ width: Number(b[1]), metric: b[2]!, title: Number(b[3]), text: Number(b[4]) }));
        return { label, bars };
      });
      assert.deepEqual(
        groups.map((g) => g.label).sort(),
        [...table.keys()].sort(),
        'the same sources in the chart as in the table',
      );
      const max = Math.max(...[...table.values()].flat());
      for (const g of groups) {
        assert.deepEqual(
          g.bars.map((b) => b.metric),
          metrics,
          `${g.label}: the metrics in the table's order`,
        );
        assert.deepEqual(
          g.bars.map((b) => b.title),
          table.get(g.label),
          `${g.label}: bar titles hold the table's numbers`,
        );
        assert.deepEqual(
          g.bars.map((b) => b.text),
          table.get(g.label),
          `${g.label}: bar labels show the table's numbers`,
        );
        for (const b of g.bars)
          assert.equal(
            b.width,
            b.title === 0 ? 0 : Math.max(2, Math.round((b.title / max) * 580)),
            `${g.label} ${b.metric}: bar length in proportion`,
          );
      }
      assert.equal((await get(h, '/settings/funnel?days=9', a.cookie)).status, 400);
      assert.match(await (await get(h, '/settings/funnel', a.cookie)).text(), /aria-current="page">Last 7 days/);
    });

    it('Should show consents per view and verified per consent, per mechanism and per campaign, as percentages with their counts, and – where there is nothing to divide by', async () => {
      const a = await newApp();
      const now = clock.now();
      h.deps.funnel.add(a.app.id, now, 'widget', 'spring', 'view', 8);
      h.deps.funnel.add(a.app.id, now, 'widget', null, 'view', 2);
      h.deps.funnel.add(a.app.id, now, 'qr', 'spring', 'view', 3);
      h.deps.funnel.add(a.app.id, now, 'url', null, 'view', 0); // nothing at all: no row
      let n = 0;
      const record = (via: 'widget' | 'qr' | 'sms', campaign: string | null, action: 'opt_in' | 'verify' = 'opt_in') =>
        recordConsent(h.store, {
          id: randomUUID(),
          appId: a.app.id,
          phone: `1415555${String(3000 + ++n)}`,
          action,
          via,
          wording: null,
          locale: 'en',
          at: now,
          ip: null,
          userAgent: null,
          page: null,
          campaign,
          ref: null,
          actor: null,
          verified: via === 'sms',
        });
      await record('widget', 'spring');
      await record('widget', 'spring');
      await record('widget', 'spring', 'verify');
      await record('widget', null);
      await record('qr', 'spring');
      // A message mechanism: no views, and verified by nature (no verify record). It takes no part in
      // the rates: with it, the total was 5 of 13 and no campaign 2 of 2.
      await record('sms', null);
      clock.advance(1000);
      const html = await (await get(h, '/settings/funnel?days=7', a.cookie)).text();

      /** A conversion table as [name, consents per view, verified per consent], each cell's text. */
      const table = (id: string) => {
        const t = html.split(`<table class="`).find((x) => x.includes(`id="${id}"`));
        assert.ok(t, `table ${id}`);
        const cells = (row: string) =>
          [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) =>
            c[1]!
              .replace(/<span aria-hidden="true">–<\/span>/g, '–')
              .replace(/\s*<span class="[^"]+">([^<]*)<\/span>/g, ' [$1]')
              .trim(),
          );
        return {
          caption: /<caption[^>]*>([^<]+)<\/caption>/.exec(t!)![1],
          head: cells(t!.split('<thead>')[1]!.split('</thead>')[0]!),
          rows: t!
            .split('<tbody>')[1]!
            .split('</tbody>')[0]!
            .split('</tr>')
            .filter((r) => r.includes('<tr>'))
            .map(cells),
          total: t!.includes('<tfoot>') ? cells(t!.split('<tfoot>')[1]!) : null,
        };
      };
      const via = table('rates-via');
      assert.equal(via.caption, 'Conversion per mechanism, last 7 days');
      assert.deepEqual(via.head, ['Mechanism', 'Consents per view', 'Verified per consent']);
      // SMS has no views and needs no verification: no row of its own, and nothing added to the total.
      assert.deepEqual(via.rows, [
        ['Widget', '30% [3 of 10]', '33.3% [1 of 3]'],
        ['QR code', '33.3% [1 of 3]', '0% [0 of 1]'],
      ]);
      assert.deepEqual(via.total, ['Total', '30.8% [4 of 13]', '25% [1 of 4]']);
      const campaigns = table('rates-campaign');
      assert.equal(campaigns.caption, 'Conversion per campaign, last 7 days');
      assert.deepEqual(campaigns.head, ['Campaign', 'Consents per view', 'Verified per consent']);
      assert.deepEqual(campaigns.rows, [
        ['spring', '27.3% [3 of 11]', '33.3% [1 of 3]'],
        ['no campaign', '50% [1 of 2]', '0% [0 of 1]'],
      ]);
      assert.doesNotMatch(html, /NaN|Infinity/);

      // Without any campaign there is no campaign table; in Spanish, its own words and number format (0 %).
      const b = await newApp();
      h.deps.funnel.add(b.app.id, clock.now(), 'url', null, 'view', 4);
      clock.advance(1000);
      const es = await (await get(h, '/settings/funnel?days=7&lang=es', b.cookie)).text();
      assert.doesNotMatch(es, /id="rates-campaign"/);
      assert.match(es, /<caption id="rates-via-caption">Conversión por mecanismo, últimos 7 días<\/caption>/);
      assert.match(
        es,
        /<th scope="row">Enlace<\/th><td class="[^"]+" data-label="Consentimientos por visita">0\u00a0% <span class="[^"]+">0 de 4<\/span><\/td>/,
      );
      // No consents: nothing to divide verified by, said in words to a screen reader, never NaN.
      assert.match(
        es,
        /data-label="Verificados por consentimiento"><span aria-hidden="true">–<\/span><span class="[^"]+">sin tasa: nada que dividir<\/span> <span class="[^"]+">0 de 0<\/span><\/td>/,
      );

      // Only a message mechanism in the period: no conversion tables at all (the funnel table has it).
      const sms = await newApp();
      await recordConsent(h.store, {
        id: randomUUID(),
        appId: sms.app.id,
        phone: '14155553999',
        action: 'opt_in',
        via: 'sms',
        wording: null,
        locale: 'en',
        at: clock.now(),
        ip: null,
        userAgent: null,
        page: null,
        campaign: 'radio',
        ref: null,
        actor: null,
        verified: true,
      });
      clock.advance(1000);
      const smsOnly = await (await get(h, '/settings/funnel?days=7', sms.cookie)).text();
      assert.doesNotMatch(smsOnly, /id="rates-via"|id="rates-campaign"/);
      assert.match(smsOnly, /<th scope="row">SMS · radio<\/th>(<td class="[^"]+">\d+<\/td>){5}/);
    });

    it('Should speak Spanish and Portuguese: ?lang remembered in a cookie, else Accept-Language', async () => {
      const es = await get(h, '/settings?lang=es');
      assert.match(await es.text(), /<html lang="es">[\s\S]*Iniciar sesión/);
      const langCookie = es.headers.get('set-cookie')!.split(';')[0]!;
      assert.match(langCookie, /^__Host-optin_lang=es$/);
      assert.match(await (await get(h, '/settings', langCookie)).text(), /Iniciar sesión/);
      assert.match(
        await (await get(h, '/settings', null, { 'accept-language': 'pt-BR,pt;q=0.9' })).text(),
        /<title>Entrar · optin-kit/,
      );
    });

    it('Should answer bad requests with friendly 4xx pages, never 500', async () => {
      const a = await newApp();
      const wrongType = await h.request('/settings/options/theme', {
        method: 'POST',
        headers: { origin: ORIGIN, cookie: a.cookie, 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(wrongType.status, 415);
      const big = await post(h, '/settings/options/origins', { csrf: a.csrf, origins: 'x'.repeat(70_000) }, a.cookie);
      assert.equal(big.status, 413);
      const nf = await get(h, '/settings/nothing-here', a.cookie);
      assert.equal(nf.status, 404);
      assert.match(await nf.text(), /Not found/);
      assert.equal(nf.headers.get('cache-control'), 'no-store');
      assert.equal((await get(h, '/settings/options')).status, 303, 'signed out: to the sign-in form');
      const weird = await post(h, '/settings/session', { key: '\u0000'.repeat(300) }, null);
      assert.equal(weird.status, 400, 'NUL is refused in every form before anything else');
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
    it('Should keep the opt-ins page small when one person has thousands of messages, and the API history complete', async () => {
      const a = await newApp();
      const phone = '14155550170';
      const at = clock.now();
      await recordConsent(h.store, {
        id: randomUUID(),
        appId: a.app.id,
        phone,
        action: 'opt_in',
        via: 'url',
        wording: null,
        locale: 'en',
        at,
        ip: null,
        userAgent: null,
        page: null,
        campaign: null,
        ref: null,
        actor: null,
        verified: false,
      });
      const N = 3000;
      const text = 'x'.repeat(300);
      await h.store.transact(function* () {
        for (let i = 0; i < N; i += 500) {
          const rows = Array.from({ length: Math.min(500, N - i) }, (_, j) => i + j);
          yield {
            kind: 'run',
            sql: `INSERT INTO messages (id, app_id, phone, direction, channel, text, at) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
            params: rows.flatMap((k) => [
              randomUUID(),
              a.app.id,
              phone,
              'in',
              'whatsapp',
              `${k === N - 1 ? 'the last one ' : ''}${text}`,
              at + 1 + k,
            ]),
          };
        }
      } as never);
      const res = await get(h, '/settings/users', a.cookie);
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.ok(html.length < 100_000, `the page stays small: ${html.length} bytes`);
      assert.equal((html.match(/Message received \(whatsapp\)/g) ?? []).length, 20, 'the last 20 messages');
      assert.ok(html.includes('the last one'), 'the most recent message is among them');
      assert.ok(
        html.includes(`The most recent 21 of ${N + 1} records.`),
        'a note says that older records are left out',
      );
      // The business API still gives the whole history.
      const api = await h.request(`/api/v1/apps/${a.name}/users/${phone}`, {
        headers: { authorization: `Bearer ${a.apiKey}` },
      });
      assert.equal(api.status, 200);
      const body = (await api.json()) as { consents: unknown[]; messages: unknown[] };
      assert.equal(body.messages.length, N);
      assert.equal(body.consents.length, 1);
      const limited = await h.store.read(userHistory, a.app.id, phone, { lastMessages: 5, lastConsents: 0 });
      assert.deepEqual(
        [limited.messages.length, limited.totalMessages, limited.consents.length, limited.totalConsents],
        [5, N, 0, 1],
      );
      assert.ok(limited.messages[4]!.text.startsWith('the last one'), 'oldest first, ending with the latest');
    });

    it('Should run its middleware once on /settings: one language cookie, and a valid POST to /settings is a 404', async () => {
      const es = await get(h, '/settings?lang=es');
      assert.deepEqual(
        es.headers.getSetCookie().map((c) => c.split('=')[0]),
        ['__Host-optin_lang'],
      );
      const a = await newApp();
      const res = await post(h, '/settings', { csrf: a.csrf }, a.cookie);
      assert.equal(res.status, 404);
    });

    it('Should send Referrer-Policy: same-origin on its pages, and leave the rest of the site as it was', async () => {
      const a = await newApp();
      for (const path of ['/settings', '/settings/options', '/settings/users', '/settings/nothing-here']) {
        assert.equal((await get(h, path, a.cookie)).headers.get('referrer-policy'), 'same-origin', path);
      }
      assert.equal((await get(h, '/settings')).headers.get('referrer-policy'), 'same-origin', 'signed out too');
      assert.equal((await get(h, `/o/${a.name}`)).headers.get('referrer-policy'), 'strict-origin-when-cross-origin');
    });

    it('Should name people in links by a reference that hides the number and works only in its own session', async () => {
      const a = await newApp();
      const phone = '14155550171';
      await recordConsent(h.store, {
        id: randomUUID(),
        appId: a.app.id,
        phone,
        action: 'opt_in',
        via: 'url',
        wording: null,
        locale: 'en',
        at: clock.now(),
        ip: null,
        userAgent: null,
        page: null,
        campaign: null,
        ref: null,
        actor: null,
        verified: false,
      });
      const html = await (await get(h, '/settings/users?reveal=1', a.cookie)).text();
      const ref = refIn(html, `+${phone}`, 'optout');
      for (const decoded of [
        ref,
        Buffer.from(ref, 'base64url').toString('latin1'),
        Buffer.from(ref, 'base64').toString('latin1'),
      ]) {
        assert.ok(
          !decoded.includes(phone) && !decoded.includes(phone.slice(-4)),
          'the number cannot be read from the link',
        );
      }
      assert.equal((await get(h, `/settings/users/confirm?action=optout&p=${ref}`, a.cookie)).status, 200);
      // Another session of the same app cannot use it, nor a plain base64 of the number.
      const other = (await signIn(h, a.apiKey)).cookie!;
      assert.equal((await get(h, `/settings/users/confirm?action=optout&p=${ref}`, other)).status, 400);
      assert.equal(
        (await get(h, `/settings/users/confirm?action=optout&p=${Buffer.from(phone).toString('base64url')}`, a.cookie))
          .status,
        400,
      );
      assert.equal(
        (await post(h, '/settings/users/optout', { csrf: await csrfOf(h, other), p: ref, confirm: 'yes' }, other))
          .status,
        400,
      );
      assert.equal((await h.store.read(getUser, a.app.id, phone))?.optin, 'opted_in', 'nothing changed');
      // A tampered reference is refused, not misread.
      const tampered = ref.slice(0, -2) + (ref.endsWith('AA') ? 'BB' : 'AA');
      assert.equal((await get(h, `/settings/users/confirm?action=optout&p=${tampered}`, a.cookie)).status, 400);
    });

    it('Should show the widget position its own error, wired to the select', async () => {
      const a = await newApp();
      const res = await post(
        h,
        '/settings/options/theme',
        { csrf: a.csrf, color: '#123456', position: 'top' },
        a.cookie,
      );
      assert.equal(res.status, 422);
      const html = await res.text();
      assert.equal(fieldError(html, 'theme-position'), 'Choose where the button sits: right or left');
      assert.equal(fieldError(html, 'theme-color'), null, 'the colour was fine');
      assert.match(
        html,
        /<select[^>]+id="theme-position"[^>]+aria-describedby="theme-position-error" aria-invalid="true"/,
      );
      const es = await post(
        h,
        '/settings/options/theme?lang=es',
        { csrf: a.csrf, color: '#123456', position: 'top' },
        a.cookie,
      );
      assert.equal(
        fieldError(await es.text(), 'theme-position'),
        'Elige dónde va el botón: a la derecha o a la izquierda',
      );
      assert.doesNotMatch(
        await (await get(h, '/settings/options', a.cookie)).text(),
        /id="theme-position"[^>]+aria-invalid/,
      );
    });

    it('Should say there was nothing to erase when the number is not stored', async () => {
      const a = await newApp();
      const phone = '14155550172';
      await recordConsent(h.store, {
        id: randomUUID(),
        appId: a.app.id,
        phone,
        action: 'opt_in',
        via: 'url',
        wording: null,
        locale: 'en',
        at: clock.now(),
        ip: null,
        userAgent: null,
        page: null,
        campaign: null,
        ref: null,
        actor: null,
        verified: false,
      });
      const ref = refIn(await (await get(h, '/settings/users?reveal=1', a.cookie)).text(), `+${phone}`);
      const first = await post(h, '/settings/users/erase', { csrf: a.csrf, p: ref, confirm: 'yes' }, a.cookie);
      assert.equal(first.headers.get('location'), '/settings/users?done=erased');
      assert.match(
        await (await get(h, first.headers.get('location')!, a.cookie)).text(),
        /role="status"[^>]*>Erased\./,
      );
      const again = await post(h, '/settings/users/erase', { csrf: a.csrf, p: ref, confirm: 'yes' }, a.cookie);
      assert.equal(again.headers.get('location'), '/settings/users?done=nothing');
      const html = await (await get(h, again.headers.get('location')!, a.cookie)).text();
      assert.match(html, /role="status"[^>]*>Nothing to erase: nothing was stored about that number\./);
      assert.doesNotMatch(html, />Erased\./);
    });

    it('Should refuse a private, loopback or localhost callback URL when it is saved, on the form and in the API', async () => {
      const a = await newApp();
      for (const url of [
        'http://127.0.0.1:5432/x',
        'http://localhost:8080/hook',
        'https://api.localhost/x',
        'http://[::1]/x',
        'http://10.1.2.3/x',
        'http://192.168.0.10/x',
        'http://[::ffff:7f00:1]/x',
        'http://2130706433/x',
      ]) {
        const res = await post(h, '/settings/options/callback', { csrf: a.csrf, callback_url: url }, a.cookie);
        assert.equal(res.status, 422, url);
        const html = await res.text();
        assert.equal(
          fieldError(html, 'callback-url'),
          'Use a public address: local, private and loopback addresses cannot receive events',
          url,
        );
        assert.match(html, /id="callback-url"[^>]+aria-invalid="true"/);
        const api = await h.request(`/api/v1/apps/${a.name}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${a.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ callbackUrl: url }),
        });
        assert.equal(api.status, 422, url);
        assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'invalid_callback_url');
      }
      assert.equal((await h.store.read(appByName, a.name))!.settings.callbackUrl, null, 'nothing saved');
      const ok = await h.request(`/api/v1/apps/${a.name}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${a.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ callbackUrl: 'https://hooks.example.com/x' }),
      });
      assert.equal(ok.status, 200);
      const cleared = await h.request(`/api/v1/apps/${a.name}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${a.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ callbackUrl: null }),
      });
      assert.equal(cleared.status, 200);

      // An operator who allows private callbacks (a test bench, a private network) may save them.
      const open = await harness(kind, { clock, config: { allowPrivateCallbacks: true } });
      try {
        const b = await open.makeApp();
        const cookie = (await signIn(open, b.apiKey)).cookie!;
        const csrf = await csrfOf(open, cookie);
        assert.equal(
          (await post(open, '/settings/options/callback', { csrf, callback_url: 'http://127.0.0.1:5432/x' }, cookie))
            .status,
          303,
        );
        assert.equal((await open.store.read(appByName, b.name))!.settings.callbackUrl, 'http://127.0.0.1:5432/x');
        const api = await open.request(`/api/v1/apps/${b.name}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${b.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ callbackUrl: 'http://localhost:9/x' }),
        });
        assert.equal(api.status, 200);
      } finally {
        await open.close();
      }
    });

    it('Should keep the history drawer out of the row header, and give each landmark of the opt-ins page its own name', async () => {
      const a = await newApp();
      for (let i = 0; i < 26; i++) {
        await recordConsent(h.store, {
          id: randomUUID(),
          appId: a.app.id,
          phone: String(14155550300 + i),
          action: 'opt_in',
          via: 'url',
          wording: null,
          locale: 'en',
          at: clock.now() + i,
          ip: null,
          userAgent: null,
          page: null,
          campaign: null,
          ref: null,
          actor: null,
          verified: false,
        });
      }
      const html = await (await get(h, '/settings/users', a.cookie)).text();
      const headers = [...html.matchAll(/<th scope="row"[^>]*>([\s\S]*?)<\/th>/g)].map((x) => x[1]!);
      assert.equal(headers.length, 25);
      for (const th of headers) assert.doesNotMatch(th, /<details|<summary/, 'the row header holds only the number');
      assert.equal(
        (html.match(/<td data-label="History"><details/g) ?? []).length,
        25,
        'each drawer in a cell of its own',
      );
      assert.match(html, /<th scope="col">History<\/th>/);
      // Landmarks: sections named by their headings, the rest by aria-label; all different.
      const heading = (id: string) => new RegExp(`id="${id}">([^<]+)<`).exec(html)![1]!;
      const names = [
        ...[...html.matchAll(/<(?:section|div|nav)[^>]*aria-labelledby="([^"]+)"/g)].map((x) => heading(x[1]!)),
        ...[...html.matchAll(/<(?:section|div|nav)[^>]*aria-label="([^"]+)"/g)].map((x) => x[1]!),
      ];
      assert.ok(names.length >= 5, names.join(' | '));
      assert.equal(new Set(names).size, names.length, `landmark names are unique: ${names.join(' | ')}`);
    });

    it('Should fail closed when the key row of a session is missing, and clear expired sessions on sign-in', async () => {
      const a = await newApp();
      const idHash = sha256(a.cookie.split('=')[1]!);
      await h.store.transact(function* () {
        yield { kind: 'run', sql: "UPDATE sessions SET key_id = 'no-such-key' WHERE id_hash = ?", params: [idHash] };
      } as never);
      assert.equal((await get(h, '/settings/options', a.cookie)).status, 303, 'no key row: no session');

      const b = await h.makeApp();
      const old = (await signIn(h, b.apiKey)).cookie!;
      const oldHash = sha256(old.split('=')[1]!);
      const count = (hash: string) =>
        h.store.read(function* () {
          return (
            (yield { kind: 'all', sql: 'SELECT id_hash FROM sessions WHERE id_hash = ?', params: [hash] }) as unknown[]
          ).length;
        } as never) as Promise<number>;
      assert.equal(await count(oldHash), 1);
      clock.advance(7 * 86_400_000 + 1000);
      assert.equal((await signIn(h, b.apiKey)).res.status, 303);
      assert.equal(await count(oldHash), 0, 'the expired session row is gone');
    });

    it('Should escape a display name with markup on every Settings page and the poster', async () => {
      const evil = '<img src=x onerror=alert(1)>&"Shop"';
      const a = await newApp({ displayName: evil });
      for (const path of [
        '/settings',
        '/settings/options',
        '/settings/users',
        '/settings/funnel',
        '/settings/poster?paper=a4',
      ]) {
        const html = await (await get(h, path, a.cookie)).text();
        assert.ok(!html.includes('<img src=x'), `${path}: the markup is not live`);
        assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;&amp;'), `${path}: the name is shown, escaped`);
      }
    });
  });
}
