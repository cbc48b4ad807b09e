import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixtureJson, SIGNATURES, signTwilio, twilioSms } from './fixtures/index.js';
import { CALLBACK, count, events, history, withSecrets } from './hooks-helpers.js';
import { ADMIN, harness, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';
import { twilioSignature } from '../server/inbound/signatures.js';
import type { AppRecord } from '../server/store/index.js';
import { consentsFor, shownText } from '../server/store/ledger.js';
import { getUser } from '../server/store/users.js';

const TOKEN = SIGNATURES.twilio.authToken;

describe('Twilio signature', () => {
  const v = fixtureJson<{ authToken: string; url: string; params: Record<string, string>; signature: string }>(
    'twilio/signature-vector.json',
  );
  it('Should reproduce the worked example of Twilio’s security docs', () =>
    assert.equal(twilioSignature(v.authToken, v.url, Object.entries(v.params)), v.signature));
  it('Should sort parameters by name whatever order they come in', () =>
    assert.equal(twilioSignature(v.authToken, v.url, Object.entries(v.params).reverse()), v.signature));
});

for (const kind of STORE_KINDS) {
  describe(`POST /hooks/:app/sms (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    let app: AppRecord;
    let sid = 0;
    before(async () => {
      h = await harness(kind);
      const made = await h.makeApp({
        name: 'TwilioShop',
        displayName: 'Acme Shoes',
        settings: { callbackUrl: CALLBACK },
      });
      app = await withSecrets(h, made.app, { twilioAuthToken: TOKEN });
    });
    after(() => h.close());

    const nextSid = () => `SM${String(++sid).padStart(32, '0')}`;
    const post = (fields: Record<string, string>, o: { sig?: string; path?: string; type?: string } = {}) => {
      const path = o.path ?? '/hooks/TwilioShop/sms';
      const sig = o.sig ?? signTwilio(TOKEN, `${h.config.publicUrl}${path}`, fields);
      return h.request(path, {
        method: 'POST',
        headers: { 'content-type': o.type ?? 'application/x-www-form-urlencoded', 'x-twilio-signature': sig },
        body: new URLSearchParams(fields).toString(),
      });
    };
    const sms = async (from: string, body: string, s = nextSid()) => {
      const res = await post(twilioSms({ sid: s, from, body }));
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/xml/);
      return res.text();
    };
    const user = (phone: string) => h.store.read(getUser, app.id, phone);

    it('Should accept the docs’ payload with its precomputed signature, and opt the sender in via sms, verified', async () => {
      const fields = fixtureJson<Record<string, string>>(SIGNATURES.twilio.file);
      const res = await post(fields, { sig: SIGNATURES.twilio.signature });
      assert.equal(res.status, 200);
      const xml = await res.text();
      assert.match(
        xml,
        /^<\?xml version="1.0" encoding="UTF-8"\?><Response><Message>Acme Shoes: you are opted in to updates on WhatsApp\. Msg &amp; data rates may apply\. Reply HELP for help, STOP to opt out\.<\/Message><\/Response>$/,
      );
      const u = await user('14155550123');
      assert.equal(u?.optin, 'opted_in');
      assert.equal(u?.via, 'sms');
      assert.equal(u?.verified, true);
      assert.equal(u?.lastInboundAt, null, 'an SMS does not open the WhatsApp window');
      const c = await h.store.read(consentsFor, app.id, '14155550123');
      assert.deepEqual(
        c.map((r) => [r.action, r.via]),
        [['opt_in', 'sms']],
      );
      assert.equal(
        await h.store.read(shownText, c[0]!.wordingSha256!),
        'Acme Shoes: you are opted in to updates on WhatsApp. Msg & data rates may apply. Reply HELP for help, STOP to opt out.',
      );
      const ev = (await events(h, app.id)).filter((e) => e.phone === '14155550123');
      assert.deepEqual(
        ev.map((e) => e.type),
        ['opted-in'],
      );
      assert.deepEqual((ev[0]!.body as { data: unknown }).data, {
        phone: '14155550123',
        via: 'sms',
        optin: 'opted_in',
        verified: true,
      });
    });

    it('Should refuse the docs’ payload with a forged signature, a missing one, or a changed field: 403, nothing recorded', async () => {
      const fields = {
        ...fixtureJson<Record<string, string>>(SIGNATURES.twilio.file),
        MessageSid: 'SMforged000000000000000000000001',
        From: '+14155550199',
      };
      const before = await count(h, 'inbound', app.id);
      for (const sig of [SIGNATURES.twilio.forged, '', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=']) {
        const res = await post(fields, { sig });
        assert.equal(res.status, 403);
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_signature');
      }
      // Signed for other values: the body was changed on the way.
      const signed = signTwilio(TOKEN, `${h.config.publicUrl}/hooks/TwilioShop/sms`, { ...fields, Body: 'Hello' });
      assert.equal((await post({ ...fields, Body: 'STOP' }, { sig: signed })).status, 403);
      const noHeader = await h.request('/hooks/TwilioShop/sms', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
      assert.equal(noHeader.status, 403);
      assert.equal(await count(h, 'inbound', app.id), before);
      assert.equal(await user('14155550199'), null);
    });

    it('Should sign over PUBLIC_URL, path and query, so a signature for another URL fails', async () => {
      const fields = twilioSms({ sid: nextSid(), from: '+14155550150', body: 'hi' });
      const elsewhere = signTwilio(TOKEN, `https://other.example/hooks/TwilioShop/sms`, fields);
      assert.equal((await post(fields, { sig: elsewhere })).status, 403);
      const path = '/hooks/TwilioShop/sms?campaign=spring';
      const withQuery = signTwilio(TOKEN, `${h.config.publicUrl}${path}`, fields);
      assert.equal((await post(fields, { path, sig: withQuery })).status, 200);
      assert.equal((await user('14155550150'))?.optin, 'opted_in');
    });

    it('Should refuse an app without a Twilio auth token', async () => {
      await h.makeApp({ name: 'NoTwilio' });
      const fields = twilioSms({ sid: nextSid(), from: '+14155550151', body: 'hi' });
      const res = await post(fields, {
        path: '/hooks/NoTwilio/sms',
        sig: signTwilio('', `${h.config.publicUrl}/hooks/NoTwilio/sms`, fields),
      });
      assert.equal(res.status, 403);
    });

    it('Should opt out on every STOP-type keyword, acknowledge it, and opt back in on START', async () => {
      const phone = '+14155550160';
      await sms(phone, 'hello');
      for (const [word, ack] of [
        ['STOP', /you are opted out/],
        ['Baja', /te diste de baja/],
        ['sair', /você saiu/],
        ['  unsubscribe ', /you are opted out/],
      ] as const) {
        await sms(phone, 'START');
        assert.equal((await user('14155550160'))?.optin, 'opted_in');
        const xml = await sms(phone, word);
        assert.match(xml, ack, word);
        assert.equal((await user('14155550160'))?.optin, 'opted_out', word);
      }
      // A repeated STOP is acknowledged again (CTIA) but changes nothing.
      const before = (await h.store.read(consentsFor, app.id, '14155550160')).length;
      assert.match(await sms(phone, 'stop'), /opted out/);
      assert.equal((await h.store.read(consentsFor, app.id, '14155550160')).length, before);
      const ev = (await events(h, app.id)).filter((e) => e.phone === '14155550160').map((e) => e.type);
      // "hello" opted in; the first START found them opted in already.
      assert.deepEqual(ev, [
        'opted-in',
        'opted-out',
        'opted-in',
        'opted-out',
        'opted-in',
        'opted-out',
        'opted-in',
        'opted-out',
      ]);
    });

    it('Should keep an opted-out sender opted out on an ordinary SMS: only START, YES or UNSTOP opt back in', async () => {
      await sms('+14155550960', 'hello');
      await sms('+14155550960', 'STOP');
      const quiet = await sms('+14155550960', 'ok thanks');
      assert.doesNotMatch(quiet, /<Message>/);
      assert.equal((await user('14155550960'))?.optin, 'opted_out');
      await sms('+14155550960', 'unstop');
      assert.equal((await user('14155550960'))?.optin, 'opted_in');
    });

    it('Should store text with a NUL character on both stores, never answer 500', async () => {
      const text = await sms('+14155550961', 'hi\u0000there');
      assert.match(text, /<Response>/);
      const msgs = await history(h, app.id, '14155550961');
      assert.ok(msgs.some((m) => m.text === 'hithere'));
    });

    it('Should answer HELP and AYUDA with help, changing nothing', async () => {
      const xml = await sms('+14155550170', 'HELP');
      assert.match(xml, /<Message>Acme Shoes: updates on WhatsApp[^<]*Reply STOP to opt out/);
      assert.match(await sms('+14155550170', 'ayuda'), /Responde BAJA/);
      assert.equal((await user('14155550170'))?.optin, 'none');
      assert.equal((await h.store.read(consentsFor, app.id, '14155550170')).length, 0);
    });

    it('Should stay quiet on an ordinary SMS from someone already opted in', async () => {
      await sms('+14155550180', 'hi');
      assert.equal(
        await sms('+14155550180', 'what time do you open?'),
        '<?xml version="1.0" encoding="UTF-8"?><Response/>',
      );
      assert.match(await sms('+14155550180', 'YES'), /you are opted in/);
      assert.equal((await h.store.read(consentsFor, app.id, '14155550180')).length, 1);
    });

    it('Should change nothing for a repeated MessageSid and answer the same TwiML', async () => {
      const s = nextSid();
      const first = await sms('+14155550190', 'hi', s);
      const again = await sms('+14155550190', 'hi', s);
      assert.equal(again, first);
      // Even a replay with other content (which Twilio never sends) changes nothing.
      assert.equal(await sms('+14155550190', 'STOP', s), first);
      assert.equal((await user('14155550190'))?.optin, 'opted_in');
      assert.equal((await h.store.read(consentsFor, app.id, '14155550190')).length, 1);
      assert.equal((await events(h, app.id)).filter((e) => e.phone === '14155550190').length, 1);
      const hist = await history(h, app.id, '14155550190');
      assert.deepEqual(
        hist.map((m) => [m.direction, m.channel]),
        [
          ['in', 'sms'],
          ['out', 'sms'],
        ],
      );
    });

    it('Should XML-escape what it echoes', async () => {
      const evil = await h.makeApp({ name: 'EvilShop', displayName: 'A&B <Shoes> "R" Us' });
      await withSecrets(h, evil.app, { twilioAuthToken: TOKEN });
      const fields = twilioSms({ sid: nextSid(), from: '+14155550200', body: 'hi' });
      const res = await post(fields, {
        path: '/hooks/EvilShop/sms',
        sig: signTwilio(TOKEN, `${h.config.publicUrl}/hooks/EvilShop/sms`, fields),
      });
      assert.match(await res.text(), /<Message>A&amp;B &lt;Shoes&gt; &quot;R&quot; Us: you are opted in/);
    });

    it('Should answer 4xx, never 500, to a wrong content type, an oversized body, a malformed form, an unknown app', async () => {
      const fields = twilioSms({ sid: nextSid(), from: '+14155550210', body: 'hi' });
      const json = await post(fields, { type: 'application/json' });
      assert.equal(json.status, 415);
      assert.equal(((await json.json()) as { error: { code: string } }).error.code, 'unsupported_media_type');
      const big = { ...fields, Body: 'x'.repeat(300 * 1024) };
      const tooBig = await post(big);
      assert.equal(tooBig.status, 413);
      assert.equal(((await tooBig.json()) as { error: { code: string } }).error.code, 'payload_too_large');
      const noSid = { From: '+14155550210', Body: 'hi' };
      assert.equal((await post(noSid)).status, 400);
      const unknown = await post(fields, { path: '/hooks/NoSuchApp/sms' });
      assert.equal(unknown.status, 404);
      assert.equal(await user('14155550210'), null);
    });

    it('Should take the auth token set through PATCH /api/v1/apps/:app', async () => {
      const created = await h.request('/api/v1/apps', {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'PatchedShop', displayName: 'Patched' }),
      });
      assert.equal(created.status, 201);
      const { apiKey } = (await created.json()) as { apiKey: string };
      const patched = await h.request('/api/v1/apps/PatchedShop', {
        method: 'PATCH',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ secrets: { twilioAuthToken: 'patched-twilio-token-0123' } }),
      });
      assert.equal(patched.status, 200);
      const fields = twilioSms({ sid: nextSid(), from: '+14155550220', body: 'hi' });
      const path = '/hooks/PatchedShop/sms';
      assert.equal(
        (await post(fields, { path, sig: signTwilio(TOKEN, `${h.config.publicUrl}${path}`, fields) })).status,
        403,
      );
      const res = await post(fields, {
        path,
        sig: signTwilio('patched-twilio-token-0123', `${h.config.publicUrl}${path}`, fields),
      });
      assert.equal(res.status, 200);
      assert.match(await res.text(), /Patched: you are opted in/);
    });

    it('Should answer an empty <Response/> to a sender that is not a phone number (an alphanumeric sender id)', async () => {
      assert.equal(await sms('ACME', 'hi'), '<?xml version="1.0" encoding="UTF-8"?><Response/>');
    });
  });
}
