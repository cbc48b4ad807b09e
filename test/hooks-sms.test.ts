import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import twilio from 'twilio';
import { fixtureJson, SIGNATURES, signTwilio, twilioSms } from './fixtures/index.js';
import { CALLBACK, count, events, history, withSecrets } from './hooks-helpers.js';
import { patchApp } from './support/ledger.js';
import { ADMIN, harness, startTestServer, type TestHarness, type TestServer } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';
import { twilioSignature, twilioUrlCandidates, verifyTwilio } from '../server/inbound/signatures.js';
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

  // Every URL Twilio may have signed, against every URL the request may arrive at: optin-kit accepts
  // exactly what twilio-node's validateRequest accepts.
  it('Should accept exactly the URLs Twilio’s own SDK accepts (ports, a bare trailing ?, query encodings)', () => {
    const urls = [
      'https://example.com/hooks/A/sms',
      'https://example.com:443/hooks/A/sms',
      'https://example.com/hooks/A/sms?',
      'https://example.com:443/hooks/A/sms?',
      'http://example.com/hooks/A/sms',
      'http://example.com:80/hooks/A/sms',
      'http://example.com:8080/hooks/A/sms',
      'https://example.com/hooks/A/sms?c=spring&x=1',
      'https://example.com/hooks/A/sms?c=it%27s',
      "https://example.com/hooks/A/sms?c=it's",
      'https://example.com/hooks/A/sms?c=a b',
      'https://example.com/hooks/A/sms?c=a%20b',
      'https://example.com/hooks/B/sms',
      'https://other.example/hooks/A/sms',
    ];
    let accepted = 0;
    for (const signedFor of urls) {
      const sig = twilio.getExpectedTwilioSignature(v.authToken, signedFor, v.params);
      for (const arrivedAt of urls) {
        const sdk = twilio.validateRequest(v.authToken, sig, arrivedAt, v.params);
        const ours = verifyTwilio(v.authToken, arrivedAt, Object.entries(v.params), sig);
        assert.equal(ours, sdk, `signed for ${signedFor}, arrived at ${arrivedAt}`);
        if (ours) accepted++;
      }
    }
    assert.ok(accepted > urls.length, 'some URLs other than the signed one are accepted');
    assert.deepEqual(twilioUrlCandidates('https://example.com/sms?').slice(0, 2), [
      'https://example.com/sms?',
      'https://example.com:443/sms?',
    ]);
  });
});

