/** A person's opt-in status with one app. */
export type OptinStatus = 'opted_in' | 'opted_out' | 'none';
export type Activity = 'active' | 'inactive';
export type Via = 'qr' | 'url' | 'widget' | 'first_message' | 'sms' | 'api';
export const VIAS: readonly Via[] = ['qr', 'url', 'widget', 'first_message', 'sms', 'api'];
export type ConsentAction = 'opt_in' | 'opt_out' | 'verify' | 'prompt_sent';

export interface UserState {
  optin: OptinStatus;
  via: Via | null;
  verified: boolean;
  optinAt: number | null;
  lastInboundAt: number | null;
}

/** What a change of state is worth telling the business: the type of the user-event, or nothing. */
export type Changed = 'opted-in' | 'opted-out' | 'verified' | null;

export const NEW_USER: UserState = { optin: 'none', via: null, verified: false, optinAt: null, lastInboundAt: null };

export type OptinEvent =
  | { type: 'opt_in'; via: Via; at: number; verified: boolean }
  | { type: 'opt_out'; via: Via; at: number }
  | { type: 'verify'; at: number }
  | { type: 'inbound'; at: number };

/**
 * The opt-in state machine. Any state may opt in or out again; the latest consent wins.
 * Returns the next state and whether the change is worth a user-event (`opted-in`, `opted-out`,
 * `verified`), so that repeats do not notify the business twice.
 */
export function applyEvent<S extends UserState>(s: S, e: OptinEvent): { state: S; changed: Changed } {
  switch (e.type) {
    case 'opt_in': {
      const state: S = {
        ...s,
        optin: 'opted_in',
        via: e.via,
        optinAt: e.at,
        verified: e.verified || (s.optin === 'opted_in' && s.verified),
      };
      if (s.optin !== 'opted_in') return { state, changed: 'opted-in' };
      return { state, changed: !s.verified && state.verified ? 'verified' : null };
    }
    case 'opt_out':
      return {
        state: { ...s, optin: 'opted_out', via: e.via, optinAt: e.at, verified: false },
        changed: s.optin === 'opted_out' ? null : 'opted-out',
      };
    case 'verify':
      if (s.optin !== 'opted_in' || s.verified) return { state: s, changed: null };
      return { state: { ...s, verified: true }, changed: 'verified' };
    case 'inbound':
      return { state: { ...s, lastInboundAt: Math.max(s.lastInboundAt ?? 0, e.at) }, changed: null };
  }
}

/** WhatsApp's customer-service window: a user is active for 24 hours after their last inbound message. */
export const SESSION_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * @example
 * activityAt(null, Date.now()) // 'inactive' (never seen)
 */
export function activityAt(lastInboundAt: number | null, now: number): Activity {
  if (lastInboundAt === null) return 'inactive';
  return now - lastInboundAt < SESSION_WINDOW_MS ? 'active' : 'inactive';
}

/**
 * Whether a message sent at `sentAt` may still be answered with free text: Meta refuses free-form
 * messages more than 24 hours after the person's last message, so a late delivery gets no reply.
 *
 * @example
 * withinWindow(now - 25 * 3600_000, now) // false
 */
export function withinWindow(sentAt: number, now: number): boolean {
  return now - sentAt < SESSION_WINDOW_MS;
}
