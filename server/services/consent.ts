import { randomBytes, randomUUID } from 'node:crypto';
import type { Locale } from '../../core/locale.js';
import { normalizePhone } from '../../core/phone.js';
import { newRef } from '../../core/ref.js';
import { redirectTarget } from '../../core/wa-link.js';
import { renderWording, wordingHash } from '../../core/wording.js';
import type { Deps } from '../deps.js';
import type { AppRecord, ConsentRecord, Wording } from '../store/index.js';

// One randomBytes call per consent is a system call; draw from a pooled CSPRNG buffer instead.
let pool = Buffer.alloc(0);
let poolAt = 0;
function pooledRandom(n: number): Uint8Array {
  if (poolAt + n > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  const out = pool.subarray(poolAt, poolAt + n);
  poolAt += n;
  return out;
}

export interface WebConsentInput {
  phone: string | null;
  via: 'qr' | 'url' | 'widget';
  campaign: string | null;
  locale: Locale;
  /** The wording version the person was shown, when the page or widget says. */
  wordingVersion: number | null;
  ip: string | null;
  userAgent: string | null;
  page: string | null;
}

export type PhoneCheck = { ok: true; phone: string | null } | { ok: false; error: 'invalid_phone' | 'phone_required' };

/** Where this app sends a person who consented with this reference. */
export function redirectFor(app: AppRecord, ref: string | null, sandboxNumber: string): string {
  return redirectTarget({ name: app.name, live: app.live, phone: app.phone, prefill: app.settings.prefill, refEnabled: app.settings.refEnabled }, ref, sandboxNumber);
}

/** Applies the app's phone-field rule to what was typed. */
export function checkPhone(app: AppRecord, typed: string | null | undefined): PhoneCheck {
  const t = (typed ?? '').trim();
  const rule = app.settings.phoneField;
  if (rule === 'none' || (rule === 'optional' && t === '')) return { ok: true, phone: null };
  if (t === '') return { ok: false, error: 'phone_required' };
  const r = normalizePhone(t, (app.settings.defaultCountry ?? undefined) as never);
  return r.ok ? { ok: true, phone: r.phone } : { ok: false, error: 'invalid_phone' };
}

/** The wording a person was shown: the version they saw if it exists, else the current one. */
export async function shownWording(deps: Deps, app: AppRecord, locale: Locale, version: number | null): Promise<Wording> {
  const current = deps.store.cachedWordings(app.id) ?? (await deps.store.currentWordings(app.id));
  const cur = current[locale] ?? current.en;
  if (version === null || version === cur.version) return cur;
  const old = (await deps.store.wordingHistory(app.id)).find((w) => w.locale === locale && w.version === version);
  return old ?? cur;
}

/**
 * Records a consent given on the hosted page or in the widget, and returns where to send the
 * person. The record holds the exact wording's hash, so it proves what they agreed to.
 */
export async function recordWebConsent(deps: Deps, app: AppRecord, phone: string | null, input: WebConsentInput): Promise<{ consent: ConsentRecord; redirectUrl: string; ref: string }> {
  const wording = await shownWording(deps, app, input.locale, input.wordingVersion);
  const text = renderWording(wording.template, app.displayName);
  const at = deps.clock.now();
  for (let attempt = 0; attempt < 5; attempt++) {
    const ref = newRef(pooledRandom);
    const r = await deps.store.recordConsent({
      id: randomUUID(),
      appId: app.id,
      phone: phone ?? '',
      action: 'opt_in',
      via: input.via,
      wording: { version: wording.version, sha256: wordingHash(text), text },
      locale: wording.locale,
      at,
      ip: input.ip,
      userAgent: input.userAgent?.slice(0, 512) ?? null,
      page: input.page?.slice(0, 2048) ?? null,
      campaign: input.campaign,
      ref,
      actor: null,
      verified: false,
      // With unverified web consents not counting, the business hears `opted-in` when the phone
      // confirms it (the verification sends it), not now.
      notify: app.settings.unverifiedCountsAsOptin ? { name: app.name, callbackUrl: app.settings.callbackUrl } : undefined,
    });
    if (r.ok && r.consent) {
      if (r.changed && app.settings.callbackUrl && app.settings.unverifiedCountsAsOptin) deps.wake?.();
      deps.funnel.add(app.id, at, input.via, input.campaign, 'redirect');
      return { consent: r.consent, redirectUrl: redirectFor(app, ref, deps.config.sandboxNumber), ref };
    }
  }
  throw new Error('could not allocate a unique consent reference');
}
