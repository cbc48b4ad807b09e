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
    let n = 0;
    before(async () => {
      h = await harness(kind, { clock });
      const made = await h.makeApp({
        name: 'EventShop',
        displayName: 'Acme Shoes',
        phone: '+14155550100',
        live: true,
        settings: { callbackUrl: CALLBACK },
      });
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