describe('POST /hooks/:app/sms on a real socket', () => {
  let h: TestServer;
  before(async () => {
    h = await startTestServer('sqlite');
    const made = await h.makeApp({ name: 'SockShop' });
    await withSecrets(h, made.app, { twilioAuthToken: TOKEN });
  });
  after(() => h.close());

  /** Posts with the request target exactly as written (fetch would re-encode the query). */
  const rawPost = (target: string, fields: Record<string, string>, sig: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const body = new URLSearchParams(fields).toString();
      const req = httpRequest(
        `${h.url}${target.startsWith('/') ? '' : '/'}`,
        {
          method: 'POST',
          path: target,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
            'x-twilio-signature': sig,
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it('Should check the signature over the request target as sent: a bare trailing ? and raw query characters', async () => {
    let i = 0;
    for (const target of ['/hooks/SockShop/sms?', "/hooks/SockShop/sms?c=it's", '/hooks/SockShop/sms?c=a%20b']) {
      const fields = twilioSms({ sid: `SM${String(++i).padStart(32, 'c')}`, from: `+1415555090${i}`, body: 'hi' });
      const signed = `${h.url}${target}`;
      const sig = twilio.getExpectedTwilioSignature(TOKEN, signed, fields);
      assert.ok(twilio.validateRequest(TOKEN, sig, `${h.url}${target}`, fields), 'the SDK accepts it');
      const res = await rawPost(target, fields, sig);
      assert.equal(res.status, 200, `${signed}: ${res.body}`);
      const wrong = twilio.getExpectedTwilioSignature(TOKEN, `${h.url}/hooks/SockShop/sms`, fields);
      if (target.includes('=')) assert.equal((await rawPost(target, fields, wrong)).status, 403, target);
    }
  });
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
        purposes: { marketing: 'opted_in', utility: 'opted_in', authentication: 'opted_in' },
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

    it('Should accept a signature over the URL with its default port, and over the URL with a bare trailing ?', async () => {
      // Twilio signs the URL as configured in its console: with or without ":80", with a trailing "?".
      const a = twilioSms({ sid: nextSid(), from: '+14155550230', body: 'hi' });
      const withPort = signTwilio(TOKEN, 'http://optin.test:80/hooks/TwilioShop/sms', a);
      assert.equal((await post(a, { sig: withPort })).status, 200);
      const b = twilioSms({ sid: nextSid(), from: '+14155550231', body: 'hi' });
      const path = '/hooks/TwilioShop/sms?';
      assert.equal((await post(b, { path, sig: signTwilio(TOKEN, `${h.config.publicUrl}${path}`, b) })).status, 200);
      const c = twilioSms({ sid: nextSid(), from: '+14155550232', body: 'hi' });
      assert.equal(
        (await post(c, { path, sig: signTwilio(TOKEN, 'http://optin.test:80/hooks/TwilioShop/sms?', c) })).status,
        200,
      );
      for (const p of ['14155550230', '14155550231', '14155550232'])
        assert.equal((await user(p))?.optin, 'opted_in', p);
      // Still only the path Twilio called: a trailing "?" is not a licence to sign another URL.
      const d = twilioSms({ sid: nextSid(), from: '+14155550233', body: 'hi' });
      assert.equal(
        (await post(d, { path, sig: signTwilio(TOKEN, 'http://optin.test:81/hooks/TwilioShop/sms?', d) })).status,
        403,
      );
    });

    it('Should refuse a captured START re-split into a new MessageSid, so a later STOP stays', async () => {
      const phone = '+14155550240';
      const start = twilioSms({ sid: nextSid(), from: phone, body: 'START' });
      const url = `${h.config.publicUrl}/hooks/TwilioShop/sms`;
      const captured = signTwilio(TOKEN, url, start);
      assert.equal((await post(start, { sig: captured })).status, 200);
      await sms(phone, 'STOP');
      assert.equal((await user('14155550240'))?.optin, 'opted_out');
      // NumMedia and NumSegments sort right after MessageSid: folded into its value, the signed
      // string is unchanged, so Twilio's own SDK calls the forgery valid.
      const { NumMedia, NumSegments, ...rest } = start;
      const resplit = { ...rest, MessageSid: `${start.MessageSid}NumMedia${NumMedia}NumSegments${NumSegments}` };
      assert.ok(
        twilio.validateRequest(TOKEN, captured, url, resplit),
        'the re-split request carries a valid signature',
      );
      const res = await post(resplit, { sig: captured });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'malformed_request');
      assert.equal((await user('14155550240'))?.optin, 'opted_out');
      const ev = (await events(h, app.id)).filter((e) => e.phone === '14155550240').map((e) => e.type);
      assert.deepEqual(ev, ['opted-in', 'opted-out']);
    });

    it('Should refuse SIDs that are not SM or MM and 32 hex digits, SmsSid or SmsMessageSid unlike MessageSid, and repeated names', async () => {
      const phone = '+14155550241';
      const base = twilioSms({ sid: nextSid(), from: phone, body: 'START' });
      const bad: Record<string, string>[] = [
        {
          ...base,
          MessageSid: 'SMforged000000000000000000000001',
          SmsSid: 'SMforged000000000000000000000001',
          SmsMessageSid: 'SMforged000000000000000000000001',
        },
        {
          ...base,
          MessageSid: `XX${'0'.repeat(32)}`,
          SmsSid: `XX${'0'.repeat(32)}`,
          SmsMessageSid: `XX${'0'.repeat(32)}`,
        },
        { ...base, SmsSid: nextSid() },
        { ...base, SmsMessageSid: nextSid() },
      ];
      for (const fields of bad) assert.equal((await post(fields)).status, 400, JSON.stringify(fields));
      // Repeated names: signed the way Twilio's SDK signs repeated names (values sorted), still refused.
      const body = `${new URLSearchParams(base).toString()}&Body=STOP`;
      const path = '/hooks/TwilioShop/sms';
      const sig = twilio.getExpectedTwilioSignature(TOKEN, `${h.config.publicUrl}${path}`, {
        ...base,
        Body: ['START', 'STOP'],
      } as unknown as Record<string, string>);
      const rep = await h.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig },
        body,
      });
      assert.equal(rep.status, 400);
      assert.match(((await rep.json()) as { error: { message: string } }).error.message, /Body appears more than once/);
      assert.equal(await user('14155550241'), null);
      // The same message with a real SID, and MMS's MM prefix, goes through.
      assert.equal((await post(base)).status, 200);
      const mms = `MM${'a1'.repeat(16)}`;
      assert.equal((await post(twilioSms({ sid: mms, from: '+14155550242', body: 'hi' }))).status, 200);
      assert.equal((await user('14155550242'))?.optin, 'opted_in');
    });

    it('Should answer TwiML an XML parser accepts, whatever control characters the display name holds', async () => {
      const made = await h.makeApp({ name: 'BellShop', displayName: 'Bell Shop' });
      // Such a name is refused when set (core/text.ts); one saved before that rule must still give valid XML.
      const odd = {
        app: await patchApp(h.store, made.app.id, { displayName: 'Bell\u0007 Shop\u001b & Co\uFFFE' }, Date.now()),
      };
      await withSecrets(h, odd.app, { twilioAuthToken: TOKEN });
      const path = '/hooks/BellShop/sms';
      for (const body of ['hi', 'HELP', 'STOP']) {
        const fields = twilioSms({ sid: nextSid(), from: '+14155550250', body });
        const res = await post(fields, { path, sig: signTwilio(TOKEN, `${h.config.publicUrl}${path}`, fields) });
        assert.equal(res.status, 200);
        const xml = await res.text();
        assert.equal(XMLValidator.validate(xml), true, xml);
        const parsed = new XMLParser().parse(xml) as { Response: { Message: string } };
        assert.match(parsed.Response.Message, /^Bell Shop & Co: /, body);
      }
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
