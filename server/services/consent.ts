import { randomBytes, randomUUID } from 'node:crypto';
import type { Locale } from '../../core/locale.js';
import { normalizeTyped } from '../../core/phone.js';
import { newRef } from '../../core/ref.js';
import { redirectTarget, type PageVars } from '../../core/wa-link.js';
import { renderWording, wordingHash } from '../../core/wording.js';
import type { Deps } from '../deps.js';
import type { AppRecord, ConsentRecord, ShownText, Store, Wording } from '../store/index.js';
import { recordChange, type Change, type ChangeResult } from '../store/ledger.js';
import { wordingHistory } from '../store/wordings.js';

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

/**
 * Wording texts known to be committed in `shown_texts`, per store: most consents show a text that is
 * stored already, and skip that insert.
 */
const knownTexts = new WeakMap<Store, Set<string>>();

/**
 * Records one change in the ledger in a transaction of its own: the evidence, the person's new
 * state and the user-event commit together (the store's `outbox` signal then wakes the worker).
 */
export async function commitChange(store: Store, change: Change): Promise<ChangeResult> {
  let known = knownTexts.get(store);
  if (!known) knownTexts.set(store, (known = new Set()));
  const shown = change.shown && !known.has(change.shown.sha256) ? change.shown : null;
  const out = await store.transact(recordChange, { ...change, shown });
  // Only after the commit: a rolled-back insert must not be remembered.
  if (shown && out.ok) known.add(shown.sha256);
  return out;
}

/** A consent record with nothing known but what the caller gives. */
export function evidence(
  r: Pick<ConsentRecord, 'appId' | 'phone' | 'action' | 'via' | 'at'> & Partial<ConsentRecord>,
): ConsentRecord {
  return {
    id: randomUUID(),
    wordingVersion: null,
    wordingSha256: null,
    locale: null,
    ip: null,
    userAgent: null,
    page: null,
    campaign: null,
    ref: null,
    linkedId: null,
    actor: null,
    ...r,
  };
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
  /** The page's title, for the prefill's `{title}` (the widget sends it; never stored). */
  pageTitle?: string | null;
}

export type PhoneCheck =
  { ok: true; phone: string | null } | { ok: false; error: 'invalid_phone' | 'phone_required' | 'country_required' };

/** Where this app sends a person who consented with this reference. */
export function redirectFor(app: AppRecord, ref: string | null, sandboxNumber: string, page?: PageVars): string {
  return redirectTarget(
    {
      name: app.name,
      live: app.live,
      phone: app.phone,
      prefill: app.settings.prefill,
      refEnabled: app.settings.refEnabled,
    },
    ref,
    sandboxNumber,
    page,
  );
}

/**
 * Applies the app's phone-field rule to what a person typed. A number without its country code is
 * read in the country the person picked, else in the app's defaultCountry; with neither it is not
 * guessed (`country_required`: the page asks, the widget shows the server's message).
 */
export function checkPhone(app: AppRecord, typed: string | null | undefined, country?: string | null): PhoneCheck {
  const t = (typed ?? '').trim();
  const rule = app.settings.phoneField;
  if (rule === 'none' || (rule === 'optional' && t === '')) return { ok: true, phone: null };
  if (t === '') return { ok: false, error: 'phone_required' };
  const r = normalizeTyped(t, country || app.settings.defaultCountry);
  return r.ok ? { ok: true, phone: r.phone } : { ok: false, error: r.reason };
}

/** The wording a person was shown: the version they saw if it exists, else the current one. */
export async function shownWording(
  deps: Pick<Deps, 'store' | 'apps'>,
  app: AppRecord,
  locale: Locale,
  version: number | null,
): Promise<Wording> {
  const current = deps.apps.cachedWordings(app.id) ?? (await deps.apps.wordings(app.id));
  const cur = current[locale] ?? current.en;
  if (version === null || version === cur.version) return cur;
  const old = (await deps.store.read(wordingHistory, app.id)).find((w) => w.locale === locale && w.version === version);
  return old ?? cur;
}

/**
 * Records a consent given on the hosted page or in the widget, and returns where to send the
 * person. The record holds the exact wording's hash, so it proves what they agreed to.
 */
export async function recordWebConsent(
  deps: Deps,
  app: AppRecord,
  phone: string | null,
  input: WebConsentInput,
): Promise<{ consent: ConsentRecord; redirectUrl: string; ref: string }> {
  const wording = await shownWording(deps, app, input.locale, input.wordingVersion);
  const text = renderWording(wording.template, app.displayName);
  const shown: ShownText = { sha256: wordingHash(text), text };
  const at = deps.clock.now();
  for (let attempt = 0; attempt < 5; attempt++) {
    const ref = newRef(pooledRandom);
    // Built before the write: if it could not be built, nothing is recorded that nobody was sent on from.
    const redirectUrl = redirectFor(app, ref, deps.config.sandboxNumber, { title: input.pageTitle, url: input.page });
    const r = await commitChange(deps.store, {
      app,
      record: evidence({
        appId: app.id,
        phone: phone ?? '',
        action: 'opt_in',
        via: input.via,
        wordingVersion: wording.version,
        wordingSha256: shown.sha256,
        locale: wording.locale,
        at,
        ip: input.ip,
        userAgent: input.userAgent?.slice(0, 512) ?? null,
        page: input.page?.slice(0, 2048) ?? null,
        campaign: input.campaign,
        ref,
      }),
      shown,
      move: { type: 'opt_in', via: input.via, at, verified: false },
    });
    if (r.ok && r.consent) {
      deps.funnel.add(app.id, at, input.via, input.campaign, 'redirect');
      return { consent: r.consent, redirectUrl, ref };
    }
  }
  throw new Error('could not allocate a unique consent reference');
}

/**
 * The business opts a person in or out (the business API, or the Settings page's opt-out): via `api`,
 * with who did it as the actor.
 */
export function recordBusinessChange(
  deps: Pick<Deps, 'store' | 'clock'>,
  app: AppRecord,
  phone: string,
  o: { action: 'opt_in' | 'opt_out'; actor: string; campaign?: string | null; userAgent?: string | null },
): Promise<ChangeResult> {
  const at = deps.clock.now();
  return commitChange(deps.store, {
    app,
    record: evidence({
      appId: app.id,
      phone,
      action: o.action,
      via: 'api',
      at,
      campaign: o.campaign ?? null,
      userAgent: o.userAgent?.slice(0, 512) ?? null,
      actor: o.actor,
    }),
    shown: null,
    move:
      o.action === 'opt_in' ? { type: 'opt_in', via: 'api', at, verified: false } : { type: 'opt_out', via: 'api', at },
  });
}
