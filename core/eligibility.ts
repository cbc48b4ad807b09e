import { activityAt } from './optin-state.js';
import type { OptinStatus } from './optin-state.js';

export type Delivery = 'session' | 'template' | 'blocked';
export type EligibilityReason =
  'active_session' | 'outside_session_window' | 'not_opted_in' | 'approved_template' | 'no_matching_template';

export interface EligibilityInput {
  templateMessaging: boolean;
  optin: OptinStatus;
  lastInboundAt: number | null;
  kind: 'text' | 'template';
  matchesTemplate: boolean;
  now: number;
}

/**
 * The delivery rules businesses live by (see CONTRACT.md, "Eligibility rules").
 *
 * @example
 * eligibility({ templateMessaging: true, optin: 'opted_in', lastInboundAt: null, kind: 'template', matchesTemplate: true, now })
 * // { deliver: 'template', reason: 'approved_template' }
 */
export function eligibility(i: EligibilityInput): { deliver: Delivery; reason: EligibilityReason } {
  const active = activityAt(i.lastInboundAt, i.now) === 'active';
  if (!i.templateMessaging) {
    return active
      ? { deliver: 'session', reason: 'active_session' }
      : { deliver: 'blocked', reason: 'outside_session_window' };
  }
  if (i.optin !== 'opted_in') return { deliver: 'blocked', reason: 'not_opted_in' };
  if (active) return { deliver: 'session', reason: 'active_session' };
  return i.matchesTemplate
    ? { deliver: 'template', reason: 'approved_template' }
    : { deliver: 'blocked', reason: 'no_matching_template' };
}
