import { z } from 'zod';

/** One inbound WhatsApp message, whichever provider brought it. */
export interface InboundMessage {
  provider: 'meta' | 'gupshup';
  /** The provider's message id: a wamid, or Gupshup's id. */
  id: string;
  /** The sender as the provider gives it: international digits. */
  from: string;
  /** The text, or a button's title; empty for media without a caption. */
  text: string;
  /** When the provider says the person sent it (ms), when it says. */
  sentAt: number | null;
  /**
   * `message`: a person writing (text, media, a button); `reaction`: an emoji on one of our messages,
   * or its removal; `system`: WhatsApp reporting something about the person (a number change, an
   * identity change), which is nobody writing in.
   */
  kind: 'message' | 'reaction' | 'system';
  /** The group the message was written in (Meta's `group_id`), or null for a one-to-one message. */
  group: string | null;
  /** The Click-to-WhatsApp ad or post the person came from, on the first message after the click. */
  referral: Referral | null;
  /** What a `system` message reports. */
  system: SystemNotice | null;
}

/** Meta's `referral` object of a message sent from a Click-to-WhatsApp ad (fields as Meta names them). */
export interface Referral {
  source_url?: string;
  source_id?: string;
  source_type?: string;
  headline?: string;
  body?: string;
  media_type?: string;
  ctwa_clid?: string;
}

export interface SystemNotice {
  /** `user_changed_number`, `user_changed_user_id`, `user_identity_changed`, or another Meta type. */
  type: string;
  /** The new WhatsApp ID of a `user_changed_number` (`wa_id`; `new_wa_id` in older versions). */
  newWaId: string | null;
  body: string | null;
}

/**
 * A person's marketing-message preference as WhatsApp reports it: the `user_preferences` webhook field
 * (which has no message id: `id` is made of the person, the time and the value), or a
 * `user_preference_changed` system message (its wamid).
 */
export interface PreferenceChange {
  provider: 'meta';
  id: string;
  waId: string;
  category: 'marketing_messages';
  value: 'stop' | 'resume';
  sentAt: number | null;
  detail: string | null;
}

/**
 * A provider telling us that a person opted out on its side: Gupshup's `user-event` of type
 * `opted-out` (https://docs.gupshup.io/docs/user-event). It carries no message id: `id` is made of
 * the type, the person and the provider's time, so the same event delivered again is a duplicate.
 */
export interface ProviderOptout {
  provider: 'gupshup';
  id: string | null;
  /** The person as the provider gives them: international digits. */
  phone: string;
  /** When the provider says it happened (ms), when it says. */
  at: number | null;
}

/**
 * `ignored`: parts that carry nothing to record (status updates, message types we do not read);
 * `malformed`: parts that could not be read, each named in `problems` (at most 20 are named).
 */
export type ParsedPayload =
  | {
      kind: 'messages';
      messages: InboundMessage[];
      preferences: PreferenceChange[];
      ignored: number;
      malformed: number;
      problems: string[];
    }
  | { kind: 'optout'; optout: ProviderOptout }
  | { kind: 'ignored'; reason: string; malformed?: number; problems?: string[] };

const id = z.string().min(1).max(256);
const digits = z.string().regex(/^\+?\d{6,20}$/);

const MetaMessage = z.looseObject({
  from: digits,
  id,
  timestamp: z.union([z.string().regex(/^\d{1,12}$/), z.number()]).optional(),
  type: z.string().max(40).optional(),
  text: z.looseObject({ body: z.string().max(8192) }).optional(),
  button: z.looseObject({ text: z.string().max(1024).optional() }).optional(),
  interactive: z
    .looseObject({
      button_reply: z.looseObject({ title: z.string().max(1024).optional() }).optional(),
      list_reply: z.looseObject({ title: z.string().max(1024).optional() }).optional(),
    })
    .optional(),
  image: z.looseObject({ caption: z.string().max(8192).optional() }).optional(),
  video: z.looseObject({ caption: z.string().max(8192).optional() }).optional(),
  document: z.looseObject({ caption: z.string().max(8192).optional() }).optional(),
  reaction: z.looseObject({ emoji: z.string().max(64).optional() }).optional(),
  group_id: z.string().max(256).optional(),
  referral: z.looseObject({}).optional(),
  system: z
    .looseObject({
      type: z.string().max(80).optional(),
      body: z.string().max(1024).optional(),
      wa_id: digits.optional(),
      new_wa_id: digits.optional(),
      marketing: z.enum(['stop', 'resume']).optional(),
    })
    .optional(),
});

