import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { activityAt, SESSION_WINDOW_MS } from '../core/optin-state.js';
import type { AppRecord } from '../server/store/index.js';
import { fixtureBytes, gupshupMessage, metaMessage, SIGNATURES, signMeta } from './fixtures/index.js';
import { CALLBACK, count, events, flagged, history, sent, withSecrets } from './hooks-helpers.js';
import { form, harness, manualClock, startTestServer, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';
import { consentsFor, shownText } from '../server/store/ledger.js';
import { getUser } from '../server/store/users.js';
import { patchApp } from './support/ledger.js';

const SECRET = SIGNATURES.meta.appSecret;
const GUPSHUP_TOKEN = 'gupshup-callback-token-0123';
const VERIFY_TOKEN = 'meta-verify-token-0123';
const T0 = Date.UTC(2026, 2, 2, 12, 0, 0);

type Json = Record<string, unknown>;
const errCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

for (const kind of STORE_KINDS) {
  describe(`WhatsApp hooks (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    const clock = manualClock(T0);
    let shop: AppRecord;
    let n = 0;
    before(async () => {
      h = await harness(kind, { clock });
      const made = await h.makeApp({
        name: 'WaShop',
        displayName: 'Acme Shoes',
        phone: '+14155550100',
        live: true,
        settings: { callbackUrl: CALLBACK },
      });
      shop = await withSecrets(h, made.app, {
        metaAppSecret: SECRET,
        metaVerifyToken: VERIFY_TOKEN,
        gupshupToken: GUPSHUP_TOKEN,
      });
    });
    after(() => h.close());

    const wamid = () => `wamid.TEST${kind}${++n}`;
    const meta = (body: string | Buffer, o: { app?: string; sig?: string | null; type?: string } = {}) =>
      h.request(`/hooks/${o.app ?? 'WaShop'}/whatsapp`, {
        method: 'POST',
        headers: {
          'content-type': o.type ?? 'application/json',
          ...(o.sig === null ? {} : { 'x-hub-signature-256': o.sig ?? signMeta(SECRET, body) }),
        },
        body: typeof body === 'string' ? body : new Uint8Array(body),
      });
    const gupshup = (body: string, o: { app?: string; token?: string; query?: boolean } = {}) =>
      h.request(
        `/hooks/${o.app ?? 'WaShop'}/whatsapp${o.query ? `?token=${encodeURIComponent(o.token ?? GUPSHUP_TOKEN)}` : ''}`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(o.query ? {} : { authorization: `Bearer ${o.token ?? GUPSHUP_TOKEN}` }),
          },
          body,
        },
      );
    const say = async (
      from: string,
      text: string,
      o: { id?: string; via?: 'meta' | 'gupshup'; app?: string; at?: number } = {},
    ) => {
      const m = { id: o.id ?? wamid(), from, text, at: o.at ?? clock.now() };
      const res =
        o.via === 'gupshup'
          ? await gupshup(gupshupMessage(m), { app: o.app })
          : await meta(metaMessage(m), { app: o.app });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as Json;
    };
    const user = (phone: string, app = shop) => h.store.read(getUser, app.id, phone);

    describe('GET verify handshake', () => {
      it('Should echo hub.challenge as text/plain for the app’s verify token', async () => {
        const res = await h.request(
          `/hooks/WaShop/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
        );
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type')!, /^text\/plain/);
        assert.equal(await res.text(), '1158201444');
      });
      it('Should refuse a wrong token, a wrong mode, or an app without a verify token', async () => {
        assert.equal(
          (await h.request('/hooks/WaShop/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1')).status,
          403,
        );
        assert.equal(
          (
            await h.request(
              `/hooks/WaShop/whatsapp?hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`,
            )
          ).status,
          403,
        );
        assert.equal((await h.request('/hooks/WaShop/whatsapp?hub.challenge=1')).status, 403);
        await h.makeApp({ name: 'NoMeta' });
        assert.equal(
          (await h.request('/hooks/NoMeta/whatsapp?hub.mode=subscribe&hub.verify_token=&hub.challenge=1')).status,
          403,
        );
        assert.equal(
          (await h.request('/hooks/NoSuchApp/whatsapp?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1')).status,
          404,
        );
      });
    });

    describe('signatures and bad input', () => {
      it('Should take the docs’ Meta payload with its precomputed signature: activity, history, prompt', async () => {
        const raw = fixtureBytes('meta/text-message.json');
        // A minute after the docs' message was sent: inside the 24-hour window, so it may be answered.
        clock.set(1749416383000 + 60_000);
        const res = await meta(raw, { sig: SIGNATURES.meta.files['meta/text-message.json']!.signature });
        clock.set(T0);
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), {
          ok: true,
          handled: 1,
          duplicates: 0,
          ignored: 0,
          malformed: 0,
          problems: [],
        });
        assert.equal((await sent(h, shop.id)).filter((m) => m.phone === '16505551234').length, 1);
        const u = await user('16505551234');
        assert.equal(u?.optin, 'none');
        // The docs' message was sent in 2025: its own time counts, not the clock's.
        assert.equal(u?.lastInboundAt, 1749416383000);
        assert.deepEqual(
          (await history(h, shop.id, '16505551234')).map((m) => [m.direction, m.text]),
          [['in', 'Does it come in another color?']],
        );
      });

      it('Should refuse a forged or missing signature, or a wrong Gupshup token, with 403 and change nothing', async () => {
        const raw = fixtureBytes('meta/button-reply.json');
        const before = await count(h, 'inbound', shop.id);
        for (const res of [
          await meta(raw, { sig: SIGNATURES.meta.files['meta/button-reply.json']!.forged }),
          await meta(raw, { sig: 'sha256=' }),
          await meta(raw, { sig: SIGNATURES.meta.files['meta/text-message.json']!.signature }), // another body's
          await meta(raw, { sig: null }),
          await gupshup(gupshupMessage({ id: 'gs-forged', from: '14155550999', text: 'hi' }), {
            token: 'not-the-token-0123',
          }),
          await gupshup(gupshupMessage({ id: 'gs-forged', from: '14155550999', text: 'hi' }), {
            token: 'not-the-token-0123',
            query: true,
          }),
        ]) {
          assert.equal(res.status, 403);
          assert.equal(await errCode(res), 'invalid_signature');
        }
        assert.equal(await count(h, 'inbound', shop.id), before);
        assert.equal(await user('14155550999'), null);
      });

      it('Should accept the Gupshup token as a bearer token or as ?token=', async () => {
        assert.equal(
          (await gupshup(gupshupMessage({ id: 'gs-q1', from: '14155550998', text: 'hi' }), { query: true })).status,
          200,
        );
        assert.equal((await gupshup(gupshupMessage({ id: 'gs-q2', from: '14155550998', text: 'hi' }))).status, 200);
        assert.equal((await count(h, 'inbound', shop.id)) > 0, true);
      });

      it('Should answer 200 and ignore status updates, delivery events, unknown and docs-masked payloads', async () => {
        const status = fixtureBytes('meta/status-update.json');
        const r1 = await meta(status, { sig: SIGNATURES.meta.files['meta/status-update.json']!.signature });
        assert.equal(r1.status, 200);
        assert.equal(((await r1.json()) as Json).handled, 0);
        for (const body of [
          fixtureBytes('gupshup/message-event.json').toString(),
          fixtureBytes('gupshup/text-message.json').toString(),
          '{"hello":"world"}',
          '[]',
          '42',
          'null',
        ]) {
          const res = await gupshup(body);
          assert.equal(res.status, 200, body);
        }
        const oddMeta = JSON.stringify({
          object: 'whatsapp_business_account',
          entry: [{ changes: [{ value: { messages: [{ from: 'x', id: 1 }] } }] }],
        });
        assert.equal((await meta(oddMeta)).status, 200);
      });

      it('Should answer 4xx in the error shape to malformed JSON, a wrong content type, an oversized body', async () => {
        const bad = await meta('{"object":');
        assert.equal(bad.status, 400);
        assert.equal(await errCode(bad), 'malformed_json');
        const text = await meta(metaMessage({ id: wamid(), from: '14155550997', text: 'hi' }), { type: 'text/plain' });
        assert.equal(text.status, 415);
        assert.equal(await errCode(text), 'unsupported_media_type');
        const formPost = await h.request('/hooks/WaShop/whatsapp', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${GUPSHUP_TOKEN}` },
          body: 'a=1',
        });
        assert.equal(formPost.status, 415);
        const big = JSON.stringify({
          object: 'whatsapp_business_account',
          entry: [],
          pad: 'x'.repeat(3 * 1024 * 1024),
        });
        const tooBig = await meta(big);
        assert.equal(tooBig.status, 413);
        assert.equal(await errCode(tooBig), 'payload_too_large');
        assert.equal((await meta('{}', { app: 'NoSuchApp' })).status, 404);
        assert.equal(await user('14155550997'), null);
      });
    });

    describe('activity', () => {
      it('Should make the sender active for exactly 24 hours from their message', async () => {
        clock.set(T0);
        await say('14155550301', 'hello');
        const u = await user('14155550301');
        assert.equal(u?.lastInboundAt, T0);
        assert.equal(activityAt(u!.lastInboundAt, T0 + SESSION_WINDOW_MS - 1), 'active');
        assert.equal(activityAt(u!.lastInboundAt, T0 + SESSION_WINDOW_MS), 'inactive');
        // A later message moves the window; an older one (a late retry) never moves it back.
        clock.set(T0 + 10 * 3600_000);
        await say('14155550301', 'again', { via: 'gupshup' });
        assert.equal((await user('14155550301'))?.lastInboundAt, T0 + 10 * 3600_000);
        await say('14155550301', 'late', { at: T0 + 3600_000 });
        assert.equal((await user('14155550301'))?.lastInboundAt, T0 + 10 * 3600_000);
        // A provider clock ahead of ours is not believed.
        await say('14155550301', 'future', { at: T0 + 100 * 3600_000 });
        assert.equal((await user('14155550301'))?.lastInboundAt, T0 + 10 * 3600_000);
        clock.set(T0);
      });
    });

    describe('verified web consent', () => {
      const consent = async (name: string, phone: string) => {
        const res = await h.request(`/o/${name}`, form({ consent: 'yes', phone, via: 'qr' }));
        assert.equal(res.status, 303);
        const text = new URL(res.headers.get('location')!).searchParams.get('text')!;
        return { text, ref: /\(ref ([A-Z2-9]{6})\)/.exec(text)![1]! };
      };

      it('Should verify the consent when the typed phone sends the prefilled message, with a linked verify record', async () => {
        const { text, ref } = await consent('WaShop', '+1 415 555 0401');
        assert.equal((await user('14155550401'))?.verified, false);
        const out = await say('14155550401', text);
        assert.equal(out.handled, 1);
        const u = await user('14155550401');
        assert.deepEqual([u?.optin, u?.via, u?.verified], ['opted_in', 'qr', true]);
        const recs = await h.store.read(consentsFor, shop.id, '14155550401');
        assert.deepEqual(
          recs.map((r) => r.action),
          ['opt_in', 'verify'],
        );
        assert.equal(recs[1]!.linkedId, recs[0]!.id);
        assert.equal(recs[1]!.ref, ref);
        assert.equal(recs[1]!.wordingSha256, recs[0]!.wordingSha256);
        const ev = (await events(h, shop.id)).filter((e) => e.phone === '14155550401');
        assert.equal(ev.at(-1)!.type, 'verified');
        assert.deepEqual((ev.at(-1)!.body as { data: unknown }).data, {
          phone: '14155550401',
          via: 'qr',
          ref,
          optin: 'opted_in',
          verified: true,
          purposes: { marketing: 'opted_in', utility: 'opted_in', authentication: 'opted_in' },
        });
        assert.equal(
          (await sent(h, shop.id)).filter((m) => m.phone === '14155550401').length,
          0,
          'no prompt for someone who consented',
        );
        // The same reference again verifies nothing more.
        await say('14155550401', text);
        assert.equal((await h.store.read(consentsFor, shop.id, '14155550401')).length, 2);
      });

      it('Should opt in the sender, not the typed number, and flag the typed number', async () => {
        const { text } = await consent('WaShop', '+14155550402');
        await say('14155550403', `  ${text.toLowerCase()} `);
        const sender = await user('14155550403');
        assert.deepEqual([sender?.optin, sender?.via, sender?.verified], ['opted_in', 'qr', true]);
        assert.equal(await flagged(h, shop.id, '14155550402'), true);
        assert.equal(await flagged(h, shop.id, '14155550403'), false);
        assert.equal((await user('14155550402'))?.verified, false);
        const ev = (await events(h, shop.id)).filter((e) => e.phone === '14155550403');
        assert.deepEqual(
          ev.map((e) => e.type),
          ['opted-in'],
        );
        const recs = await h.store.read(consentsFor, shop.id, '14155550403');
        assert.deepEqual(
          recs.map((r) => r.action),
          ['verify'],
        );
      });

      it('Should verify a consent given without a phone', async () => {
        const made = await h.makeApp({
          name: 'NoPhoneField',
          phone: '+14155550100',
          live: true,
          settings: { phoneField: 'none', callbackUrl: CALLBACK },
        });
        const app = await withSecrets(h, made.app, { metaAppSecret: SECRET });
        const { text } = await consent('NoPhoneField', '');
        await say('14155550404', text, { app: 'NoPhoneField' });
        assert.deepEqual(
          [(await user('14155550404', app))?.optin, (await user('14155550404', app))?.verified],
          ['opted_in', true],
        );
      });

      it('Should tell the business opted-in (not verified) when unverified web consents do not count', async () => {
        const made = await h.makeApp({
          name: 'StrictShop',
          phone: '+14155550100',
          live: true,
          settings: { unverifiedCountsAsOptin: false, callbackUrl: CALLBACK },
        });
        const app = await withSecrets(h, made.app, { metaAppSecret: SECRET });
        const { text } = await consent('StrictShop', '+14155550405');
        await say('14155550405', text, { app: 'StrictShop' });
        const ev = (await events(h, app.id)).filter((e) => e.phone === '14155550405');
        assert.equal(ev.at(-1)!.type, 'opted-in');
        assert.equal((await user('14155550405', app))?.verified, true);
      });

      it('Should treat an unknown reference as an ordinary message', async () => {
        await say('14155550406', 'Hi Acme! (ref ZZZZZZ)');
        assert.deepEqual(
          (await h.store.read(consentsFor, shop.id, '14155550406')).map((r) => r.action),
          ['prompt_sent'],
        );
      });
    });

    describe('automated first-message opt-in', () => {
      it('Should prompt a new sender once, in English by default, and opt them in on YES via first_message, verified', async () => {
        await say('14155550501', 'Do you have these in blue?');
        await say('14155550501', 'Hello?');
        const prompts = (await sent(h, shop.id)).filter((m) => m.phone === '14155550501');
        assert.equal(prompts.length, 1);
        assert.equal(prompts[0]!.type, 'optin-prompt');
        assert.deepEqual(prompts[0]!.body, {
          channel: 'whatsapp',
          to: '14155550501',
          text: 'Hi! Would you like to get updates from Acme Shoes on WhatsApp? Reply YES to agree, or STOP to not get any.',
        });
        const [rec] = await h.store.read(consentsFor, shop.id, '14155550501');
        assert.equal(rec!.action, 'prompt_sent');
        assert.equal(rec!.via, 'first_message');
        assert.equal(await h.store.read(shownText, rec!.wordingSha256!), prompts[0]!.body.text);
        assert.equal((await user('14155550501'))?.optin, 'none', 'no answer leaves the status none');

        await say('14155550501', 'Yes');
        const u = await user('14155550501');
        assert.deepEqual([u?.optin, u?.via, u?.verified], ['opted_in', 'first_message', true]);
        const recs = await h.store.read(consentsFor, shop.id, '14155550501');
        assert.deepEqual(
          recs.map((r) => r.action),
          ['prompt_sent', 'opt_in'],
        );
        assert.equal(recs[1]!.linkedId, recs[0]!.id);
        assert.equal(recs[1]!.wordingSha256, recs[0]!.wordingSha256, 'the evidence is the prompt they said yes to');
        assert.deepEqual(
          (await events(h, shop.id)).filter((e) => e.phone === '14155550501').map((e) => e.type),
          ['opted-in'],
        );
        assert.equal(
          (await sent(h, shop.id)).filter((m) => m.phone === '14155550501').at(-1)!.type,
          'optin-confirmation',
        );
        // "yes" later in a conversation changes nothing.
        await say('14155550501', 'YES');
        assert.equal((await h.store.read(consentsFor, shop.id, '14155550501')).length, 2);
      });

      it('Should prompt in Spanish and Portuguese where the sender tells, and take SÍ, SIM, BAJA', async () => {
        await say('34612345678', 'Hola, ¿tenéis tienda en Madrid?', { via: 'gupshup' });
        await say('5511912345678', 'quanto custa?', { via: 'gupshup' });
        const es = (await sent(h, shop.id)).find((m) => m.phone === '34612345678')!;
        const pt = (await sent(h, shop.id)).find((m) => m.phone === '5511912345678')!;
        assert.match(
          String(es.body.text),
          /^¡Hola! ¿Quieres recibir novedades de Acme Shoes por WhatsApp\? Responde SÍ/,
        );
        assert.match(String(pt.body.text), /^Olá! Quer receber novidades de Acme Shoes pelo WhatsApp\? Responda SIM/);
        await say('34612345678', '¡Sí!', { via: 'gupshup' });
        await say('5511912345678', 'sim', { via: 'gupshup' });
        assert.equal((await user('34612345678'))?.optin, 'opted_in');
        assert.equal((await user('5511912345678'))?.optin, 'opted_in');
        await say('34612345678', 'BAJA', { via: 'gupshup' });
        assert.equal((await user('34612345678'))?.optin, 'opted_out');
        assert.deepEqual(
          (await events(h, shop.id)).filter((e) => e.phone === '34612345678').map((e) => e.type),
          ['opted-in', 'opted-out'],
        );
        assert.match(
          String((await sent(h, shop.id)).filter((m) => m.phone === '34612345678').at(-1)!.body.text),
          /No recibirás más mensajes/,
        );
      });

      it('Should opt out on STOP straight after the prompt, and never prompt again', async () => {
        await say('14155550502', 'hi');
        await say('14155550502', 'stop');
        assert.equal((await user('14155550502'))?.optin, 'opted_out');
        await say('14155550502', 'hi again');
        assert.deepEqual(
          (await sent(h, shop.id)).filter((m) => m.phone === '14155550502').map((m) => m.type),
          ['optin-prompt', 'optout-confirmation'],
        );
      });

      it('Should use the app’s own prompt text, and stop prompting when switched off', async () => {
        await patchApp(
          h.store,
          shop.id,
          {
            settings: {
              ...shop.settings,
              autoOptinMessage: { enabled: true, text: { en: 'Join {business} news? YES or STOP' } },
            },
          },
          clock.now(),
        );
        await say('14155550503', 'hi');
        assert.equal(
          (await sent(h, shop.id)).find((m) => m.phone === '14155550503')!.body.text,
          'Join Acme Shoes news? YES or STOP',
        );
        await patchApp(
          h.store,
          shop.id,
          { settings: { ...shop.settings, autoOptinMessage: { enabled: false, text: {} } } },
          clock.now(),
        );
        await say('14155550504', 'hi');
        assert.equal((await sent(h, shop.id)).filter((m) => m.phone === '14155550504').length, 0);
        assert.equal((await user('14155550504'))?.lastInboundAt, clock.now(), 'still active');
        await patchApp(h.store, shop.id, { settings: shop.settings }, clock.now());
      });

      it('Should take the docs’ interactive button reply “Yes” to the prompt as a YES', async () => {
        // 16505551234 was prompted by the docs' text message above.
        const raw = fixtureBytes('meta/button-reply.json');
        clock.set(1750090702000 + 60_000);
        const res = await meta(raw, { sig: SIGNATURES.meta.files['meta/button-reply.json']!.signature });
        clock.set(T0);
        assert.equal(res.status, 200);
        const u = await user('16505551234');
        assert.deepEqual([u?.optin, u?.via, u?.verified], ['opted_in', 'first_message', true]);
        assert.deepEqual(
          (await h.store.read(consentsFor, shop.id, '16505551234')).map((r) => r.action),
          ['prompt_sent', 'opt_in'],
        );
      });

      it('Should answer HELP without changing anything', async () => {
        await say('14155550505', 'ajuda');
        const m = (await sent(h, shop.id)).filter((x) => x.phone === '14155550505');
        assert.deepEqual(
          m.map((x) => x.type),
          ['help'],
        );
        assert.match(String(m[0]!.body.text), /Responda SAIR/);
        assert.equal((await h.store.read(consentsFor, shop.id, '14155550505')).length, 0);
      });
    });

    describe('replays', () => {
      it('Should change nothing and send nothing for a repeated wamid or Gupshup id', async () => {
        const id = wamid();
        const first = await say('14155550601', 'hi', { id });
        const again = await say('14155550601', 'hi', { id });
        assert.deepEqual([first.handled, again.handled, again.duplicates], [1, 0, 1]);
        await say('14155550602', 'hi', { id: 'gs-replay-1', via: 'gupshup' });
        await say('14155550602', 'YES', { id: 'gs-replay-2', via: 'gupshup' });
        const evBefore = (await events(h, shop.id)).length;
        for (const [phone, mid, text] of [
          ['14155550601', id, 'hi'],
          ['14155550602', 'gs-replay-1', 'hi'],
          ['14155550602', 'gs-replay-2', 'YES'],
        ] as const) {
          await say(phone, text, { id: mid, via: mid.startsWith('gs') ? 'gupshup' : 'meta' });
        }
        assert.equal((await history(h, shop.id, '14155550601')).length, 1);
        assert.equal((await history(h, shop.id, '14155550602')).length, 2);
        assert.equal((await sent(h, shop.id)).filter((m) => m.phone === '14155550601').length, 1);
        assert.equal((await events(h, shop.id)).length, evBefore);
      });
    });
  });

  describe(`the one prompt under concurrent messages (${kind})`, { skip: await skipUnless(kind) }, () => {
    it('Should enqueue exactly one prompt when many messages from a new phone arrive at once', async () => {
      const s = await startTestServer(kind);
      try {
        const made = await s.makeApp({ name: 'BusyShop', settings: { callbackUrl: CALLBACK } });
        const app = await withSecrets(s, made.app, { metaAppSecret: SECRET, gupshupToken: GUPSHUP_TOKEN });
        const post = (i: number, phone: string) => {
          const body =
            i % 2
              ? gupshupMessage({ id: `gs-burst-${phone}-${i}`, from: phone, text: `message ${i}`, at: Date.now() })
              : metaMessage({ id: `wamid.burst-${phone}-${i}`, from: phone, text: `message ${i}`, at: Date.now() });
          const headers: Record<string, string> = {
            'content-type': 'application/json',
            ...(i % 2
              ? { authorization: `Bearer ${GUPSHUP_TOKEN}` }
              : { 'x-hub-signature-256': signMeta(SECRET, body) }),
          };
          return fetch(`${s.url}/hooks/BusyShop/whatsapp`, { method: 'POST', headers, body });
        };
        for (const phone of ['14155550701', '14155550702', '14155550703']) {
          const res = await Promise.all(Array.from({ length: 12 }, (_, i) => post(i, phone)));
          assert.deepEqual(
            res.map((r) => r.status),
            Array(12).fill(200),
          );
          const prompts = (await sent(s, app.id)).filter((m) => m.phone === phone && m.type === 'optin-prompt');
          assert.equal(prompts.length, 1, phone);
          assert.deepEqual(
            (await s.store.read(consentsFor, app.id, phone)).map((r) => r.action),
            ['prompt_sent'],
          );
          assert.equal((await history(s, app.id, phone)).length, 12);
        }
        assert.equal(await count(s, 'prompts', app.id), 3);
        assert.equal(await count(s, 'inbound', app.id), 36);
      } finally {
        await s.close();
      }
    });
  });
}
