/**
 * What WhatsApp reports about a person, through the signed /hooks route, on both stores: system
 * messages (number and identity changes), reactions, group messages, late deliveries. Every payload
 * is one of Meta's documented ones (test/fixtures/meta-events.ts names each one's source).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppRecord } from '../server/store/index.js';
import { metaMessage, SIGNATURES, signMeta } from './fixtures/index.js';
import { META_EVENT_SOURCES, metaEvent } from './fixtures/meta-events.js';
import { CALLBACK, count, events, history, sent, withSecrets } from './hooks-helpers.js';
import { harness, manualClock, type TestHarness } from './support/server.js';
import { skipUnless, STORE_KINDS } from './support/stores.js';
import { consentsFor } from '../server/store/ledger.js';
import { getUser } from '../server/store/users.js';

const SECRET = SIGNATURES.meta.appSecret;
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const HOUR = 3600_000;

type Json = Record<string, unknown>;

for (const kind of STORE_KINDS) {
  describe(`What WhatsApp reports about a person (${kind})`, { skip: await skipUnless(kind) }, () => {
    let h: TestHarness;
    const clock = manualClock(T0);
    let shop: AppRecord;
    let apiKey = '';
    let n = 0;
    before(async () => {
      h = await harness(kind, { clock });
      const made = await h.makeApp({
        name: 'EventShop',
        displayName: 'Acme Shoes',
        phone: '+14155550100',
        live: true,
        settings: { callbackUrl: CALLBACK, templateMessaging: true },
      });
      apiKey = made.apiKey;
      shop = await withSecrets(h, made.app, { metaAppSecret: SECRET });
    });
    after(() => h.close());

    const wamid = () => `wamid.EVENTS${kind}${++n}`;
    const post = async (body: string) => {
      const res = await h.request('/hooks/EventShop/whatsapp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(SECRET, body) },
        body,
      });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as Json;
    };
    const say = (from: string, text: string, at = clock.now()) => post(metaMessage({ id: wamid(), from, text, at }));
    const event = (path: string, p: Parameters<typeof metaEvent>[1] = {}) => {
      assert.ok(META_EVENT_SOURCES[path], `${path} names its source`);
      return post(metaEvent(path, { id: wamid(), at: clock.now(), ...p }));
    };
    const user = (phone: string) => h.store.read(getUser, shop.id, phone);
    const prompts = async (phone: string) =>
      (await sent(h, shop.id)).filter((m) => m.phone === phone && m.type === 'optin-prompt');

    const api = async (path: string, init: RequestInit = {}) => {
      const res = await h.request(`/api/v1/apps/EventShop${path}`, {
        ...init,
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...init.headers },
      });
      assert.ok(res.status < 300, `${path}: ${res.status} ${await res.clone().text()}`);
      return res;
    };
    const json = async (path: string, init: RequestInit = {}) => (await (await api(path, init)).json()) as Json;
    const eligible = async (phone: string, category?: string) =>
      (await json('/eligibility', {
        method: 'POST',
        body: JSON.stringify({ phone, kind: 'template', matchesTemplate: true, ...(category ? { category } : {}) }),
      })) as { deliver: string; reason: string };

    describe('marketing preferences: consent per purpose', () => {
      const PREF = 'meta/user-preferences-resume.json';
      const SYS = 'meta/system-user-preference-changed.json';

      it('Should record WhatsApp’s marketing stop as evidence and block marketing only', async () => {
        const phone = '14155552001';
        await api(`/users/${phone}/optin`, { method: 'PUT', body: '{}' });
        assert.equal((await eligible(phone, 'marketing')).deliver, 'template');
        const out = await event(PREF, { from: phone, value: 'stop' });
        assert.deepEqual([out.handled, out.duplicates, out.ignored], [1, 0, 0]);
        const u = (await json(`/users/${phone}`)) as {
          user: Json;
          consents: { action: string; actor: string; detail: Json | null }[];
        };
        assert.equal(u.user.optin, 'opted_in');
        assert.deepEqual(u.user.purposes, { marketing: 'opted_out', utility: 'opted_in', authentication: 'opted_in' });
        const rec = u.consents.at(-1)!;
        assert.deepEqual([rec.action, rec.actor], ['marketing_stop', 'whatsapp']);
        assert.equal(rec.detail?.detail, 'User requested to stop marketing messages');
        assert.equal(rec.detail?.reportedAt, new Date(T0).toISOString());
        // Eligibility by template category; no category reads as marketing for this person.
        assert.deepEqual(await eligible(phone, 'marketing'), { deliver: 'blocked', reason: 'marketing_stopped' });
        assert.deepEqual(await eligible(phone), { deliver: 'blocked', reason: 'marketing_stopped' });
        assert.deepEqual(await eligible(phone, 'utility'), { deliver: 'template', reason: 'approved_template' });
        assert.deepEqual(await eligible(phone, 'authentication'), { deliver: 'template', reason: 'approved_template' });
        // The business is told, with the state per purpose.
        const ev = (await events(h, shop.id)).filter((e) => e.phone === phone);
        assert.deepEqual(
          ev.map((e) => e.type),
          ['opted-in', 'marketing-stopped'],
        );
        assert.deepEqual((ev[1]!.body as { data: Json }).data, {
          phone,
          via: 'first_message',
          optin: 'opted_in',
          verified: false,
          purposes: { marketing: 'opted_out', utility: 'opted_in', authentication: 'opted_in' },
        });
        // The same report again is a duplicate; nothing more is recorded or told.
        const again = await post(metaEvent(PREF, { id: 'ignored-for-this-field', at: T0, from: phone, value: 'stop' }));
        assert.equal(again.duplicates, 1);
        assert.equal((await events(h, shop.id)).filter((e) => e.phone === phone).length, 2);
      });

      it('Should resume marketing on WhatsApp’s documented resume, and keep the newest report when they cross', async () => {
        const phone = '14155552002';
        await api(`/users/${phone}/optin`, { method: 'PUT', body: '{}' });
        await event(PREF, { from: phone, value: 'stop', at: T0 - 2 * HOUR });
        assert.equal((await user(phone))?.marketingStopped, true);
        await event(PREF, { from: phone, at: T0 - HOUR }); // the docs' own value: resume
        assert.equal((await user(phone))?.marketingStopped, false);
        assert.equal((await eligible(phone, 'marketing')).deliver, 'template');
        // A retried stop from before the resume arrives late: recorded, but the resume stands.
        await event(PREF, { from: phone, value: 'stop', at: T0 - 90 * 60_000 });
        assert.equal((await user(phone))?.marketingStopped, false);
        const actions = ((await json(`/users/${phone}`)) as { consents: { action: string }[] }).consents.map(
          (c) => c.action,
        );
        assert.deepEqual(actions, ['opt_in', 'marketing_stop', 'marketing_resume', 'marketing_stop']);
        assert.deepEqual(
          (await events(h, shop.id)).filter((e) => e.phone === phone).map((e) => e.type),
          ['opted-in', 'marketing-stopped', 'marketing-resumed'],
        );
      });

      it('Should take the user_preference_changed system message the same way, once per wamid, with no prompt', async () => {
        const phone = '14155552003';
        const id = wamid();
        const body = metaEvent(SYS, { id, from: phone, at: clock.now() });
        const first = await post(body);
        const again = await post(body);
        assert.deepEqual([first.handled, again.duplicates], [1, 1]);
        const u = await user(phone);
        assert.deepEqual([u?.optin, u?.marketingStopped, u?.lastInboundAt ?? null], ['none', true, null]);
        assert.deepEqual(await prompts(phone), []);
        assert.equal(
          ((await json(`/users/${phone}`)) as { user: { purposes: Json } }).user.purposes.marketing,
          'opted_out',
        );
      });

      it('Should stop everything on a STOP-type keyword, whatever the marketing preference', async () => {
        const phone = '14155552004';
        await api(`/users/${phone}/optin`, { method: 'PUT', body: '{}' });
        await event(PREF, { from: phone, value: 'stop' });
        await say(phone, 'STOP');
        const u = (await json(`/users/${phone}`)) as { user: Json };
        assert.equal(u.user.optin, 'opted_out');
        assert.deepEqual(u.user.purposes, {
          marketing: 'opted_out',
          utility: 'opted_out',
          authentication: 'opted_out',
        });
        assert.deepEqual(await eligible(phone, 'utility'), { deliver: 'blocked', reason: 'not_opted_in' });
      });

      it('Should show the marketing purpose in the users list and its filter, the CSV and the stats', async () => {
        const list = async (q: string) =>
          ((await json(`/users?${q}&limit=500`)) as { users: { phone: string }[] }).users.map((u) => u.phone);
        const stopped = await list('marketing=opted_out');
        assert.ok(stopped.includes('14155552001') && stopped.includes('14155552003'));
        assert.ok(!stopped.includes('14155552002'));
        const ok = await list('marketing=opted_in');
        assert.ok(ok.includes('14155552002') && !ok.includes('14155552001'));
        assert.ok((await list('optin=opted_in')).includes('14155552001'), 'still opted in for utility');
        const csv = await (await api('/users.csv')).text();
        const [header, ...rows] = csv.trim().split('\r\n');
        const cols = header!.split(',');
        assert.deepEqual(cols.slice(-2), ['marketing', 'moved_to']);
        const row = rows.find((r) => r.startsWith('14155552001,'))!.split(',');
        assert.deepEqual([row[cols.indexOf('optin')], row[cols.indexOf('marketing')]], ['opted_in', 'opted_out']);
        const stats = (await json(
          `/stats?from=${new Date(T0 - 86_400_000).toISOString()}&to=${new Date(T0 + HOUR).toISOString()}`,
        )) as {
          totals: Json;
        };
        assert.equal(stats.totals.marketingStops, 5);
        assert.equal(stats.totals.marketingResumes, 1);
      });
    });

    const PREF_FIXTURE = 'meta/user-preferences-resume.json';

    describe('system messages are not someone writing in', () => {
      for (const path of ['meta/system-user-changed-user-id.json', 'meta/system-user-identity-changed.json']) {
        it(`Should record no activity and send no prompt for ${path}`, async () => {
          const phone = path.includes('user-id') ? '14155551001' : '14155551002';
          const out = await event(path, { from: phone });
          assert.deepEqual([out.handled, out.duplicates, out.ignored], [0, 0, 1]);
          assert.equal(await user(phone), null, 'no activity, no users row');
          assert.deepEqual(await prompts(phone), []);
          assert.deepEqual(await history(h, shop.id, phone), []);
          assert.equal((await h.store.read(consentsFor, shop.id, phone)).length, 0);
          // The same system message again is a duplicate.
          assert.equal((await count(h, 'inbound', shop.id)) > 0, true);
        });
      }

      it('Should move the consent to the new number on user_changed_number, with evidence and events for both', async () => {
        const [from, to] = ['14155551005', '14155551006'];
        await api(`/users/${from}/optin`, { method: 'PUT', body: '{}' });
        await event(PREF_FIXTURE, { from, value: 'stop' });
        const out = await event('meta/system-user-changed-number.json', { from, newWaId: to });
        assert.deepEqual([out.handled, out.ignored], [1, 0]);
        const old = (await json(`/users/${from}`)) as {
          user: Json;
          consents: { id: string; action: string; linkedId: string | null; detail: Json | null }[];
        };
        assert.deepEqual([old.user.optin, old.user.movedTo, old.user.activity], ['none', to, 'inactive']);
        const optin = old.consents.find((c) => c.action === 'opt_in')!;
        const left = old.consents.at(-1)!;
        assert.deepEqual([left.action, left.linkedId, left.detail?.newPhone], ['number_changed', optin.id, to]);
        assert.deepEqual(await eligible(from, 'utility'), { deliver: 'blocked', reason: 'number_changed' });
        const now = (await json(`/users/${to}`)) as {
          user: Json;
          consents: { id: string; action: string; linkedId: string | null }[];
        };
        assert.equal(now.user.optin, 'opted_in');
        assert.deepEqual(now.user.purposes, {
          marketing: 'opted_out',
          utility: 'opted_in',
          authentication: 'opted_in',
        });
        const linked = now.consents.find((c) => c.action === 'number_linked')!;
        assert.equal(linked.linkedId, optin.id, 'points at the original evidence');
        assert.ok(
          now.consents.some((c) => c.id === optin.id),
          'the original evidence is in the new number’s history',
        );
        assert.deepEqual(await eligible(to, 'utility'), { deliver: 'template', reason: 'approved_template' });
        const ev = (await events(h, shop.id)).filter((e) => e.type === 'number-changed');
        assert.deepEqual(
          ev.map((e) => [
            e.phone,
            (e.body as { data: Json }).data.newPhone ?? (e.body as { data: Json }).data.previousPhone,
          ]),
          [
            [from, to],
            [to, from],
          ],
        );
        assert.deepEqual(await prompts(from), []);
        assert.deepEqual(await prompts(to), []);
      });

      it('Should not prompt the old number of a user_changed_number, nor mark it active', async () => {
        const out = await event('meta/system-user-changed-number.json', {
          from: '14155551003',
          newWaId: '14155551004',
        });
        assert.equal(out.ok, true);
        assert.deepEqual(await prompts('14155551003'), []);
        assert.deepEqual(await prompts('14155551004'), []);
        assert.equal((await user('14155551003'))?.lastInboundAt ?? null, null);
        assert.deepEqual(await history(h, shop.id, '14155551003'), []);
      });
    });

    describe('no prompt where it cannot or should not go', () => {
      it('Should record a Click-to-WhatsApp ad as the campaign, with Meta’s referral as evidence, on the prompt and the yes', async () => {
        await event('meta/ctwa-referral.json', { from: '14155551150' });
        assert.equal((await prompts('14155551150')).length, 1);
        await say('14155551150', 'YES');
        const records = await h.store.read(consentsFor, shop.id, '14155551150');
        assert.deepEqual(
          records.map((r) => [r.action, r.campaign]),
          [
            ['prompt_sent', 'ad-120226305854810726'],
            ['opt_in', 'ad-120226305854810726'],
          ],
        );
        for (const r of records) {
          const ref = (r.detail as { referral?: Record<string, unknown> } | null)?.referral;
          assert.equal(ref?.source_type, 'ad');
          assert.equal(ref?.headline, 'Chat with us');
          assert.match(String(ref?.ctwa_clid), /^Aff-n8ZTODiE79d22/);
        }
        assert.equal((await user('14155551150'))?.optin, 'opted_in');
      });

      it('Should not prompt for a reaction or a removed reaction, though the person is active', async () => {
        await event('meta/reaction.json', { from: '14155551101' });
        await event('meta/reaction-removed.json', { from: '14155551101' });
        assert.deepEqual(await prompts('14155551101'), []);
        const u = await user('14155551101');
        assert.equal(u?.lastInboundAt, T0);
        assert.deepEqual(
          (await history(h, shop.id, '14155551101')).map((m) => m.text),
          ['👍', ''],
        );
        // A later message of their own is answered as usual.
        await say('14155551101', 'hello');
        assert.equal((await prompts('14155551101')).length, 1);
      });

      it('Should not prompt, opt in or mark active for a group message, even YES or a reference', async () => {
        await event('meta/group-message.json', { from: '14155551201' });
        await event('meta/group-message.json', { from: '14155551201', text: 'YES' });
        assert.deepEqual(await prompts('14155551201'), []);
        assert.equal((await user('14155551201'))?.lastInboundAt ?? null, null);
        assert.equal((await user('14155551201'))?.optin ?? 'none', 'none');
        assert.deepEqual(
          (await history(h, shop.id, '14155551201')).map((m) => m.text),
          ['What do you all think about this?', 'YES'],
        );
      });

      it('Should not prompt or reply to a message older than the 24-hour window, but still honour its STOP', async () => {
        clock.set(T0 + 30 * HOUR);
        await say('14155551301', 'hello', T0); // sent 30 hours ago, delivered now
        assert.deepEqual(await prompts('14155551301'), []);
        assert.equal((await user('14155551301'))?.lastInboundAt, T0);
        // One second inside the window is still answered.
        await say('14155551302', 'hello', T0 + 6 * HOUR + 1000);
        assert.equal((await prompts('14155551302')).length, 1);
        // A late STOP opts out (the person said it) but no free text is sent outside the window.
        await say('14155551302', 'STOP', T0 + 5 * HOUR);
        assert.equal((await user('14155551302'))?.optin, 'opted_out');
        assert.deepEqual(
          (await sent(h, shop.id)).filter((m) => m.phone === '14155551302').map((m) => m.type),
          ['optin-prompt'],
        );
        assert.deepEqual(
          (await events(h, shop.id)).filter((e) => e.phone === '14155551302').map((e) => e.type),
          ['opted-out'],
        );
        clock.set(T0);
      });
    });
  });
}