const MetaPreference = z.looseObject({
  wa_id: digits,
  category: z.literal('marketing_messages'),
  value: z.enum(['stop', 'resume']),
  detail: z.string().max(1024).optional(),
  timestamp: z.union([z.string().regex(/^\d{1,12}$/), z.number().int().nonnegative()]).optional(),
});

const REFERRAL_FIELDS = [
  'source_url',
  'source_id',
  'source_type',
  'headline',
  'body',
  'media_type',
  'ctwa_clid',
] as const;

/** The referral's documented fields, as bounded strings; null when it carries none of them. */
function referralOf(raw: Record<string, unknown> | undefined): Referral | null {
  if (!raw) return null;
  const out: Referral = {};
  for (const k of REFERRAL_FIELDS) {
    const v = raw[k];
    if (typeof v === 'string' && v.length) out[k] = v.slice(0, 2048);
  }
  return Object.keys(out).length ? out : null;
}

/**
 * A Meta webhook is read part by part: the envelope, then each entry, then each change, then each
 * message, so one part we cannot read never costs the others. Meta batches up to 1,000 updates in one
 * POST (https://developers.facebook.com/docs/graph-api/webhooks/getting-started/), so neither list has
 * a length limit here; the body's size limit bounds them.
 */
const MetaPayload = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(z.unknown()),
});

const MetaEntry = z.looseObject({ changes: z.array(z.unknown()) });

const MetaChange = z.looseObject({
  field: z.string().optional(),
  value: z.looseObject({
    messages: z.array(z.unknown()).optional(),
    statuses: z.array(z.unknown()).optional(),
    user_preferences: z.array(z.unknown()).optional(),
  }),
});

type MetaChangeT = z.infer<typeof MetaChange>;

const MAX_PROBLEMS = 20;

/** Every change of every entry that can be read, and a note for each part that cannot. */
function metaChanges(entries: unknown[], problems: string[]): { changes: MetaChangeT[]; malformed: number } {
  const changes: MetaChangeT[] = [];
  let malformed = 0;
  const problem = (what: string) => {
    malformed++;
    if (problems.length < MAX_PROBLEMS) problems.push(what);
  };
  entries.forEach((raw, i) => {
    const e = MetaEntry.safeParse(raw);
    if (!e.success) return problem(`entry ${i}: no changes list`);
    e.data.changes.forEach((rawChange, j) => {
      const ch = MetaChange.safeParse(rawChange);
      if (ch.success) changes.push(ch.data);
      else problem(`entry ${i} change ${j}: no value object`);
    });
  });
  return { changes, malformed };
}

/**
 * Gupshup's time: milliseconds, as a number in its docs, but sent as a string too. A value too small
 * to be milliseconds since 1973 is read as seconds.
 */
const gupshupTime = z
  .union([
    z.number().nonnegative(),
    z
      .string()
      .regex(/^\d{1,16}$/)
      .transform(Number),
  ])
  .transform((t) => (t < 1e11 ? t * 1000 : t));

const GupshupPayload = z.looseObject({
  type: z.string(),
  timestamp: gupshupTime.optional(),
  payload: z
    .looseObject({
      id: id.optional(),
      source: digits.optional(),
      type: z.string().optional(),
      payload: z
        .looseObject({
          text: z.string().max(8192).optional(),
          title: z.string().max(1024).optional(),
          caption: z.string().max(8192).optional(),
        })
        .optional(),
      sender: z.looseObject({ phone: digits }).optional(),
    })
    .optional(),
});

