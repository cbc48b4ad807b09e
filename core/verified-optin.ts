import type { Changed, OptinStatus, Via } from './optin-state.js';

/** Consents given on a page or in the widget: the phone was typed, not proven. */
export const WEB_VIAS: readonly Via[] = ['qr', 'url', 'widget'];

/** What the rules below read of a user. */
export interface OptinFacts {
  optin: OptinStatus;
  via: Via | null;
  verified: boolean;
  flagged?: boolean;
}

/**
 * The opt-in status a business sees, given the app's `unverifiedCountsAsOptin` setting.
 *
 * The stored status records what happened (a web consent opts its typed number in); this reads it
 * through the setting, so switching the setting applies at once to every user, in both directions,
 * without rewriting anyone. With the setting off, a web consent counts only once the phone itself
 * confirmed it (its WhatsApp message carried the consent's reference).
 *
 * @example
 * effectiveOptin({ optin: 'opted_in', via: 'qr', verified: false }, false) // 'none'
 * effectiveOptin({ optin: 'opted_in', via: 'qr', verified: true }, false)  // 'opted_in'
 * effectiveOptin({ optin: 'opted_in', via: 'api', verified: false }, false) // 'opted_in' (the business vouches)
 * effectiveOptin({ optin: 'opted_in', via: 'qr', verified: false, flagged: true }, true) // 'none'
 */
export function effectiveOptin(u: OptinFacts, unverifiedCountsAsOptin: boolean): OptinStatus {
  if (u.optin !== 'opted_in' || u.verified || u.via === null || !WEB_VIAS.includes(u.via)) return u.optin;
  // A typed number that another phone verified (flagged) was someone else's consent: it never counts.
  if (u.flagged) return 'none';
  return unverifiedCountsAsOptin ? u.optin : 'none';
}

/**
 * What the business is told about a change of a user's state: the user-event follows the status the
 * business sees ({@link effectiveOptin}), not the stored one. So a web consent that does not count
 * yet (`unverifiedCountsAsOptin` off) is not reported, and the message that verifies it is reported
 * as `opted-in`; when unverified consents count, the same message is reported as `verified`.
 *
 * @example
 * const web = { optin: 'opted_in', via: 'qr', verified: false } as const;
 * reportedChange({ optin: 'none', via: null, verified: false }, web, 'opted-in', false) // null
 * reportedChange(web, { ...web, verified: true }, 'verified', false) // 'opted-in'
 * reportedChange(web, { ...web, verified: true }, 'verified', true)  // 'verified'
 */
export function reportedChange(
  before: OptinFacts,
  after: OptinFacts,
  stored: Changed,
  unverifiedCountsAsOptin: boolean,
): Changed {
  // What WhatsApp reports about the person is told as it happened, whatever their opt-in.
  if (stored === 'marketing-stopped' || stored === 'marketing-resumed' || stored === 'number-changed') return stored;
  const was = effectiveOptin(before, unverifiedCountsAsOptin);
  const is = effectiveOptin(after, unverifiedCountsAsOptin);
  if (is === 'opted_in' && was !== 'opted_in') return 'opted-in';
  if (is === 'opted_out' && was !== 'opted_out') return 'opted-out';
  if (stored === 'verified' && is === 'opted_in') return 'verified';
  return null;
}
