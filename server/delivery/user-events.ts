import { createHmac } from 'node:crypto';
import type { Deps } from '../deps.js';
import { appById } from '../store/apps.js';
import type { AppRecord } from '../store/index.js';
import type { OutboxItem, SentUserEvent, UserEventBody } from '../store/outbox.js';
import { safePost } from './safe-http.js';

/** What one delivery attempt came to. `retry` false means no later attempt can succeed. */
export interface AttemptResult {
  ok: boolean;
  status?: number;
  error?: string;
  retry: boolean;
  /** The endpoint answered 410 Gone: stop sending it anything. */
  disable?: boolean;
}

/** The key of a `whsec_…` secret, as Standard Webhooks defines it (the base64 after the prefix). */
function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

/**
 * Standard Webhooks signature: `v1,` and base64 HMAC-SHA256 of `id.timestamp.body`. During a
 * secret rotation both secrets sign, space-separated, so receivers with either secret accept.
 *
 * @example
 * sign({ id: 'evt_1', timestamp: 1700000000, body: '{}', secrets: ['whsec_…'] }) // 'v1,…'
 */
export function sign(p: { id: string; timestamp: number; body: string; secrets: string[] }): string {
  return p.secrets
    .map((s) => `v1,${createHmac('sha256', secretKey(s)).update(`${p.id}.${p.timestamp}.${p.body}`).digest('base64')}`)
    .join(' ');
}

/** The secrets that sign now: the current one, and the previous one while its rotation grace lasts. */
export function signingSecrets(app: AppRecord, now: number): string[] {
  const out = app.secrets.webhookSecret ? [app.secrets.webhookSecret] : [];
  const prev = app.secrets.previousWebhookSecret;
  if (prev && prev.until > now) out.push(prev.secret);
  return out;
}

/**
 * A user-event as it is sent: the stored body with the outbox item's sequence as `data.seq`. The
 * sequence grows with every event about a person, so a receiver keeps each person's newest.
 */
export function sentEvent(item: Pick<OutboxItem, 'body' | 'seq'>): SentUserEvent {
  const e = item.body as UserEventBody;
  return { ...e, data: { ...e.data, seq: item.seq } };
}

/** The user-event types Gupshup documents (https://docs.gupshup.io/docs/user-event). */
export const GUPSHUP_EVENT_TYPES = ['opted-in', 'opted-out', 'sandbox-start'] as const;
export type GupshupEventType = (typeof GUPSHUP_EVENT_TYPES)[number];

/**
 * The Gupshup type an event is sent as, or null when it is not sent in that format. Gupshup's own
 * types go as they are. Any other (`verified`, and the types for number and purpose changes) says
 * what the person's overall status is after it: `opted-in` or `opted-out`, from `data.optin`; with
 * status `none` there is nothing a Gupshup receiver could be told, and nothing is sent.
 *
 * @example
 * gupshupType({ type: 'verified', data: { optin: 'opted_in' } }) // 'opted-in'
 */
export function gupshupType(e: { type: string; data: { optin: string } }): GupshupEventType | null {
  if ((GUPSHUP_EVENT_TYPES as readonly string[]).includes(e.type)) return e.type as GupshupEventType;
  if (e.data.optin === 'opted_in') return 'opted-in';
  if (e.data.optin === 'opted_out') return 'opted-out';
  return null;
}

/**
 * The body the app asked for: the contract's, or Gupshup's v2 user-event shape (with the sequence),
 * or null when the event has no Gupshup form (gupshupType).
 */
export function eventPayload(app: AppRecord, e: SentUserEvent): unknown {
  if (app.settings.payloadFormat === 'gupshup') {
    const type = gupshupType(e);
    if (type === null) return null;
    return {
      app: e.app,
      timestamp: Date.parse(e.timestamp),
      version: 2,
      type: 'user-event',
      payload: { phone: e.data.phone, type, seq: e.data.seq },
    };
  }
  return e;
}

/** Delivers one user-event to the app's callback URL. Only a 2xx counts. */
export async function deliverEvent(
  deps: Pick<Deps, 'store' | 'clock' | 'config'>,
  item: OutboxItem,
): Promise<AttemptResult> {
  const app = await deps.store.read(appById, item.appId);
  if (!app) return { ok: false, error: 'the app no longer exists', retry: false };
  if (!app.settings.callbackUrl) return { ok: false, error: 'the app has no callback URL', retry: false };
  if (app.callbackDisabledAt !== null)
    return { ok: false, error: 'the callback URL answered 410 Gone; set it again to resume', retry: false };
  const now = deps.clock.now();
  const timestamp = Math.floor(now / 1000);
  const payload = eventPayload(app, sentEvent(item));
  // Nothing to tell a receiver in this format: done, without a request (the attempt has no status).
  if (payload === null) return { ok: true, retry: false };
  const body = JSON.stringify(payload);
  const secrets = signingSecrets(app, now);
  const res = await safePost({
    url: app.settings.callbackUrl,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'optin-kit-webhooks/1',
      'webhook-id': item.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign({ id: item.id, timestamp, body, secrets }),
    },
    body,
    timeoutMs: deps.config.callbackTimeoutMs,
    allowPrivate: deps.config.allowPrivateCallbacks,
  });
  if (!res.ok) return { ok: false, error: res.error, retry: !res.error.startsWith('refused') };
  if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, retry: false };
  if (res.status === 410)
    return { ok: false, status: 410, error: 'Gone: the endpoint is disabled', retry: false, disable: true };
  // Redirects are not followed: the URL the business gave is the one we sign for.
  return {
    ok: false,
    status: res.status,
    error: `HTTP ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}`,
    retry: true,
  };
}
