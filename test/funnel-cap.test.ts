import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { updateApp } from '../server/services/apps.js';
import { MAX_CAMPAIGNS, OTHER_CAMPAIGN } from '../server/store/funnel.js';
import { metaMessage, signMeta } from './fixtures/index.js';
import { ADMIN, form, harness, type TestHarness } from './support/server.js';
import { get, signIn } from './support/settings.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';

const SECRET = 'meta-app-secret-for-tests';

interface Row {
  via: string;
  campaign: string;
  views: number;
  consents: number;
  verified: number;
}

for (const kind of STORE_KINDS) {
  describe(`the funnel under thousands of campaigns (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    let key: string;
    before(async () => {
      h = await harness(kind);
      const made = await h.makeApp({ name: 'CapShop', displayName: 'Cap Shop', phone: '+14155550123', live: true });
      key = made.apiKey;
      await updateApp(h.store, made.app, { secrets: { metaAppSecret: SECRET } }, Date.now());
    });
    after(() => h.close());

    const stats = async () => {
      const res = await h.request('/api/v1/apps/CapShop/stats', { headers: ADMIN });
      assert.equal(res.status, 200);
      const text = await res.text();
      return { bytes: Buffer.byteLength(text), body: JSON.parse(text) as { rows: Row[]; totals: Row } };
    };

    it('Should keep stats and the funnel page small after 3,000 distinct campaigns, losing no count', async (t) => {
      for (let i = 0; i < 3000; i++) {
        const res = await h.request(`/o/CapShop?c=junk-${i}`);
        assert.equal(res.status, 200);
        await res.arrayBuffer();
      }
      // One real campaign, seen after the junk, is still counted (under other, since the day is full).
      for (let i = 0; i < 3; i++) await (await h.request('/o/CapShop?c=poster')).arrayBuffer();
      await h.deps.funnel.flush(h.store);
      const { bytes, body } = await stats();
      const named = body.rows.filter((r) => r.campaign !== '' && r.campaign !== OTHER_CAMPAIGN);
      assert.ok(named.length <= MAX_CAMPAIGNS, `${named.length} named campaigns`);
      const other = body.rows.find((r) => r.campaign === OTHER_CAMPAIGN);
      assert.equal(other?.views, 3003 - named.reduce((n, r) => n + r.views, 0));
      assert.equal(body.totals.views, 3003, 'every view is still counted');
      assert.ok(bytes < 20_000, `stats answer is ${bytes} B (it was 450 KB)`);

      const { cookie } = await signIn(h, key);
      const page = await (await get(h, '/settings/funnel?days=7', cookie)).text();
      assert.ok(Buffer.byteLength(page) < 80_000, `funnel page is ${Buffer.byteLength(page)} B (it was 744 KB)`);
      assert.match(page, /Link · other campaigns<\/th>/);
      t.diagnostic(`stats ${bytes} B, funnel page ${Buffer.byteLength(page)} B after 3,000 campaigns`);
    });

    it('Should fold campaigns beyond the first hundred of the ledger into other, in the stats', async () => {
      for (let i = 0; i < MAX_CAMPAIGNS + 20; i++) {
        const res = await h.request(
          '/o/CapShop',
          form({ consent: 'yes', phone: `+1415555${String(5000 + i)}`, c: `ledger-${i}` }),
        );
        assert.equal(res.status, 303);
      }
      const { body } = await stats();
      const named = body.rows.filter((r) => r.campaign !== '' && r.campaign !== OTHER_CAMPAIGN);
      assert.ok(named.length <= MAX_CAMPAIGNS);
      assert.equal(body.totals.consents, MAX_CAMPAIGNS + 20, 'every consent is still counted');
    });

    it('Should show the share of verified web consents on the funnel screen', async () => {
      // Two fresh consents, one of which the person's phone confirms with the prefilled message.
      const refs: string[] = [];
      for (const phone of ['+14155556001', '+14155556002']) {
        const res = await h.request('/o/CapShop', form({ consent: 'yes', phone, via: 'qr', c: 'share' }));
        refs.push(/\(ref%20([A-Z2-9]{6})\)/.exec(res.headers.get('location')!)![1]!);
      }
      const msg = metaMessage({ id: 'wamid.share1', from: '14155556001', text: `Hi Cap Shop! (ref ${refs[0]})` });
      const hook = await h.request('/hooks/CapShop/whatsapp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(SECRET, msg) },
        body: msg,
      });
      assert.equal(hook.status, 200);
      const consents = MAX_CAMPAIGNS + 20 + 2;
      const { cookie } = await signIn(h, key);
      const page = await (await get(h, '/settings/funnel?days=7&lang=en', cookie)).text();
      const share = /<p id="verified-share">([^<]+)<\/p>/.exec(page)?.[1];
      assert.ok(share, 'the share is shown');
      assert.match(share, new RegExp(`^Verified: 1% of the web consents in this period \\(1 of ${consents}\\)`));
    });
  });
}
