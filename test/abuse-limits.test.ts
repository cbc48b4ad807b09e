import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ADMIN, form, harness, manualClock, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';

const SHOP = 'https://shop.example.com';

const consentCount = async (h: TestHarness, appId: string) =>
  Number(
    (
      await h.store.read(function* () {
        return (yield {
          kind: 'get',
          sql: "SELECT COUNT(*) AS n FROM consents WHERE app_id = ? AND action = 'opt_in'",
          params: [appId],
        }) as { n: number };
      })
    ).n,
  );

/** Ten seconds into a minute, and held there: fixed one-minute windows never roll over mid-test. */
const midMinute = () => manualClock(Math.floor(Date.now() / 60_000) * 60_000 + 10_000);

let lastIp = 0;
/** A fresh IPv4 address from a documentation range, so that no two requests share an address budget. */
const freshIp = () => `198.51.100.${++lastIp}`;

for (const kind of STORE_KINDS) {
  describe(`abuse limits on web consents (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    let appId: string;
    before(async () => {
      h = await harness(kind, {
        config: { trustProxy: true, consentRateLimit: 2, consentPhoneRateLimit: 3, consentAppRateLimit: 8 },
        clock: midMinute(),
      });
      ({
        app: { id: appId },
      } = await h.makeApp({ name: 'BrakeShop', displayName: 'Brake Shop', settings: { allowedOrigins: [SHOP] } }));
    });
    after(() => h.close());

    const widget = (body: unknown, headers: Record<string, string>) =>
      h.request('/api/v1/apps/BrakeShop/optins', {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin: SHOP, ...headers },
        body: JSON.stringify(body),
      });

    it('Should group IPv6 clients by /64: a new address in the same network is the same client', async () => {
      const statuses: number[] = [];
      for (const ip of ['2001:db8:7:1::1', '2001:db8:7:1::2', '2001:db8:7:1:ffff::3']) {
        const res = await widget(
          { consent: true, phone: `+1415555${2100 + statuses.length}` },
          { 'x-forwarded-for': ip },
        );
        statuses.push(res.status);
      }
      assert.deepEqual(statuses, [201, 201, 429]);
      const other = await widget({ consent: true, phone: '+14155552199' }, { 'x-forwarded-for': '2001:db8:7:2::1' });
      assert.equal(other.status, 201, 'another /64 has its own budget');
    });

    it('Should limit consents per phone number, with the page in the person’s language and the input kept', async () => {
      const before = await consentCount(h, appId);
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 4; i++) {
        last = await h.request(
          '/o/BrakeShop',
          form({ consent: 'yes', phone: '+1 415 555 0142', lang: 'es', c: 'spring' }, { 'x-forwarded-for': freshIp() }),
        );
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [303, 303, 303, 429]);
      assert.ok(Number(last!.headers.get('retry-after')) >= 1);
      const page = await last!.text();
      assert.match(page, /<html lang="es">/);
      assert.match(page, /Demasiados intentos ahora mismo/);
      assert.match(page, /value="\+1 415 555 0142"/, 'the typed number is kept');
      assert.match(page, /id="consent" name="consent" value="yes" required checked/, 'the tick is kept');
      assert.match(page, /name="c" value="spring"/);
      assert.equal(await consentCount(h, appId), before + 3, 'the refused one is not recorded');
      // Another number is not held up by this one.
      const other = await h.request(
        '/o/BrakeShop',
        form({ consent: 'yes', phone: '+14155550143' }, { 'x-forwarded-for': freshIp() }),
      );
      assert.equal(other.status, 303);
    });

    it('Should limit consents per app from every address together, as JSON with Retry-After for the widget', async () => {
      // The app's budget is 8 a minute; the tests above used some of this minute's.
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await widget({ consent: true, phone: `+1415555${3100 + i}` }, { 'x-forwarded-for': freshIp() });
        statuses.push(res.status);
        if (res.status === 429) {
          assert.ok(Number(res.headers.get('retry-after')) >= 1);
          const body = await res.json();
          assert.equal(body.error.code, 'rate_limited');
          assert.match(body.error.message, /app is receiving too many/);
        }
      }
      assert.ok(statuses.includes(429), `the app limit refused some: ${statuses.join(',')}`);
      assert.equal(statuses.lastIndexOf(201) < statuses.indexOf(429), true, 'once refused, refused for the window');
      assert.ok(statuses.filter((s) => s === 201).length <= 8);
    });

    it('Should refuse a widget opt-in without Origin, recording nothing', async () => {
      const before = await consentCount(h, appId);
      const res = await h.request('/api/v1/apps/BrakeShop/optins', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': freshIp() },
        body: JSON.stringify({ consent: true, phone: '+14155554100' }),
      });
      assert.equal(res.status, 403);
      assert.equal((await res.json()).error.code, 'origin_required');
      const preflight = await h.request('/api/v1/apps/BrakeShop/optins', { method: 'OPTIONS' });
      assert.equal(preflight.status, 403);
      assert.equal(await consentCount(h, appId), before);
    });
  });

  describe(`throttled bearer authentication (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    before(async () => {
      h = await harness(kind, { config: { trustProxy: true, authFailureLimit: 10 }, clock: midMinute() });
      await h.makeApp({ name: 'KeyShop', displayName: 'Key Shop' });
    });
    after(() => h.close());

    it('Should answer 429 after a bound of wrong admin tokens, while the right token from another address works', async () => {
      const attacker = '203.0.113.66';
      const started = Date.now();
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 300; i++) {
        const res = await h.request('/api/v1/apps/KeyShop', {
          headers: { authorization: `Bearer wrong-admin-token-${i}-0123456789`, 'x-forwarded-for': attacker },
        });
        statuses.push(res.status);
        if (res.status === 429) retryAfter ??= res.headers.get('retry-after');
        await res.arrayBuffer();
      }
      const wrong = statuses.filter((s) => s === 401).length;
      assert.equal(wrong, 10, 'ten wrong tokens are told they are wrong');
      assert.deepEqual(new Set(statuses.slice(10)), new Set([429]));
      assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60);
      assert.ok(Date.now() - started < 30_000);
      // Wrong API keys (not only the admin token) count the same, from the same /64 too.
      const key = await h.request('/api/v1/apps/KeyShop', {
        headers: { authorization: 'Bearer okk_abcdefgh_0123456789', 'x-forwarded-for': attacker },
      });
      assert.equal(key.status, 429);
      // The blocked address is refused even with the right token, until the window ends…
      const blocked = await h.request('/api/v1/apps/KeyShop', { headers: { ...ADMIN, 'x-forwarded-for': attacker } });
      assert.equal(blocked.status, 429);
      assert.equal((await blocked.json()).error.code, 'too_many_failures');
      // …and the operator, from anywhere else, is not.
      const ok = await h.request('/api/v1/apps/KeyShop', { headers: { ...ADMIN, 'x-forwarded-for': '192.0.2.10' } });
      assert.equal(ok.status, 200);
    });

    it('Should not count a missing key, nor the right one', async () => {
      const ip = '192.0.2.77';
      for (let i = 0; i < 30; i++) {
        const none = await h.request('/api/v1/apps/KeyShop', { headers: { 'x-forwarded-for': ip } });
        assert.equal(none.status, 401);
        const right = await h.request('/api/v1/apps/KeyShop', { headers: { ...ADMIN, 'x-forwarded-for': ip } });
        assert.equal(right.status, 200);
      }
    });
  });
}

describe('the app cache under random names', () => {
  let h: TestHarness;
  before(async () => {
    h = await harness('sqlite');
    await h.makeApp({ name: 'RealShop', displayName: 'Real Shop' });
  });
  after(() => h.close());

  it('Should keep no name that no app can have, and a bounded number of well-formed misses', async () => {
    for (let i = 0; i < 10_000; i++) {
      const res = await h.request(`/o/${i}-${randomBytes(4).toString('hex')}`);
      assert.equal(res.status, 404);
      await res.arrayBuffer();
    }
    assert.equal(h.deps.apps.size, 0, 'malformed names are never looked up or kept');
    for (let i = 0; i < 3000; i++) {
      const res = await h.request(`/o/Miss${i}x${randomBytes(3).toString('hex')}`);
      assert.equal(res.status, 404);
      await res.arrayBuffer();
    }
    assert.ok(h.deps.apps.size <= 1001, `at most 1,000 misses are kept (${h.deps.apps.size})`);
    assert.equal((await h.request('/o/RealShop')).status, 200);
  });
});
