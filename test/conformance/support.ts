import { randomUUID } from 'node:crypto';
import { DEFAULT_WORDING, renderWording, wordingHash } from '../../core/wording.js';
import { createApp } from '../../server/services/apps.js';
import type { AppRecord, Store } from '../../server/store/index.js';
import type { TestConsent } from '../support/ledger.js';

export const T0 = Date.UTC(2026, 10, 1, 12);

/** A web consent as the page records it, with whatever a test changes. */
export function consent(appId: string, o: Partial<TestConsent> = {}): TestConsent {
  const text = renderWording(DEFAULT_WORDING.en, 'Acme Shoes');
  return {
    id: randomUUID(),
    appId,
    phone: '14155550123',
    action: 'opt_in',
    via: 'qr',
    wording: { version: 1, sha256: wordingHash(text), text },
    locale: 'en',
    at: T0,
    ip: '203.0.113.7',
    userAgent: 'test',
    page: null,
    campaign: null,
    ref: null,
    actor: null,
    verified: false,
    ...o,
  };
}

let n = 0;
/** A new app with a unique name. */
export async function newApp(
  store: Store,
  settings: Parameters<typeof createApp>[1]['settings'] = {},
): Promise<AppRecord> {
  return (await createApp(store, { name: `Conf${process.pid}x${++n}`, displayName: 'Acme Shoes', settings }, T0)).app;
}
