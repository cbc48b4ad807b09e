import type { Locale } from '../../core/locale.js';
import type { ConsentAction, Via } from '../../core/optin-state.js';
import { commitChange, evidence } from '../../server/services/consent.js';
import { appById, updateApp } from '../../server/store/apps.js';
import type { AppPatch, AppRecord, Store } from '../../server/store/index.js';
import type { ChangeResult } from '../../server/store/ledger.js';

/** A consent as a test writes it: the evidence, the text shown, and whether the phone confirmed it. */
export interface TestConsent {
  id: string;
  appId: string;
  phone: string;
  action: ConsentAction;
  via: Via;
  wording: { version: number; sha256: string; text: string } | null;
  locale: Locale | null;
  at: number;
  ip: string | null;
  userAgent: string | null;
  page: string | null;
  campaign: string | null;
  ref: string | null;
  actor: string | null;
  verified: boolean;
}

/**
 * Records a consent through the ledger (the one writer every channel uses), for tests that need
 * people in given states. User-events follow the app's own callback URL, as in production.
 */
export async function recordConsent(store: Store, c: TestConsent): Promise<ChangeResult> {
  const app: Pick<AppRecord, 'id' | 'name' | 'settings'> = (await store.read(appById, c.appId)) ?? {
    id: c.appId,
    name: 'unknown',
    settings: { callbackUrl: null, unverifiedCountsAsOptin: true } as AppRecord['settings'],
  };
  const move =
    c.action === 'opt_in'
      ? { type: 'opt_in' as const, via: c.via, at: c.at, verified: c.verified }
      : c.action === 'opt_out'
        ? { type: 'opt_out' as const, via: c.via, at: c.at }
        : null;
  return commitChange(store, {
    app,
    record: evidence({
      id: c.id,
      appId: c.appId,
      phone: c.phone,
      action: c.action,
      via: c.via,
      wordingVersion: c.wording?.version ?? null,
      wordingSha256: c.wording?.sha256 ?? null,
      locale: c.locale,
      at: c.at,
      ip: c.ip,
      userAgent: c.userAgent,
      page: c.page,
      campaign: c.campaign,
      ref: c.ref,
      actor: c.actor,
    }),
    shown: c.wording ? { sha256: c.wording.sha256, text: c.wording.text } : null,
    move,
  });
}

/** Applies a stored change to an app as it is (no validation): for tests that set up odd states. */
export function patchApp(store: Store, id: string, patch: AppPatch, now: number): Promise<AppRecord> {
  return store.transact(updateApp, id, () => patch, now);
}
