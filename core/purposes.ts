import type { OptinStatus } from './optin-state.js';
import { effectiveOptin, type OptinFacts } from './verified-optin.js';

/**
 * What a message is for, as WhatsApp's template categories name it. Consent is kept per purpose: a
 * person may stop `marketing` messages (WhatsApp's own "stop promotions" preference) and still accept
 * `utility` and `authentication` ones. A STOP-type keyword opts out of everything.
 */
export type Purpose = 'marketing' | 'utility' | 'authentication';
export const PURPOSES: readonly Purpose[] = ['marketing', 'utility', 'authentication'];

/** What the purpose rules read of a person, beyond their opt-in. */
export interface PurposeFacts extends OptinFacts {
  /** WhatsApp reported that the person stopped marketing messages (and has not resumed them). */
  marketingStopped: boolean;
}

/**
 * A person's status for one purpose, as the business sees it: their opt-in (read through
 * `unverifiedCountsAsOptin`, core/verified-optin.ts), except that someone who stopped marketing
 * messages is `opted_out` of marketing whatever their opt-in says.
 *
 * @example
 * const u = { optin: 'opted_in', via: 'api', verified: false, marketingStopped: true } as const;
 * purposeStatus(u, 'marketing', true) // 'opted_out'
 * purposeStatus(u, 'utility', true)   // 'opted_in'
 */
export function purposeStatus(u: PurposeFacts, purpose: Purpose, unverifiedCountsAsOptin: boolean): OptinStatus {
  if (purpose === 'marketing' && u.marketingStopped) return 'opted_out';
  return effectiveOptin(u, unverifiedCountsAsOptin);
}

/** Every purpose's status: what the users API, the export and user-events show as `purposes`. */
export function purposesOf(u: PurposeFacts, unverifiedCountsAsOptin: boolean): Record<Purpose, OptinStatus> {
  return {
    marketing: purposeStatus(u, 'marketing', unverifiedCountsAsOptin),
    utility: purposeStatus(u, 'utility', unverifiedCountsAsOptin),
    authentication: purposeStatus(u, 'authentication', unverifiedCountsAsOptin),
  };
}
