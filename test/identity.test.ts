/**
 * One person, one identity (issue 11, section 1): digits a program sends are international, every
 * stored identity is addressable as it was stored, the spellings of one number (Mexico `521…`,
 * Brazil without the ninth digit, Argentina `54…`/`549…`) are one person, and a number typed
 * without its country code never changes country silently. Through the HTTP app, on both stores.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getExampleNumber, getCountries } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { canonicalSpelling } from '../core/phone-aliases.js';
import { updateApp } from '../server/services/apps.js';
import { all, run } from '../server/store/driver.js';
import { mergeAliasSpellings } from '../server/store/migrations.js';
import type { AppRecord } from '../server/store/index.js';
import { metaMessage, signMeta } from './fixtures/index.js';
import { events, flagged } from './hooks-helpers.js';
import { form, harness, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';

const SECRET = 'meta-app-secret-for-identity';
type Row = Record<string, unknown>;

for (const kind of STORE_KINDS) {
  describe(`one person, one identity (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    const keys: Record<string, string> = {};
    const apps: Record<string, AppRecord> = {};
    before(async () => {
      h = await harness(kind, { config: { allowPrivateCallbacks: true } });
      const make = async (name: string, settings: Record<string, unknown>) => {
        const made = await h.makeApp({ name, phone: '+14155550123', live: true, settings });
        apps[name] = await updateApp(
          h.store,
          made.app,
          { settings: { callbackUrl: 'https://business.example/optin-events' }, secrets: { metaAppSecret: SECRET } },
          Date.now(),
        );
        keys[name] = made.apiKey;
      };
      await make('DeShop', { defaultCountry: 'DE' });
      await make('ItShop', { defaultCountry: 'IT' });
      await make('IdShop', { defaultCountry: 'ID' });
      await make('MxShop', { defaultCountry: 'MX' });
      await make('BrShop', { defaultCountry: 'BR' });
      await make('AnyShop', {});
    });
    after(() => h.close());

    const api = (name: string, path: string, init: RequestInit = {}) =>
      h.request(`/api/v1/apps/${name}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${keys[name]}`, ...(init.headers as Record<string, string>) },
      });
    const whatsapp = (name: string, id: string, from: string, text: string) => {
      const body = metaMessage({ id, from, text, at: Date.now() });
      return h.request(`/hooks/${name}/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(SECRET, body) },
        body,
      });
    };
    const webConsent = async (name: string, phone: string, headers: Record<string, string> = {}) => {
      const res = await h.request(`/o/${name}`, form({ consent: 'yes', phone, via: 'qr' }, headers));
      assert.equal(res.status, 303, `a consent typed ${phone}`);
      const text = new URL(res.headers.get('location')!).searchParams.get('text')!;
      return text;
    };
    const rowsMentioning = async (appId: string, digits: string[]) => {
      const hits: string[] = [];
      for (const t of ['consents', 'users', 'messages', 'inbound', 'prompts', 'outbox']) {
        const rows = await h.store.read(() => all<Row>(`SELECT * FROM ${t} WHERE app_id = ?`, [appId]));
        for (const r of rows) if (digits.some((d) => JSON.stringify(r).includes(d))) hits.push(t);
      }
      return hits;
    };

    describe('digits in API paths and bodies are international', () => {
      it('Should opt out +4915123456789 when DE is set and the path says 4915123456789', async () => {
        await api('DeShop', '/users/+4915123456789/optin', { method: 'PUT' });
        const res = await api('DeShop', '/users/4915123456789/optout', { method: 'PUT' });
        assert.equal(res.status, 200);
        assert.equal((await res.json()).phone, '4915123456789');
        const u = await (await api('DeShop', '/users/+4915123456789')).json();
        assert.equal(u.user.optin, 'opted_out');
        assert.equal((await api('DeShop', '/users/494915123456789')).status, 404, 'no misread user');
        const elig = await api('DeShop', '/eligibility', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ phone: '4915123456789', kind: 'text' }),
        });
        assert.equal((await elig.json()).deliver, 'blocked');
      });

      it('Should misread none of the E.164 numbers of every country with DE, IT or ID set', async () => {
        const numbers = getCountries()
          .map((c) => getExampleNumber(c, examples))
          .filter((n) => n?.isValid())
          .map((n) => n!.number.slice(1));
        assert.ok(numbers.length > 200, `${numbers.length} example numbers`);
        for (const name of ['DeShop', 'ItShop', 'IdShop']) {
          const misread: string[] = [];
          for (const [i, digits] of numbers.entries()) {
            // Half without +, half with: both are international.
            const path = i % 2 ? digits : encodeURIComponent(`+${digits}`);
            const res = await api(name, `/users/${path}/optout`, { method: 'PUT' });
            const phone = res.status === 200 ? (await res.json()).phone : `HTTP ${res.status}`;
            if (phone !== canonicalSpelling(digits)) misread.push(`${digits} → ${phone}`);
          }
          assert.deepEqual(misread, [], `${name}: misread numbers`);
        }
      });

      it("Should read the app's own number in the API as international, whatever defaultCountry says", async () => {
        const res = await api('DeShop', '', {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ phone: '4915123456789' }),
        });
        assert.equal(res.status, 200);
        assert.equal((await res.json()).phone, '4915123456789');
      });
    });

    describe('every stored identity is addressable as it was stored', () => {
      it('Should read, opt out and erase a sender whose WhatsApp ID is not a valid phone number', async () => {
        // +999 is no country's code: libphonenumber cannot read it, WhatsApp sent it anyway.
        const odd = '999123456789';
        assert.equal((await whatsapp('AnyShop', 'wamid.odd1', odd, 'hello')).status, 200);
        const got = await api('AnyShop', `/users/${odd}`);
        assert.equal(got.status, 200);
        assert.equal((await got.json()).user.phone, odd);
        const out = await api('AnyShop', `/users/+${odd}/optout`, { method: 'PUT' });
        assert.equal(out.status, 200);
        assert.equal((await out.json()).optin, 'opted_out');
        const del = await api('AnyShop', `/users/${odd}`, { method: 'DELETE' });
        assert.equal(del.status, 200);
        assert.equal((await del.json()).erased, true);
        assert.deepEqual(await rowsMentioning(apps.AnyShop!.id, [odd]), []);
        // Digits that are no number and name nobody stored stay a 422.
        assert.equal((await api('AnyShop', `/users/999123456780`)).status, 422);
        assert.equal((await api('AnyShop', `/users/999123456780/optout`, { method: 'PUT' })).status, 422);
      });

      it('Should read, opt out and erase a Mexican 521… and a Brazilian eight-digit WhatsApp ID by the ID itself', async () => {
        for (const [wa, canonical] of [
          ['5215512345600', '525512345600'],
          ['553187654300', '5531987654300'],
        ] as const) {
          assert.equal((await whatsapp('AnyShop', `wamid.${wa}`, wa, 'hola')).status, 200);
          const got = await api('AnyShop', `/users/${wa}`);
          assert.equal(got.status, 200);
          const body = await got.json();
          assert.equal(body.user.phone, canonical);
          assert.deepEqual(body.user.aliases, [wa]);
          assert.deepEqual(
            body.messages.map((m: { text: string }) => m.text),
            ['hola'],
          );
          const out = await api('AnyShop', `/users/${wa}/optout`, { method: 'PUT' });
          assert.equal(out.status, 200);
          assert.equal((await (await api('AnyShop', `/users/${canonical}`)).json()).user.optin, 'opted_out');
          const del = await api('AnyShop', `/users/${wa}`, { method: 'DELETE' });
          assert.equal((await del.json()).erased, true);
          assert.deepEqual(await rowsMentioning(apps.AnyShop!.id, [wa, canonical]), []);
          assert.equal((await api('AnyShop', `/users/${canonical}`)).status, 404);
        }
      });
    });

    describe('the same person under two spellings is one person', () => {
      const cases = [
        { country: 'MX', typed: '+52 55 1234 5678', canonical: '525512345678', wa: '5215512345678' },
        { country: 'BR', typed: '+55 31 98765 4321', canonical: '5531987654321', wa: '553187654321' },
        { country: 'AR', typed: '+54 11 1234 5678', canonical: '5491112345678', wa: '5491112345678' },
        { country: 'AR (other way)', typed: '+54 9 11 2222 3333', canonical: '5491122223333', wa: '541122223333' },
      ];
      for (const c of cases) {
        it(`Should verify a consent typed ${c.typed} by WhatsApp ID ${c.wa} (${c.country}) as one person`, async () => {
          const text = await webConsent('AnyShop', c.typed);
          assert.equal((await whatsapp('AnyShop', `wamid.v.${c.wa}`, c.wa, text)).status, 200);
          const before = (await events(h, apps.AnyShop!.id)).filter((e) => e.phone === c.canonical);
          assert.deepEqual(
            before.map((e) => e.type),
            ['opted-in', 'verified'],
          );
          assert.equal(await flagged(h, apps.AnyShop!.id, c.canonical), false);
          // Either spelling finds the person, and the business sees one user with the alias.
          const aliases = c.wa === c.canonical ? [] : [c.wa];
          for (const spelling of new Set([c.canonical, c.wa, c.typed.replace(/\D/g, '')])) {
            const res = await api('AnyShop', `/users/${spelling}`);
            assert.equal(res.status, 200, spelling);
            const b = await res.json();
            assert.deepEqual(
              [b.user.phone, b.user.aliases, b.user.optin, b.user.verified, b.user.flagged],
              [c.canonical, aliases, 'opted_in', true, false],
            );
            assert.deepEqual(
              b.consents.map((r: { action: string; phone: string }) => [r.action, r.phone]),
              [
                ['opt_in', canonicalSpelling(c.typed.replace(/\D/g, ''))],
                ['verify', c.wa],
              ],
            );
          }
          const page = await (await api('AnyShop', '/users?limit=500')).json();
          const mine = page.users.filter((u: { phone: string }) => [c.canonical, c.wa].includes(u.phone));
          assert.equal(mine.length, 1, 'one user');
          assert.deepEqual(mine[0].aliases, aliases);
          const csv = await (await api('AnyShop', '/users.csv')).text();
          const line = csv.split('\r\n').find((l) => l.startsWith(`${c.canonical},`))!;
          const cols = csv.split('\r\n')[0]!.split(',');
          assert.equal(line.split(',')[cols.indexOf('aliases')], aliases.join(' '), line);
          assert.equal(csv.split('\r\n').filter((l) => l.startsWith(`${c.wa},`)).length, c.wa === c.canonical ? 1 : 0);
          // Erasure by the typed spelling removes both.
          const del = await api('AnyShop', `/users/${c.wa}`, { method: 'DELETE' });
          assert.equal((await del.json()).consents, 2);
          assert.deepEqual(await rowsMentioning(apps.AnyShop!.id, [c.wa, c.canonical]), []);
        });
      }

      it('Should still flag a typed number that a different person verified', async () => {
        const text = await webConsent('AnyShop', '+52 55 1111 2222');
        await whatsapp('AnyShop', 'wamid.other', '5215533334444', text);
        assert.equal(await flagged(h, apps.AnyShop!.id, '525511112222'), true);
        assert.equal(await flagged(h, apps.AnyShop!.id, '525533334444'), false);
      });

      it('Should prompt a person once, whichever spelling writes', async () => {
        await whatsapp('AnyShop', 'wamid.p1', '5215577778888', 'hola');
        await whatsapp('AnyShop', 'wamid.p2', '525577778888', 'hola otra vez');
        const prompts = (await h.store.read(() =>
          all<Row>(`SELECT * FROM outbox WHERE app_id = ? AND type = 'optin-prompt'`, [apps.AnyShop!.id]),
        )) as Row[];
        const mine = prompts.filter((p) => String(p.body).includes('77778888'));
        assert.equal(mine.length, 1);
        // The reply goes to the WhatsApp ID that wrote.
        assert.equal(JSON.parse(mine[0]!.body as string).to, '5215577778888');
      });

      it('Should merge the two users rows an older version kept for one person', async () => {
        const app = apps.AnyShop!;
        const t = Date.now() - 10_000;
        const insert = (phone: string, optin: string, via: string, verified: number, flagged: number, at: number) =>
          h.store.transact(() =>
            run(
              `INSERT INTO users (app_id, phone, optin, via, verified, flagged, optin_at, last_inbound_at, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
              [app.id, phone, optin, via, verified, flagged, at, via === 'qr' ? null : at, at, at],
            ),
          );
        // The typed number, flagged because its own WhatsApp ID verified it; and that ID's row.
        await insert('525599990000', 'opted_in', 'qr', 0, 1, t);
        await insert('5215599990000', 'opted_in', 'qr', 1, 0, t + 1000);
        // A Brazilian ID alone, under its eight-digit spelling.
        await insert('553199990000', 'opted_out', 'api', 0, 0, t);
        await h.store.transact(mergeAliasSpellings, Date.now());
        const rows = await h.store.read(() =>
          all<Row>(
            `SELECT phone, optin, verified, flagged, aliases FROM users WHERE app_id = ? AND phone LIKE '5%9990000'`,
            [app.id],
          ),
        );
        assert.deepEqual(
          rows
            .map((r) => [r.phone, r.optin, Number(r.verified), Number(r.flagged), r.aliases])
            .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
          [
            ['525599990000', 'opted_in', 1, 0, '5215599990000'],
            ['5531999990000', 'opted_out', 0, 0, '553199990000'],
          ],
        );
      });
    });

    describe('numbers typed without a country code never change country silently', () => {
      it('Should ask for the country of 812 3456 7890 when the app sets none, keep what was typed, then read it in the country picked', async () => {
        const res = await h.request(
          '/o/AnyShop',
          form({ consent: 'yes', phone: '812 3456 7890', via: 'qr' }, { 'accept-language': 'id-ID,id;q=0.9' }),
        );
        assert.equal(res.status, 422);
        const page = await res.text();
        assert.match(page, /value="812 3456 7890"/);
        assert.match(page, /href="#country"/);
        assert.match(page, /<select[^>]*id="country"[^>]*name="country"/);
        assert.match(page, /<option value="ID" selected>/, 'the browser region is preselected');
        const users = await h.store.read(() =>
          all<Row>(`SELECT phone FROM users WHERE app_id = ? AND phone LIKE '%81234567890'`, [apps.AnyShop!.id]),
        );
        assert.deepEqual(users, [], 'nothing recorded, above all no Japanese +81 2345 67890');
        const again = await h.request(
          '/o/AnyShop',
          form({ consent: 'yes', phone: '812 3456 7890', via: 'qr', country: 'ID' }),
        );
        assert.equal(again.status, 303);
        assert.equal((await api('AnyShop', '/users/6281234567890')).status, 200);
        assert.equal((await api('AnyShop', '/users/81234567890')).status, 404);
      });

      it("Should preselect the app's defaultCountry when digits of another country come without +", async () => {
        const res = await h.request('/o/DeShop', form({ consent: 'yes', phone: '14155550199', via: 'qr' }));
        assert.equal(res.status, 422);
        assert.match(await res.text(), /<option value="DE" selected>/);
      });

      it('Should read the legacy forms people still type', async () => {
        await webConsent('MxShop', '+521 55 1234 9999');
        assert.equal((await (await api('MxShop', '/users/525512349999')).json()).user.phone, '525512349999');
        await webConsent('MxShop', '1 55 1234 8888');
        assert.equal((await api('MxShop', '/users/525512348888')).status, 200);
        await webConsent('BrShop', '(11) 98765-4321');
        assert.equal((await api('BrShop', '/users/5511987654321')).status, 200);
        await webConsent('BrShop', '(31) 8765-1111');
        assert.equal((await api('BrShop', '/users/5531987651111')).status, 200);
      });

      it("Should answer the widget 422 country_required with the server's message in the person's language", async () => {
        const res = await h.request('/api/v1/apps/AnyShop/optins', {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: 'http://optin.test' },
          body: JSON.stringify({ consent: true, via: 'widget', phone: '812 3456 7890', lang: 'es' }),
        });
        assert.equal(res.status, 422);
        const { error } = await res.json();
        assert.equal(error.code, 'country_required');
        assert.match(error.message, /código de país/);
      });
    });
  });
}
