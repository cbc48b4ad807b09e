import { activityAt } from './optin-state.js';
import type { OptinStatus } from './optin-state.js';
import type { Purpose } from './purposes.js';

export type Delivery = 'session' | 'template' | 'blocked';
export type EligibilityReason =
  | 'active_session'
  | 'outside_session_window'
  | 'not_opted_in'
  | 'approved_template'
  | 'no_matching_template'
  | 'marketing_stopped'
  | 'number_changed';
export const ELIGIBILITY_REASONS: readonly EligibilityReason[] = [
  'active_session',
  'outside_session_window',
  'not_opted_in',
  'approved_template',
  'no_matching_template',
  'marketing_stopped',
  'number_changed',
];

export interface EligibilityInput {
  templateMessaging: boolean;
  optin: OptinStatus;
  lastInboundAt: number | null;
  kind: 'text' | 'template';
  matchesTemplate: boolean;
  now: number;
  /**
   * The template category the message is sent under. Unset reads as `marketing` for a person who
   * stopped marketing messages (the strictest reading), and changes nothing for anyone else.
   */
  category?: Purpose;
  /** WhatsApp reported that the person stopped marketing messages. */
  marketingStopped?: boolean;
  /** When the person left this number for another (`user_changed_number`), if they did. */
  movedAt?: number | null;
}

/**
 * The delivery rules businesses live by (see CONTRACT.md, "Eligibility rules"): first the person's
 * number and purposes (a number they left, marketing they stopped), then the session window, the
 * opt-in and the template.
 *
 * @example
 * eligibility({ templateMessaging: true, optin: 'opted_in', lastInboundAt: null, kind: 'template', matchesTemplate: true, now })
 * // { deliver: 'template', reason: 'approved_template' }
 */
export function eligibility(i: EligibilityInput): { deliver: Delivery; reason: EligibilityReason } {
  // The person left this number: it may belong to someone else now, who agreed to nothing. Only a
  // message from the number after the move (someone writing in) makes it reachable again.
  if (i.movedAt != null && (i.lastInboundAt ?? 0) <= i.movedAt) return { deliver: 'blocked', reason: 'number_changed' };
  // Stopping marketing holds for every kind of message: the session window does not undo it.
  if (i.marketingStopped && (i.category ?? 'marketing') === 'marketing')
    return { deliver: 'blocked', reason: 'marketing_stopped' };
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