const secs = (t: string | number | undefined): number | null => (t === undefined ? null : Number(t) * 1000);

/**
 * Reads a Meta Cloud API webhook: `entry[].changes[].value.messages[]` (messages, reactions, system
 * messages) and `value.user_preferences[]` (marketing preferences). Status updates and messages of a
 * shape we do not know are counted as ignored, never an error: Meta retries anything but a 200.
 */
export function parseMeta(body: unknown): ParsedPayload {
  const p = MetaPayload.safeParse(body);
  if (!p.success) return { kind: 'ignored', reason: 'not a whatsapp_business_account payload' };
  const messages: InboundMessage[] = [];
  const preferences: PreferenceChange[] = [];
  const problems: string[] = [];
  const read = metaChanges(p.data.entry, problems);
  let malformed = read.malformed;
  let ignored = 0;
  for (const ch of read.changes) {
    ignored += ch.value.statuses?.length ?? 0;
    for (const raw of ch.value.user_preferences ?? []) {
      const u = MetaPreference.safeParse(raw);
      if (!u.success) {
        malformed++;
        if (problems.length < MAX_PROBLEMS) problems.push('user_preferences: not a preference we can read');
        continue;
      }
      const waId = u.data.wa_id.replace(/^\+/, '');
      preferences.push({
        provider: 'meta',
        // No message id in this field: the person, the time and the value make one, so a retry is a duplicate.
        id: `pref.${waId}.${u.data.timestamp ?? 'none'}.${u.data.value}`,
        waId,
        category: 'marketing_messages',
        value: u.data.value,
        sentAt: secs(u.data.timestamp),
        detail: u.data.detail ?? null,
      });
    }
    for (const raw of ch.value.messages ?? []) {
      const m = MetaMessage.safeParse(raw);
      if (!m.success) {
        malformed++;
        if (problems.length < MAX_PROBLEMS) problems.push(`message ${messageId(raw)}: not a message we can read`);
        continue;
      }
      const d = m.data;
      const from = d.from.replace(/^\+/, '');
      if (d.type === 'system' || d.system) {
        const sys = d.system ?? {};
        if (sys.type === 'user_preference_changed' && sys.marketing) {
          preferences.push({
            provider: 'meta',
            id: d.id,
            waId: from,
            category: 'marketing_messages',
            value: sys.marketing,
            sentAt: secs(d.timestamp),
            detail: sys.body ?? null,
          });
          continue;
        }
        messages.push({
          provider: 'meta',
          id: d.id,
          from,
          text: '',
          sentAt: secs(d.timestamp),
          kind: 'system',
          group: d.group_id ?? null,
          referral: null,
          system: {
            type: sys.type ?? 'unknown',
            newWaId: (sys.wa_id ?? sys.new_wa_id)?.replace(/^\+/, '') ?? null,
            body: sys.body ?? null,
          },
        });
        continue;
      }
      const reaction = d.type === 'reaction' || d.reaction !== undefined;
      const text = reaction
        ? (d.reaction?.emoji ?? '')
        : (d.text?.body ??
          d.button?.text ??
          d.interactive?.button_reply?.title ??
          d.interactive?.list_reply?.title ??
          d.image?.caption ??
          d.video?.caption ??
          d.document?.caption ??
          '');
      messages.push({
        provider: 'meta',
        id: d.id,
        from,
        text,
        sentAt: secs(d.timestamp),
        kind: reaction ? 'reaction' : 'message',
        group: d.group_id ?? null,
        referral: referralOf(d.referral),
        system: null,
      });
    }
  }
  if (messages.length || preferences.length)
    return { kind: 'messages', messages, preferences, ignored, malformed, problems };
  if (malformed) return { kind: 'ignored', reason: 'nothing readable in the batch', malformed, problems };
  return { kind: 'ignored', reason: ignored ? 'status updates or unsupported messages' : 'no messages' };
}

