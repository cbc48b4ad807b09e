import type { Changed } from '../../core/optin-state.js';
import type { Deps } from '../deps.js';
import { evidence } from '../services/consent.js';
import type { Body } from '../store/driver.js';
import { claimInbound } from '../store/inbound.js';
import { lockUser, recordChange, type LedgerApp } from '../store/ledger.js';
import { senderPhone } from './handlers.js';
import type { ProviderOptout } from './payloads.js';

export interface ProviderOptoutOutcome {
  duplicate: boolean;
  /** What the business was told (the user-event type), if anything changed. */
  changed: Changed;
}

function* optoutBody(app: LedgerApp, o: ProviderOptout, phone: string, now: number): Body<ProviderOptoutOutcome> {
  if (o.id !== null && !(yield* claimInbound(app.id, o.provider, o.id, phone, now)))
    return { duplicate: true, changed: null };
  const user = yield* lockUser(app.id, phone, now);
  // Already opted out: the provider only repeats what the ledger holds.
  if (user.optin === 'opted_out') return { duplicate: false, changed: null };
  // Evidence of a change nobody typed here: the WhatsApp thread (where the person said it), with
  // the provider that reported it as the actor. It is not someone writing in: no activity.
  const record = evidence({
    appId: app.id,
    phone,
    action: 'opt_out',
    via: 'first_message',
    at: now,
    actor: o.provider,
  });
  const out = yield* recordChange({
    app,
    record,
    shown: null,
    move: { type: 'opt_out', via: 'first_message', at: now },
    user,
  });
  return { duplicate: false, changed: out.changed };
}

/**
 * A provider reports that a person opted out on its side (Gupshup's `opted-out` user-event): the
 * person is opted out, with a consent record whose actor names the provider, and the business gets
 * `opted-out`. One transaction; the same event delivered again changes nothing. Returns null when the
 * phone is not a number.
 */
export async function handleProviderOptout(
  deps: Pick<Deps, 'store' | 'clock'>,
  app: LedgerApp,
  o: ProviderOptout,
): Promise<ProviderOptoutOutcome | null> {
  const phone = senderPhone(o.phone);
  if (!phone) return null;
  return deps.store.transact(optoutBody, app, o, phone, deps.clock.now());
}
