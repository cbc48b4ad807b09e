import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../core/clock.js';
import { SESSION_WINDOW_MS } from '../core/optin-state.js';
import { recordConsent } from './support/ledger.js';
import { ADMIN, form, harness, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';

const T0 = Date.UTC(2026, 10, 20, 9);

for (const kind of STORE_KINDS) {
  describe(
    `business API: users, eligibility, export, erasure, stats (${kind})`,
    { skip: await skipUnless(kind) },
    () => {
      let h: TestHarness;
      let key: string;
      let appId: string;
      const clock = manualClock(T0);
      const auth = () => ({ authorization: `Bearer ${key}` });
      const get = async (path: string) => {
        const res = await h.request(path, { headers: auth() });
        return { status: res.status, body: await res.json() };
      };

      before(async () => {
        h = await harness(kind, { clock });
        const made = await h.makeApp({
          name: 'CrmShop',
          phone: '+14155550123',
          live: true,
          settings: { templateMessaging: true },
        });
        key = made.apiKey;
        appId = made.app.id;
      });
      after(() => h.close());

      it('Should opt a user in and out by API, with the key as the actor, and see it at once', async () => {
        const put = (phone: string, action: string) =>
          h.request(`/api/v1/apps/CrmShop/users/${encodeURIComponent(phone)}/${action}`, {
            method: 'PUT',
            headers: auth(),
          });
        const res = await put('+1 415 555 0501', 'optin');
        assert.equal(res.status, 200);
        const u = await res.json();
        assert.equal(u.phone, '14155550501');
        assert.equal(u.optin, 'opted_in');
        assert.equal(u.via, 'api');
        const elig = (phone: string) =>
          h
            .request('/api/v1/apps/CrmShop/eligibility', {
              method: 'POST',
              headers: { ...auth(), 'content-type': 'application/json' },
              body: JSON.stringify({ phone, kind: 'template', matchesTemplate: true }),
            })
            .then((r) => r.json());
        assert.deepEqual(await elig('14155550501'), { deliver: 'template', reason: 'approved_template' });
        assert.equal((await put('14155550501', 'optout')).status, 200);
        assert.deepEqual(
          await elig('14155550501'),
          { deliver: 'blocked', reason: 'not_opted_in' },
          'an opt-out takes effect at once',
        );
        const { body } = await get('/api/v1/apps/CrmShop/users/14155550501');
        assert.deepEqual(
          body.consents.map((c: { action: string }) => c.action),
          ['opt_in', 'opt_out'],
        );
        assert.match(body.consents[0].actor, /^key:/);
        assert.equal((await put('12', 'optin')).status, 422);
      });

      it('Should decide eligibility by the contract, through the API', async () => {
        const elig = (b: object) =>
          h.request('/api/v1/apps/CrmShop/eligibility', {
            method: 'POST',
            headers: { ...auth(), 'content-type': 'application/json' },
            body: JSON.stringify(b),
          });
        assert.deepEqual(await (await elig({ phone: '14155550599', kind: 'text' })).json(), {
          deliver: 'blocked',
          reason: 'not_opted_in',
        });
        assert.equal((await elig({ phone: '14155550599', kind: 'email' })).status, 422);
        assert.equal((await elig({ phone: 'abc', kind: 'text' })).status, 422);
        assert.equal(
          (
            await h.request('/api/v1/apps/CrmShop/eligibility', {
              method: 'POST',
              headers: { ...auth(), 'content-type': 'text/plain' },
              body: '{}',
            })
          ).status,
          415,
        );
      });

      it('Should page through users by cursor without skipping or repeating while new opt-ins arrive', async () => {
        for (let i = 0; i < 25; i++) {
          clock.advance(1000);
          await h.request(
            '/o/CrmShop',
            form({ consent: 'yes', phone: `+1415555${String(1000 + i)}`, via: i % 2 ? 'qr' : 'url' }),
          );
        }
        const seen: string[] = [];
        let cursor: string | null = null;
        let added = 0;
        do {
          const { status, body }: { status: number; body: { users: { phone: string }[]; next: string | null } } =
            await get(`/api/v1/apps/CrmShop/users?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
          assert.equal(status, 200);
          seen.push(...body.users.map((u) => u.phone));
          cursor = body.next;
          // New opt-ins between pages land after the cursor.
          if (added < 3) {
            clock.advance(1000);
            await h.request('/o/CrmShop', form({ consent: 'yes', phone: `+1415555${String(2000 + added++)}` }));
          }
        } while (cursor);
        assert.equal(new Set(seen).size, seen.length, 'no row repeated');
        for (let i = 0; i < 25; i++) assert.ok(seen.includes(`1415555${1000 + i}`), `row ${i} was skipped`);
        for (let i = 0; i < 3; i++) assert.ok(seen.includes(`1415555${2000 + i}`), `new row ${i} missed`);
        assert.equal((await get('/api/v1/apps/CrmShop/users?cursor=bogus')).status, 400);
        assert.equal((await get('/api/v1/apps/CrmShop/users?limit=0')).status, 422);
      });

      it('Should filter by opt-in status, via and activity (24 hours, by the injected clock)', async () => {
        const { body: qr } = await get('/api/v1/apps/CrmShop/users?via=qr&limit=500');
        assert.equal(qr.users.length, 12);
        assert.ok(qr.users.every((u: { via: string }) => u.via === 'qr'));
        const { body: out } = await get('/api/v1/apps/CrmShop/users?optin=opted_out&limit=500');
        assert.deepEqual(
          out.users.map((u: { phone: string }) => u.phone),
          ['14155550501'],
        );
        // An inbound message makes a user active for exactly 24 hours.
        await h.store.transact(function* () {
          yield {
            kind: 'run',
            sql: 'UPDATE users SET last_inbound_at = ? WHERE app_id = ? AND phone = ?',
            params: [clock.now(), appId, '14155551000'],
          };
        });
        const active = async () =>
          (await get('/api/v1/apps/CrmShop/users?activity=active')).body.users.map((u: { phone: string }) => u.phone);
        assert.deepEqual(await active(), ['14155551000']);
        clock.advance(SESSION_WINDOW_MS - 1);
        assert.deepEqual(await active(), ['14155551000']);
        clock.advance(1);
        assert.deepEqual(await active(), []);
        const { body: inactive } = await get('/api/v1/apps/CrmShop/users?activity=inactive&limit=500');
        assert.ok(inactive.users.some((u: { phone: string }) => u.phone === '14155551000'));
        assert.equal((await get('/api/v1/apps/CrmShop/users?optin=maybe')).status, 422);
      });

      it("Should give one user's full history, each consent with the wording version and exact text shown", async () => {
        const { status, body } = await get('/api/v1/apps/CrmShop/users/+14155551001');
        assert.equal(status, 200);
        assert.equal(body.user.optin, 'opted_in');
        assert.equal(body.consents.length, 1);
        const [c] = body.consents;
        assert.equal(c.wordingVersion, 1);
        assert.match(c.wordingText, /^I agree to receive messages from Acme Shoes on WhatsApp/);
        const { createHash } = await import('node:crypto');
        assert.equal(c.wordingSha256, createHash('sha256').update(c.wordingText).digest('hex'));
        assert.equal((await get('/api/v1/apps/CrmShop/users/14155559999')).status, 404);
      });

      it('Should stream every user as CSV', async () => {
        const res = await h.request('/api/v1/apps/CrmShop/users.csv', { headers: auth() });
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type')!, /^text\/csv/);
        assert.match(res.headers.get('content-disposition')!, /attachment; filename="CrmShop-users.csv"/);
        const lines = (await res.text()).trimEnd().split('\r\n');
        assert.equal(
          lines[0],
          'phone,optin,activity,via,verified,flagged,optin_at,last_inbound_at,created_at,updated_at,aliases,marketing,moved_to',
        );
        assert.equal(lines.length, 1 + 29);
        assert.ok(lines.some((l) => l.startsWith('14155550501,opted_out,inactive,api,false,false,')));
        assert.equal((await h.request('/api/v1/apps/CrmShop/users.csv')).status, 401);
      });

      it('Should erase a person so that nothing in the store can be traced to the number, keeping anonymous counts', async () => {
        const phone = '14155551002';
        const from = new Date(T0 - 86_400_000).toISOString();
        const to = new Date(clock.now() + 86_400_000).toISOString();
        const statsBefore = (await get(`/api/v1/apps/CrmShop/stats?from=${from}&to=${to}`)).body;
        const res = await h.request(`/api/v1/apps/CrmShop/users/${phone}`, { method: 'DELETE', headers: auth() });
        assert.equal(res.status, 200);
        const r = await res.json();
        assert.equal(r.erased, true);
        assert.equal(r.consents, 1);
        assert.equal((await get(`/api/v1/apps/CrmShop/users/${phone}`)).status, 404);
        // Look in every table, every text column, for the number.
        const tables = [
          'apps',
          'api_keys',
          'wordings',
          'shown_texts',
          'consents',
          'users',
          'funnel',
          'outbox',
          'outbox_attempts',
          'inbound',
          'prompts',
          'messages',
          'erasures',
        ];
        for (const t of tables) {
          const rows = await h.store.read(function* () {
            return (yield { kind: 'all', sql: `SELECT * FROM ${t}`, params: [] }) as Record<string, unknown>[];
          });
          for (const row of rows) assert.ok(!JSON.stringify(row).includes(phone), `${t} still holds ${phone}`);
        }
        const erasures = await h.store.read(function* () {
          return (yield { kind: 'all', sql: 'SELECT * FROM erasures', params: [] }) as Record<string, unknown>[];
        });
        assert.equal(erasures.length, 1);
        assert.equal(Number(erasures[0]!.consents), 1);
        const statsAfter = (await get(`/api/v1/apps/CrmShop/stats?from=${from}&to=${to}`)).body;
        assert.deepEqual(statsAfter.totals, statsBefore.totals, 'the funnel keeps its counts');
        const again = await (
          await h.request(`/api/v1/apps/CrmShop/users/${phone}`, { method: 'DELETE', headers: auth() })
        ).json();
        assert.equal(again.erased, false);
      });

      it('Should report the funnel by via and campaign', async () => {
        await h.request('/o/CrmShop?via=qr&c=poster');
        await h.request('/o/CrmShop?via=qr&c=poster');
        await h.request('/o/CrmShop', form({ consent: 'yes', phone: '+14155553001', via: 'qr', c: 'poster' }));
        await h.deps.funnel.flush(h.store);
        const from = new Date(T0 - 86_400_000).toISOString();
        const to = new Date(clock.now() + 86_400_000).toISOString();
        const { status, body } = await get(`/api/v1/apps/CrmShop/stats?from=${from}&to=${to}`);
        assert.equal(status, 200);
        const poster = body.rows.find(
          (r: { via: string; campaign: string }) => r.via === 'qr' && r.campaign === 'poster',
        );
        assert.deepEqual(poster, {
          via: 'qr',
          campaign: 'poster',
          views: 2,
          consents: 1,
          redirects: 1,
          verified: 0,
          optOuts: 0,
          marketingStops: 0,
          marketingResumes: 0,
          consentRate: 0.5,
          verifiedRate: 0,
        });
        const api = body.rows.find((r: { via: string }) => r.via === 'api');
        assert.equal(api.optOuts, 1);
        // No views through the API: no rate, rather than NaN (which JSON cannot even carry).
        assert.equal(api.consentRate, null);
        const t = body.totals;
        const web = body.rows.filter((r: { via: string }) => ['qr', 'url', 'widget'].includes(r.via));
        const sum = (rows: Record<string, number>[], k: string) => rows.reduce((n, r) => n + r[k]!, 0);
        assert.ok(t.consents > sum(web, 'consents'), 'API consents are in the totals');
        assert.equal(t.consentRate, sum(web, 'consents') / t.views, 'but not in consents per view');
        assert.equal((await get(`/api/v1/apps/CrmShop/stats?from=${to}&to=${from}`)).status, 422);
        assert.equal((await get('/api/v1/apps/CrmShop/stats?from=yesterday')).status, 422);
      });

      it('Should count only the consents that follow a view in the rates: not SMS, first-message or API ones', async () => {
        const other = await h.makeApp({ name: 'RateShop', phone: '+14155550124', live: true });
        const res = (path: string, init?: RequestInit) =>
          h.request(path, { ...init, headers: { authorization: `Bearer ${other.apiKey}`, ...init?.headers } });
        for (let i = 0; i < 4; i++) await res('/o/RateShop?via=url');
        await res('/o/RateShop', form({ consent: 'yes', phone: '+14155553101', via: 'url' }));
        await h.deps.funnel.flush(h.store);
        const at = clock.now();
        const base = {
          wording: null,
          locale: 'en' as const,
          at,
          ip: null,
          userAgent: null,
          page: null,
          ref: null,
          actor: null,
        };
        // The page's consent is verified by its phone; an SMS and a first message are verified by nature.
        await recordConsent(h.store, {
          ...base,
          id: randomUUID(),
          appId: other.app.id,
          phone: '14155553101',
          action: 'verify',
          via: 'url',
          campaign: null,
          verified: true,
        });
        for (const [via, phone] of [
          ['sms', '14155553102'],
          ['first_message', '14155553103'],
        ] as const)
          await recordConsent(h.store, {
            ...base,
            id: randomUUID(),
            appId: other.app.id,
            phone,
            action: 'opt_in',
            via,
            campaign: null,
            verified: true,
          });
        assert.equal((await res('/api/v1/apps/RateShop/users/14155553104/optin', { method: 'PUT' })).status, 200);
        clock.advance(1000);
        const from = new Date(at - 86_400_000).toISOString();
        const to = new Date(clock.now() + 86_400_000).toISOString();
        const body = await (await res(`/api/v1/apps/RateShop/stats?from=${from}&to=${to}`)).json();
        const rates = Object.fromEntries(
          body.rows.map((r: { via: string; consentRate: number; verifiedRate: number }) => [
            r.via,
            [r.consentRate, r.verifiedRate],
          ]),
        );
        assert.deepEqual(rates, {
          url: [0.25, 1],
          sms: [null, null],
          first_message: [null, null],
          api: [null, null],
        });
        // 4 consents, 1 verified; the rule that added every mechanism said 4 ÷ 4 and 1 ÷ 4.
        const { views, consents, verified, consentRate, verifiedRate } = body.totals;
        assert.deepEqual(
          { views, consents, verified, consentRate, verifiedRate },
          { views: 4, consents: 4, verified: 1, consentRate: 0.25, verifiedRate: 1 },
        );
      });

      it('Should rotate the API key: the new one works, every old one is revoked', async () => {
        const res = await h.request('/api/v1/apps/CrmShop/keys/rotate', { method: 'POST', headers: auth() });
        assert.equal(res.status, 200);
        const { apiKey, revoked } = await res.json();
        assert.equal(revoked, 1);
        const old = await h.request('/api/v1/apps/CrmShop', { headers: auth() });
        assert.equal(old.status, 401);
        assert.equal((await old.json()).error.code, 'revoked_key');
        key = apiKey;
        assert.equal((await h.request('/api/v1/apps/CrmShop', { headers: auth() })).status, 200);
      });

      it("Should refuse other apps' keys and send no CORS headers", async () => {
        const other = await h.makeApp({ name: 'OtherCrm' });
        const res = await h.request('/api/v1/apps/CrmShop/users', {
          headers: { authorization: `Bearer ${other.apiKey}`, origin: 'https://evil.example' },
        });
        assert.equal(res.status, 403);
        assert.equal(res.headers.get('access-control-allow-origin'), null);
        assert.equal(
          (
            await h.request('/api/v1/apps/CrmShop/users/14155550501', {
              method: 'DELETE',
              headers: { authorization: `Bearer ${other.apiKey}` },
            })
          ).status,
          403,
        );
        assert.equal((await h.request('/api/v1/apps/CrmShop/users', { headers: ADMIN })).status, 200);
      });

      it('Should describe every business route in the OpenAPI document', async () => {
        const doc = await (await h.request('/openapi.json')).json();
        for (const p of [
          '/api/v1/apps/{app}/users',
          '/api/v1/apps/{app}/users/{phone}',
          '/api/v1/apps/{app}/users/{phone}/optin',
          '/api/v1/apps/{app}/users/{phone}/optout',
          '/api/v1/apps/{app}/users.csv',
          '/api/v1/apps/{app}/eligibility',
          '/api/v1/apps/{app}/stats',
          '/api/v1/apps/{app}/events',
          '/api/v1/apps/{app}/events/{id}/replay',
          '/api/v1/apps/{app}/keys/rotate',
        ]) {
          assert.ok(doc.paths[p], p);
        }
        assert.ok(doc.paths['/api/v1/apps/{app}/users/{phone}'].delete);
        // The widget's two calls, from the schema the opt-in route validates with.
        assert.ok(doc.paths['/api/v1/apps/{app}/public'].get);
        const optin = doc.paths['/api/v1/apps/{app}/optins'].post;
        assert.ok(optin.requestBody.content['text/plain']);
        assert.ok(doc.components.schemas.PublicApp);
      });
    },
  );
}
