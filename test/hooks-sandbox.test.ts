import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppRecord } from '../server/store/index.js';
import { gupshupMessage, metaMessage, signMeta } from './fixtures/index.js';
import { CALLBACK, events, history } from './hooks-helpers.js';
import { harness, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';
import { getUser } from '../server/store/users.js';

const TOKEN = 'sandbox-webhook-token-0123456789';

for (const kind of STORE_KINDS) {
  describe(`POST /hooks/sandbox/whatsapp (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    let off: TestHarness;
    let app: AppRecord;
    before(async () => {
      h = await harness(kind, { config: { sandboxWebhookToken: TOKEN } });
      off = await harness(kind);
      app = (await h.makeApp({ name: 'SandyShop', settings: { callbackUrl: CALLBACK } })).app;
    });
    after(async () => {
      await h.close();
      await off.close();
    });

    const gs = (body: string, token = TOKEN, hh = h) =>
      hh.request('/hooks/sandbox/whatsapp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
      });

    it('Should find the app by PROXY <name> in any case, mark the tester active and emit sandbox-start once', async () => {
      const body = gupshupMessage({
        id: 'gs-sandbox-1',
        from: '14155550801',
        text: '  proxy sandyshop ',
        at: Date.now(),
      });
      const res = await gs(body);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { ok: true, started: 1, ignored: 0 });
      const u = await h.store.read(getUser, app.id, '14155550801');
      assert.equal(u?.optin, 'none');
      assert.ok(u?.lastInboundAt && Date.now() - u.lastInboundAt < 60_000);
      // The provider delivers it again: nothing more.
      assert.deepEqual(await (await gs(body)).json(), { ok: true, started: 0, ignored: 0 });
      const ev = await events(h, app.id);
      assert.deepEqual(
        ev.map((e) => [e.type, e.phone]),
        [['sandbox-start', '14155550801']],
      );
      assert.deepEqual((ev[0]!.body as { app: string; data: unknown }).data, {
        phone: '14155550801',
        optin: 'none',
        verified: false,
        purposes: { marketing: 'none', utility: 'none', authentication: 'none' },
      });
      assert.equal((ev[0]!.body as { app: string }).app, 'SandyShop');
      assert.equal((await history(h, app.id, '14155550801')).length, 1);
    });

    it('Should take the Meta shape signed with the sandbox token', async () => {
      const body = metaMessage({ id: 'wamid.sandbox-2', from: '14155550802', text: 'PROXY SandyShop' });
      const res = await h.request('/hooks/sandbox/whatsapp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(TOKEN, body) },
        body,
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { started: number }).started, 1);
    });

    it('Should ignore, with 200, messages that are not PROXY <name> or name no app', async () => {
      for (const text of ['hello', 'PROXY NoSuchApp', 'PROXY', 'PROXY a b']) {
        const res = await gs(gupshupMessage({ id: `gs-ignored-${text}`, from: '14155550803', text }));
        assert.equal(res.status, 200);
        assert.equal(((await res.json()) as { started: number }).started, 0);
      }
    });

    it('Should refuse a wrong or missing token, and refuse everything while SANDBOX_WEBHOOK_TOKEN is unset', async () => {
      const body = gupshupMessage({ id: 'gs-sandbox-forged', from: '14155550804', text: 'PROXY SandyShop' });
      assert.equal((await gs(body, 'not-the-sandbox-token-0000')).status, 403);
      assert.equal(
        (
          await h.request('/hooks/sandbox/whatsapp', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          })
        ).status,
        403,
      );
      assert.equal(
        (
          await h.request('/hooks/sandbox/whatsapp', {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta('other', body) },
            body,
          })
        ).status,
        403,
      );
      const offRes = await gs(body, TOKEN, off);
      assert.equal(offRes.status, 403);
      assert.equal(((await offRes.json()) as { error: { code: string } }).error.code, 'sandbox_hook_disabled');
      assert.equal(await h.store.read(getUser, app.id, '14155550804'), null);
    });

    it('Should answer 4xx to malformed JSON and a wrong content type', async () => {
      assert.equal((await gs('{nope')).status, 400);
      const res = await h.request('/hooks/sandbox/whatsapp', {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` },
        body: '{}',
      });
      assert.equal(res.status, 415);
    });
  });
}
