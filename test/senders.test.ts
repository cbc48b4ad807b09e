import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deliverMessage } from '../server/delivery/messages.js';
import { logSender } from '../server/delivery/senders/log.js';
import { enqueueMessage, outboxItem, type OutboxItem } from '../server/store/outbox.js';
import type { AppRecord } from '../server/store/index.js';
import { gupshupMessage } from './fixtures/index.js';
import { history, sent, withSecrets } from './hooks-helpers.js';
import { harness, type TestHarness } from './support/server.js';
import { fakeProvider } from './support/fake-provider.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';

for (const kind of STORE_KINDS) {
  describe(`outbound senders (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    let fake: Awaited<ReturnType<typeof fakeProvider>>;
    let n = 0;
    before(async () => {
      fake = await fakeProvider();
      h = await harness(kind, { config: { metaGraphUrl: `${fake.url}/v21.0`, gupshupApiUrl: fake.url } });
    });
    after(async () => {
      await h.close();
      await fake.close();
    });

    const item = async (app: AppRecord, to: string, text: string): Promise<OutboxItem> => {
      const id = `msg_test_${kind}_${++n}`;
      await h.store.transact(() =>
        enqueueMessage(app.id, id, 'optin-prompt', { channel: 'whatsapp', to, text }, Date.now()),
      );
      return (await h.store.read(() => outboxItem(id)))!;
    };
    const deliver = (it: OutboxItem, timeoutMs?: number) => deliverMessage(h.deps, it, { timeoutMs });
    const metaApp = async (name: string) =>
      withSecrets(h, (await h.makeApp({ name })).app, {
        sender: 'meta',
        metaAccessToken: 'EAAG-meta-access-token',
        metaPhoneNumberId: '106540352242922',
      });
    const gupshupApp = async (name: string) =>
      withSecrets(h, (await h.makeApp({ name })).app, {
        sender: 'gupshup',
        gupshupApiKey: 'gupshup-api-key-0123',
        gupshupSource: '917834811114',
      });

    it('log: prints the message (number masked) and keeps it in the user’s history, once however often delivered', async () => {
      const app = (await h.makeApp({ name: `LogShop${kind}` })).app;
      const it1 = await item(app, '14155550901', 'Hello from the log sender');
      const lines: string[] = [];
      const r = await deliverMessage(h.deps, it1, { senders: { log: logSender((l) => lines.push(l)) } });
      assert.equal(r.ok, true);
      assert.equal(r.retry, false);
      assert.deepEqual(lines, [`[whatsapp → •••••••0901 from ${app.name}] Hello from the log sender`]);
      await deliverMessage(h.deps, it1, { senders: { log: logSender(() => {}) } });
      const hist = await history(h, app.id, '14155550901');
      assert.deepEqual(
        hist.map((m) => [m.id, m.direction, m.channel, m.text]),
        [[it1.id, 'out', 'whatsapp', 'Hello from the log sender']],
      );
    });

    it('meta: sends exactly the Cloud API request and reads the wamid back', async () => {
      const app = await metaApp(`MetaShop${kind}`);
      const it1 = await item(app, '16505551234', 'Hi! Reply YES & more "quotes"');
      fake.answer({
        status: 200,
        body: {
          messaging_product: 'whatsapp',
          contacts: [{ input: '16505551234', wa_id: '16505551234' }],
          messages: [{ id: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA' }],
        },
      });
      const before = fake.received.length;
      const r = await deliver(it1);
      assert.deepEqual(r, {
        ok: true,
        status: 200,
        retry: false,
        providerId: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA',
      });
      const req = fake.received[before]!;
      assert.equal(req.method, 'POST');
      assert.equal(req.path, '/v21.0/106540352242922/messages');
      assert.equal(req.headers.authorization, 'Bearer EAAG-meta-access-token');
      assert.equal(req.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(req.body), {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '16505551234',
        type: 'text',
        text: { preview_url: false, body: 'Hi! Reply YES & more "quotes"' },
      });
      assert.equal((await history(h, app.id, '16505551234')).length, 1);
    });

    it('meta: retries on 5xx, 429, time-outs and network errors; gives up on other 4xx and redirects', async () => {
      const app = await metaApp(`MetaFail${kind}`);
      const it1 = await item(app, '16505551235', 'x');
      fake.answer({ status: 503, body: { error: { message: 'Service temporarily unavailable' } } });
      assert.deepEqual(await deliver(it1), {
        ok: false,
        status: 503,
        error: 'HTTP 503: Service temporarily unavailable',
        retry: true,
      });
      fake.answer({ status: 429, body: { error: { message: '(#130429) Rate limit hit' } } });
      assert.equal((await deliver(it1)).retry, true);
      fake.answer({
        status: 400,
        body: {
          error: {
            message: '(#131030) Recipient phone number not in allowed list',
            type: 'OAuthException',
            code: 131030,
          },
        },
      });
      assert.deepEqual(await deliver(it1), {
        ok: false,
        status: 400,
        error: 'HTTP 400: (#131030) Recipient phone number not in allowed list',
        retry: false,
      });
      fake.answer({ status: 401, body: { error: { message: 'Invalid OAuth access token.' } } });
      assert.equal((await deliver(it1)).retry, false);
      fake.answer({ status: 302, headers: { location: 'http://169.254.169.254/' } });
      const redirected = await deliver(it1);
      assert.deepEqual([redirected.ok, redirected.status, redirected.retry], [false, 302, false]);
      fake.answer({ status: 200, body: { messages: [{ id: 'late' }] }, delayMs: 500 });
      const slow = await deliver(it1, 100);
      assert.deepEqual(slow, { ok: false, error: 'no answer within 0.1 s', retry: true });
      assert.equal((await history(h, app.id, '16505551235')).length, 0, 'nothing counted as sent');
    });

    it('meta: a network error is retried', async () => {
      const dead = await fakeProvider();
      await dead.close();
      const h2 = await harness(kind, { config: { metaGraphUrl: dead.url } });
      try {
        const app = await withSecrets(h2, (await h2.makeApp({ name: 'DeadShop' })).app, {
          sender: 'meta',
          metaAccessToken: 'EAAG-meta-access-token',
          metaPhoneNumberId: '106540352242922',
        });
        await h2.store.transact(() =>
          enqueueMessage(
            app.id,
            'msg_dead',
            'optin-prompt',
            { channel: 'whatsapp', to: '16505551236', text: 'x' },
            Date.now(),
          ),
        );
        const r = await deliverMessage(h2.deps, (await h2.store.read(() => outboxItem('msg_dead')))!);
        assert.equal(r.ok, false);
        assert.equal(r.retry, true);
        assert.match(r.error!, /^network error/);
      } finally {
        await h2.close();
      }
    });

    it('meta and gupshup: missing credentials fail at once, without a request', async () => {
      const app = await withSecrets(h, (await h.makeApp({ name: `NoCreds${kind}` })).app, { sender: 'meta' });
      const before = fake.received.length;
      assert.deepEqual(await deliver(await item(app, '16505551237', 'x')), {
        ok: false,
        error: 'the app has no metaAccessToken or metaPhoneNumberId',
        retry: false,
      });
      const g = await withSecrets(h, app, { sender: 'gupshup' });
      assert.equal((await deliver(await item(g, '16505551237', 'x'))).retry, false);
      assert.equal(fake.received.length, before);
    });

    it('gupshup: sends exactly the form-encoded request with the apikey header', async () => {
      const app = await gupshupApp(`GsShop${kind}`);
      const it1 = await item(app, '918123456789', 'Hola & adiós');
      fake.answer({ status: 202, body: { status: 'submitted', messageId: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35' } });
      const before = fake.received.length;
      const r = await deliver(it1);
      assert.deepEqual(r, { ok: true, status: 202, retry: false, providerId: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35' });
      const req = fake.received[before]!;
      assert.equal(req.method, 'POST');
      assert.equal(req.path, '/wa/api/v1/msg');
      assert.equal(req.headers.apikey, 'gupshup-api-key-0123');
      assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.deepEqual(Object.fromEntries(new URLSearchParams(req.body)), {
        channel: 'whatsapp',
        source: '917834811114',
        destination: '918123456789',
        message: JSON.stringify({ type: 'text', text: 'Hola & adiós' }),
        'src.name': app.name,
      });
    });

    it('gupshup: a 2xx that says status "error" is a refusal; 5xx is retried', async () => {
      const app = await gupshupApp(`GsFail${kind}`);
      const it1 = await item(app, '918123456780', 'x');
      fake.answer({ status: 200, body: { status: 'error', message: 'Invalid Destination' } });
      assert.deepEqual(await deliver(it1), {
        ok: false,
        status: 200,
        error: 'Gupshup refused the message: Invalid Destination',
        retry: false,
      });
      fake.answer({ status: 502, body: { status: 'error', message: 'Bad gateway' } });
      assert.deepEqual(await deliver(it1), { ok: false, status: 502, error: 'HTTP 502: Bad gateway', retry: true });
      assert.equal((await history(h, app.id, '918123456780')).length, 0);
    });

    it('Should deliver the prompt a real inbound message enqueued, through the app’s provider', async () => {
      const app = await withSecrets(h, await gupshupApp(`GsFlow${kind}`), {
        gupshupToken: 'gupshup-callback-token-0123',
      });
      const res = await h.request(`/hooks/${app.name}/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer gupshup-callback-token-0123' },
        body: gupshupMessage({ id: `gs-flow-${kind}`, from: '5511912345670', text: 'oi', at: Date.now() }),
      });
      assert.equal(res.status, 200);
      const [prompt] = await sent(h, app.id);
      fake.answer({ status: 202, body: { status: 'submitted', messageId: 'gs-sent-1' } });
      const before = fake.received.length;
      const outbox = (await h.store.read(() => outboxItem(prompt!.id)))!;
      assert.equal((await deliver(outbox)).ok, true);
      const text = JSON.parse(new URLSearchParams(fake.received[before]!.body).get('message')!).text as string;
      assert.match(text, /^Olá! Quer receber novidades de Acme Shoes pelo WhatsApp\?/);
      assert.deepEqual(
        (await history(h, app.id, '5511912345670')).map((m) => m.direction),
        ['in', 'out'],
      );
    });

    it('Should refuse an item that is not a WhatsApp text message, or whose app is gone', async () => {
      const app = (await h.makeApp({ name: `OddItem${kind}` })).app;
      const it1 = await item(app, '14155550902', 'x');
      assert.equal(
        (await deliverMessage(h.deps, { ...it1, body: { channel: 'sms', to: 'x', text: '' } })).retry,
        false,
      );
      assert.equal((await deliverMessage(h.deps, { ...it1, kind: 'event' })).retry, false);
      assert.deepEqual(await deliverMessage(h.deps, { ...it1, appId: 'no-such-app' }), {
        ok: false,
        error: 'the app no longer exists',
        retry: false,
      });
    });
  });
}
