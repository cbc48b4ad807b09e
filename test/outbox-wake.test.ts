import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testConfig } from '../server/config.js';
import { startServer } from '../server/main.js';
import { createApp, updateApp } from '../server/services/apps.js';
import { metaMessage, signMeta, signTwilio, twilioSms } from './fixtures/index.js';
import { Receiver } from './support/receiver.js';
import { freshStore, skipUnless, STORE_KINDS, type TestStore } from './support/stores.js';

const TWILIO_TOKEN = 'twilio-token-for-the-wake-test';
const META_SECRET = 'meta-secret-for-the-wake-test';

/** Waits until `ok()` holds, checking every 20 ms, for at most `ms`. */
async function until(ok: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (ok()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return ok();
}

// The in-process worker polls once an hour here: only the store's `outbox` signal, sent when an
// inbound hook's transaction commits, can deliver these events in time.
for (const kind of STORE_KINDS) {
  describe(
    `An inbound message's user-event leaves at once, without waiting for the poll (${kind})`,
    { skip: await skipUnless(kind) },
    () => {
      let ts: TestStore;
      let rx: Receiver;
      let server: Awaited<ReturnType<typeof startServer>>;
      before(async () => {
        ts = await freshStore(kind);
        rx = await new Receiver().start();
        const { app } = await createApp(
          ts.store,
          { name: 'WakeShop', displayName: 'Wake Shop', settings: { callbackUrl: rx.url } },
          Date.now(),
        );
        await updateApp(
          ts.store,
          app,
          { secrets: { twilioAuthToken: TWILIO_TOKEN, metaAppSecret: META_SECRET } },
          Date.now(),
        );
        await ts.store.close();
        server = await startServer(
          testConfig({
            port: 0,
            host: '127.0.0.1',
            databaseUrl: ts.url,
            allowPrivateCallbacks: true,
            workerPollMs: 3_600_000,
            publicUrl: 'http://optin.test',
          }),
          () => {},
        );
        // The worker's first round (at start) has run; from here on only a wake can deliver.
        await new Promise((r) => setTimeout(r, 200));
      });
      after(async () => {
        await server.close();
        await rx.stop();
        await ts.cleanup();
      });

      it('Should deliver the opted-in event of an inbound SMS within seconds', async () => {
        const fields = twilioSms({ sid: `SM${'a'.repeat(32)}`, from: '+14155550171', body: 'Hello' });
        const res = await fetch(`${server.url}/hooks/WakeShop/sms`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': signTwilio(TWILIO_TOKEN, 'http://optin.test/hooks/WakeShop/sms', fields),
          },
          body: new URLSearchParams(fields).toString(),
        });
        assert.equal(res.status, 200);
        assert.ok(
          await until(() => rx.received.some((r) => JSON.parse(r.body).data?.phone === '14155550171'), 5000),
          'the event arrived without a poll',
        );
        assert.equal(JSON.parse(rx.received.at(-1)!.body).type, 'opted-in');
      });

      it('Should deliver the opted-out event of a WhatsApp STOP within seconds', async () => {
        const body = metaMessage({ id: 'wamid.wake-test-1', from: '14155550171', text: 'STOP' });
        const res = await fetch(`${server.url}/hooks/WakeShop/whatsapp`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(META_SECRET, body) },
          body,
        });
        assert.equal(res.status, 200);
        assert.ok(
          await until(() => rx.received.some((r) => JSON.parse(r.body).type === 'opted-out'), 5000),
          'the event arrived without a poll',
        );
      });
    },
  );
}
