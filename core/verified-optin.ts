import type { OptinStatus, Via } from './optin-state.js';

/** Consents given on a page or in the widget: the phone was typed, not proven. */
export const WEB_VIAS: readonly Via[] = ['qr', 'url', 'widget'];

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
export function effectiveOptin(u: { optin: OptinStatus; via: Via | null; verified: boolean; flagged?: boolean }, unverifiedCountsAsOptin: boolean): OptinStatus {
  if (u.optin !== 'opted_in' || u.verified || u.via === null || !WEB_VIAS.includes(u.via)) return u.optin;
  // A typed number that another phone verified (flagged) was someone else's consent: it never counts.
  if (u.flagged) return 'none';
  return unverifiedCountsAsOptin ? u.optin : 'none';
}
