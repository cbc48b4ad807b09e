import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Challenge } from '../server/challenge.js';
import { CHALLENGE_SCRIPT_HASH } from '../server/views/challenge-script.js';
import { form, harness, manualClock, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';

const SHOP = 'https://shop.example.com';

/** Finds the number as a browser would, and encodes the solution as the widget and page send it. */
export function solve(c: Challenge, number?: number): string {
  let n = number ?? 0;
  if (number === undefined)
    while (
      createHash('sha256')
        .update(c.salt + String(n))
        .digest('hex') !== c.challenge
    )
      n++;
  const { algorithm, challenge, salt, signature } = c;
  return Buffer.from(JSON.stringify({ algorithm, challenge, number: n, salt, signature })).toString('base64');
}

for (const kind of STORE_KINDS) {
  describe(`the proof-of-work challenge (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    const clock = manualClock(Date.now());
    before(async () => {
      h = await harness(kind, { config: { challengeMaxNumber: 2000 }, clock });
      await h.makeApp({
        name: 'PowShop',
        displayName: 'Pow Shop',
        phone: '+14155550123',
        live: true,
        settings: { allowedOrigins: [SHOP], challenge: 'proof-of-work' },
      });
      await h.makeApp({ name: 'PlainShop', displayName: 'Plain Shop', settings: { allowedOrigins: [SHOP] } });
    });
    after(() => h.close());

    const challenge = async (app = 'PowShop') => {
      const res = await h.request(`/api/v1/apps/${app}/challenge`, { headers: { origin: SHOP } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      return (await res.json()) as Challenge;
    };
    const widget = (body: Record<string, unknown>) =>
      h.request('/api/v1/apps/PowShop/optins', {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin: SHOP },
        body: JSON.stringify({ consent: true, ...body }),
      });

    it('Should say in the public view that the app asks for it, and issue signed challenges', async () => {
      const view = await (await h.request('/api/v1/apps/PowShop/public')).json();
      assert.equal(view.challenge, 'proof-of-work');
      assert.equal((await (await h.request('/api/v1/apps/PlainShop/public')).json()).challenge, 'off');
      const c = await challenge();
      assert.equal(c.algorithm, 'SHA-256');
      assert.equal(c.maxnumber, 2000);
      assert.match(c.salt, /^[0-9a-f]{24}\?expires=\d+$/);
      assert.match(c.signature, /^[0-9a-f]{64}$/);
      assert.equal((await h.request('/api/v1/apps/Nope1/challenge')).status, 404);
    });

    it('Should refuse a widget opt-in without a solution, take a solved one once, and refuse it again', async () => {
      const none = await widget({ phone: '+14155557001' });
      assert.equal(none.status, 422);
      assert.equal((await none.json()).error.code, 'challenge_failed');
      const solution = solve(await challenge());
      const ok = await widget({ phone: '+14155557001', altcha: solution });
      assert.equal(ok.status, 201);
      const replay = await widget({ phone: '+14155557002', altcha: solution });
      assert.equal(replay.status, 422);
      assert.match((await replay.json()).error.message, /\(used\)/);
    });

    it('Should refuse a wrong number, a forged signature, garbage and an expired challenge', async () => {
      const c = await challenge();
      const right = Buffer.from(solve(c), 'base64').toString();
      const n = JSON.parse(right).number as number;
      const wrong = await widget({ phone: '+14155557003', altcha: solve(c, n + 1) });
      assert.match((await wrong.json()).error.message, /\(wrong\)/);
      const forged = { ...c, signature: 'f'.repeat(64) };
      const f = await widget({ phone: '+14155557003', altcha: solve(forged) });
      assert.match((await f.json()).error.message, /\(wrong\)/);
      const junk = await widget({ phone: '+14155557003', altcha: 'bm90IGpzb24=' });
      assert.match((await junk.json()).error.message, /\(malformed\)/);
      const old = await challenge();
      clock.advance(5 * 60_000 + 1000);
      const expired = await widget({ phone: '+14155557003', altcha: solve(old) });
      assert.equal(expired.status, 422);
      assert.match((await expired.json()).error.message, /\(expired\)/);
    });

    it('Should give the page its one script by hash only when the app asks for the check', async () => {
      const res = await h.request('/o/PowShop');
      const csp = res.headers.get('content-security-policy')!;
      assert.ok(csp.includes(`script-src ${CHALLENGE_SCRIPT_HASH}`), csp);
      assert.ok(csp.includes("connect-src 'self'"));
      const page = await res.text();
      assert.match(page, /<form [^>]*data-challenge="\/api\/v1\/apps\/PowShop\/challenge"/);
      assert.match(page, /<noscript>.*asks your browser for a quick automatic check.*<\/noscript>/s);
      assert.equal((page.match(/<script>/g) ?? []).length, 1);
      const plain = await h.request('/o/PlainShop');
      assert.doesNotMatch(plain.headers.get('content-security-policy')!, /script-src/);
      assert.doesNotMatch(await plain.text(), /<script|<noscript/);
    });

    it('Should explain on the page, in the person’s language and with the input kept, when no solution came', async () => {
      const res = await h.request('/o/PowShop', form({ consent: 'yes', phone: '+1 415 555 7010', lang: 'pt' }));
      assert.equal(res.status, 422);
      const page = await res.text();
      assert.match(page, /Pow Shop pede ao seu navegador uma rápida verificação automática/);
      assert.match(page, /value="\+1 415 555 7010"/);
      assert.match(page, / checked/);
      const solved = await h.request(
        '/o/PowShop',
        form({ consent: 'yes', phone: '+14155557010', altcha: solve(await challenge()) }),
      );
      assert.equal(solved.status, 303);
      assert.match(solved.headers.get('location')!, /^https:\/\/wa\.me\/14155550123/);
    });
  });
}
