/** A person's opt-in status with one app. */
export type OptinStatus = 'opted_in' | 'opted_out' | 'none';
export type Activity = 'active' | 'inactive';
export type Via = 'qr' | 'url' | 'widget' | 'first_message' | 'sms' | 'api';
export const VIAS: readonly Via[] = ['qr', 'url', 'widget', 'first_message', 'sms', 'api'];
/**
 * What a consent record proves. `marketing_stop`/`marketing_resume`: WhatsApp reported the person's
 * marketing preference. `number_changed`: the person left this number (WhatsApp's `user_changed_number`);
 * `number_linked`: their consent now belongs to their new number (linked to the original evidence).
 */
export type ConsentAction =
  | 'opt_in'
  | 'opt_out'
  | 'verify'
  | 'prompt_sent'
  | 'marketing_stop'
  | 'marketing_resume'
  | 'number_changed'
  | 'number_linked';
export const CONSENT_ACTIONS: readonly ConsentAction[] = [
  'opt_in',
  'opt_out',
  'verify',
  'prompt_sent',
  'marketing_stop',
  'marketing_resume',
  'number_changed',
  'number_linked',
];

export interface UserState {
  optin: OptinStatus;
  via: Via | null;
  verified: boolean;
  optinAt: number | null;
  lastInboundAt: number | null;
  /** WhatsApp reported that the person stopped marketing messages (until they resume them). */
  marketingStopped?: boolean;
  /** When the latest marketing preference was given: an older report never overrides a newer one. */
  marketingAt?: number | null;
  /** The number the person moved to (WhatsApp's `user_changed_number`), while this one is not theirs. */
  movedTo?: string | null;
  movedAt?: number | null;
}

/** What a change of state is worth telling the business: the type of the user-event, or nothing. */
export type Changed =
  'opted-in' | 'opted-out' | 'verified' | 'marketing-stopped' | 'marketing-resumed' | 'number-changed' | null;

export const NEW_USER: UserState = { optin: 'none', via: null, verified: false, optinAt: null, lastInboundAt: null };

export type OptinEvent =
  | { type: 'opt_in'; via: Via; at: number; verified: boolean }
  | { type: 'opt_out'; via: Via; at: number }
  | { type: 'verify'; at: number }
  | { type: 'inbound'; at: number }
  /** WhatsApp's marketing preference, given at `at`. */
  | { type: 'marketing'; value: 'stop' | 'resume'; at: number }
  /** The person left this number for `to`: their consent goes with them (see `moved_in`). */
  | { type: 'moved_out'; to: string; at: number }
  /** The person arrived at this number from another, whose state before the move was `from`. */
  | { type: 'moved_in'; from: UserState; at: number };

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
    case 'marketing': {
      // Reports can arrive out of order (a retried stop after a resume): the latest one given wins.
      if (s.marketingAt != null && e.at < s.marketingAt) return { state: s, changed: null };
      const stopped = e.value === 'stop';
      const state: S = { ...s, marketingStopped: stopped, marketingAt: e.at };
      if (Boolean(s.marketingStopped) === stopped) return { state, changed: null };
      return { state, changed: stopped ? 'marketing-stopped' : 'marketing-resumed' };
    }
    case 'moved_out':
      // The number may be given to someone else: nothing the person agreed to stays with it.
      return {
        state: { ...s, optin: 'none', verified: false, marketingStopped: false, movedTo: e.to, movedAt: e.at },
        changed: 'number-changed',
      };
    case 'moved_in': {
      const f = e.from;
      // The person's consent comes with them, unless this number has a consent change of its own
      // that is newer (the latest consent wins, as everywhere).
      const own = s.optin !== 'none' && (s.optinAt ?? 0) > (f.optinAt ?? 0);
      const marketingOwn = s.marketingAt != null && (f.marketingAt == null || s.marketingAt > f.marketingAt);
      const state: S = {
        ...s,
        ...(own ? {} : { optin: f.optin, via: f.via, verified: f.verified, optinAt: f.optinAt }),
        ...(marketingOwn ? {} : { marketingStopped: Boolean(f.marketingStopped), marketingAt: f.marketingAt ?? null }),
        movedTo: null,
        movedAt: null,
      };
      return { state, changed: 'number-changed' };
    }
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