/** A message's id for a log line, when it has a readable one. */
function messageId(raw: unknown): string {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? JSON.stringify(id.slice(0, 80)) : '(no id)';
}

const GupshupUserEvent = z.looseObject({
  payload: z.looseObject({ phone: z.string().max(64), type: z.string().max(64) }),
});

/**
 * A Gupshup `user-event` (https://docs.gupshup.io/docs/user-event). `opted-out` is the person opting
 * out on Gupshup's side, and is recorded. `opted-in` is not consent evidence (it says nothing of what
 * the person was shown: Gupshup records it when the business marks the person opted in), and
 * `sandbox-start` concerns Gupshup's own sandbox: both are ignored.
 */
function gupshupUserEvent(body: unknown, at: number | null): ParsedPayload {
  const e = GupshupUserEvent.safeParse(body);
  if (!e.success) return { kind: 'ignored', reason: 'Gupshup user-event without phone or type' };
  const { phone, type } = e.data.payload;
  if (type !== 'opted-out') return { kind: 'ignored', reason: `Gupshup user-event ${type.slice(0, 40)}` };
  if (!digits.safeParse(phone).success) return { kind: 'ignored', reason: 'Gupshup opted-out without a phone number' };
  const who = phone.replace(/^\+/, '');
  return {
    kind: 'optout',
    optout: { provider: 'gupshup', id: at === null ? null : `user-event.opted-out.${who}.${at}`, phone: who, at },
  };
}

/**
 * Reads a Gupshup v2 callback. `type: "message"` carries a person's message and `user-event` may say
 * a person opted out (gupshupUserEvent); `message-event` (delivery reports) and `billing-event` are
 * ignored.
 */
export function parseGupshup(body: unknown): ParsedPayload {
  const p = GupshupPayload.safeParse(body);
  if (!p.success) return { kind: 'ignored', reason: 'not a Gupshup v2 payload' };
  if (p.data.type === 'user-event') return gupshupUserEvent(body, p.data.timestamp ?? null);
  if (p.data.type !== 'message') return { kind: 'ignored', reason: `Gupshup ${p.data.type.slice(0, 40)}` };
  const m = p.data.payload;
  const from = m?.sender?.phone ?? m?.source;
  if (!m?.id || !from) return { kind: 'ignored', reason: 'Gupshup message without id or sender' };
  const text = m.payload?.text ?? m.payload?.title ?? m.payload?.caption ?? '';
  return {
    kind: 'messages',
    messages: [
      {
        provider: 'gupshup',
        id: m.id,
        from: from.replace(/^\+/, ''),
        text,
        sentAt: p.data.timestamp ?? null,
        kind: m.type === 'reaction' ? 'reaction' : 'message',
        group: null,
        referral: null,
        system: null,
      },
    ],
    preferences: [],
    ignored: 0,
    malformed: 0,
    problems: [],
  };
}

/** Which provider a JSON body came from, by its shape. */
export function payloadShape(body: unknown): 'meta' | 'gupshup' | 'unknown' {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'unknown';
  const o = body as Record<string, unknown>;
  if (o.object === 'whatsapp_business_account' || Array.isArray(o.entry)) return 'meta';
  if (typeof o.type === 'string' && ('payload' in o || 'app' in o)) return 'gupshup';
  return 'unknown';
}

/**
 * The campaign a Click-to-WhatsApp ad stands for: `ad-<source_id>` (Meta's ad or post id), or `ad` when the
 * referral names none; always within the campaign pattern (core/app-name.ts).
 */
export function campaignOfReferral(r: Referral): string {
  const id = (r.source_id ?? '').replace(/[^A-Za-z0-9_-]/g, '');
  return (id ? `ad-${id}` : 'ad').slice(0, 64);
}
