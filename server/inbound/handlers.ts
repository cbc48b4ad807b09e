import { randomUUID } from 'node:crypto';
import { matchKeyword, senderLocale } from '../../core/keywords.js';
import type { Locale } from '../../core/locale.js';
import { withinWindow, type Changed, type OptinEvent, type Via } from '../../core/optin-state.js';
import { normalizeInternational } from '../../core/phone.js';
import { samePerson } from '../../core/phone-aliases.js';
import { replyText, type ReplyTexts } from '../../core/replies.js';
import { findRef, parseProxyText } from '../../core/wa-link.js';
import { wordingHash } from '../../core/wording.js';
import type { Deps } from '../deps.js';
import { evidence } from '../services/consent.js';
import type { Body } from '../store/driver.js';
import { claimInbound, claimPrompt } from '../store/inbound.js';
import {
  consentByRef,
  flagTypedNumber,
  consentsFor,
  hasConsent,
  lastPrompt,
  lockUser,
  recordActivity,
  recordChange,
  reportSandboxStart,
  verificationOf,
  type LedgerApp,
} from '../store/ledger.js';
import { addMessage, messageById } from '../store/messages.js';
import { enqueueMessage } from '../store/outbox.js';
import type { AppRecord, ConsentRecord, UserRecord } from '../store/index.js';
import { campaignOfReferral, type InboundMessage, type PreferenceChange } from './payloads.js';

/**
 * Opt-ins that arrive as messages: an SMS, a WhatsApp message that carries a consent reference, a
 * reply to the automated first-message prompt, and the sandbox's `PROXY <name>`. Each handler is one
 * transaction: the provider's message id is claimed first, so a delivery the provider repeats
 * changes nothing and sends nothing again. Every consent change goes through the ledger
 * (store/ledger.ts); the store's `outbox` signal wakes the worker for the replies and user-events.
 */

export interface WhatsAppOutcome {
  duplicate: boolean;
  /** Nothing was recorded but the message id: a system message that reports nothing we keep. */
  ignored?: boolean;
  /** What the business was told (the user-event type), if anything changed. */
  changed: Changed;
  /** The automated opt-in prompt was enqueued. */
  prompted: boolean;
  /** The message verified the web consent with this id. */
  verified: string | null;
}

type App = LedgerApp & Pick<AppRecord, 'displayName' | 'settings'>;

const shown = (text: string) => ({ sha256: wordingHash(text), text });

/**
 * A provider's sender as the spelling it sent: a WhatsApp ID (`5215512345678`) stays as it is, since
 * replies go to it; the store files it under the person's canonical spelling (core/phone-aliases.ts).
 * A sender that is not a valid number is kept as its digits, and stays addressable by them.
 */
export function senderPhone(raw: string): string | null {
  const digits = raw.trim().replace(/^\+/, '');
  if (/^\d{6,15}$/.test(digits)) return digits;
  const r = normalizeInternational(raw);
  return r.ok ? r.phone : null;
}

/** Records one consent change of a person whose row this transaction holds. */
function* change(
  app: App,
  user: UserRecord,
  record: ConsentRecord,
  text: string | null,
  move: OptinEvent,
): Body<Changed> {
  return (yield* recordChange({ app, record, shown: text === null ? null : shown(text), move, user })).changed;
}

function* sendWhatsApp(
  app: App,
  phone: string,
  type: string,
  text: string,
  now: number,
  id = `msg_${randomUUID()}`,
): Body<void> {
  yield* enqueueMessage(app.id, id, type, { channel: 'whatsapp', to: phone, text }, now);
}

/**
 * A WhatsApp message carried `(ref XXXXXX)`: the sender's phone confirms that web consent. The sender
 * is the one opted in and verified, whatever number was typed. A typed number that is another
 * spelling of the sender's (a WhatsApp ID `521…` for a typed `+52 …`) is the same person; any other
 * typed number is flagged.
 */
function* verifyByRef(
  app: App,
  user: UserRecord,
  sender: string,
  consent: ConsentRecord,
  now: number,
): Body<{ changed: Changed; verified: string | null }> {
  // A reference verifies once; a second message with it (or someone else's) is just a message.
  if (yield* verificationOf(app.id, consent.id)) return { changed: null, verified: null };
  const record = evidence({
    appId: app.id,
    // The evidence names the WhatsApp ID that sent the reference, as it sent it.
    phone: sender,
    action: 'verify',
    via: consent.via,
    at: now,
    wordingVersion: consent.wordingVersion,
    wordingSha256: consent.wordingSha256,
    locale: consent.locale,
    campaign: consent.campaign,
    ref: consent.ref,
    linkedId: consent.id,
  });
  const move: OptinEvent =
    user.optin === 'opted_in'
      ? { type: 'verify', at: now }
      : { type: 'opt_in', via: consent.via, at: now, verified: true };
  const changed = yield* change(app, user, record, null, move);
  if (consent.phone && !samePerson(consent.phone, user.phone)) yield* flagTypedNumber(app.id, consent.phone, now);
  return { changed, verified: consent.id };
}

/**
 * WhatsApp's `user_changed_number`: the person left `from` for `to`. The old number stops being
 * eligible (it may be given to someone else) with a `number_changed` record saying why; the new
 * number takes the person's consent with a `number_linked` record that points at the original
 * evidence (the old number's latest consent record); the business hears `number-changed` for both.
 */
function* numberChange(app: App, from: string, to: string, m: InboundMessage, now: number): Body<Changed> {
  const old = yield* lockUser(app.id, from, now);
  const original = (yield* consentsFor(app.id, from))
    .filter((r) => r.action === 'opt_in' || r.action === 'opt_out' || r.action === 'verify')
    .at(-1);
  const sentAt = m.sentAt !== null && m.sentAt > 0 ? Math.min(m.sentAt, now) : now;
  const detail = {
    type: 'user_changed_number',
    body: m.system?.body ?? null,
    reportedAt: new Date(sentAt).toISOString(),
  };
  const base = {
    appId: app.id,
    via: old.via ?? 'first_message',
    at: now,
    actor: 'whatsapp',
    linkedId: original?.id ?? null,
  };
  const leave = yield* recordChange({
    app,
    record: evidence({ ...base, phone: from, action: 'number_changed', detail: { ...detail, newPhone: to } }),
    shown: null,
    move: { type: 'moved_out', to, at: sentAt },
    user: old,
    context: { newPhone: to },
  });
  const arrive = yield* recordChange({
    app,
    record: evidence({
      ...base,
      phone: to,
      action: 'number_linked',
      campaign: original?.campaign ?? null,
      wordingVersion: original?.wordingVersion ?? null,
      wordingSha256: original?.wordingSha256 ?? null,
      locale: original?.locale ?? null,
      detail: { ...detail, previousPhone: from },
    }),
    shown: null,
    move: { type: 'moved_in', from: old, at: sentAt },
    context: { previousPhone: from },
  });
  return arrive.changed ?? leave.changed;
}

function* whatsAppBody(app: App, m: InboundMessage, phone: string, now: number): Body<WhatsAppOutcome> {
  const none: WhatsAppOutcome = { duplicate: false, changed: null, prompted: false, verified: null };
  if (!(yield* claimInbound(app.id, m.provider, m.id, phone, now))) return { ...none, duplicate: true };
  // WhatsApp reporting something about the person is not the person writing in: no activity, no prompt.
  if (m.kind === 'system') {
    const to = m.system?.type === 'user_changed_number' && m.system.newWaId ? senderPhone(m.system.newWaId) : null;
    if (!to || to === phone) return { ...none, ignored: true };
    return { ...none, changed: yield* numberChange(app, phone, to, m, now) };
  }
  const history = () =>
    addMessage({
      id: randomUUID(),
      appId: app.id,
      phone,
      direction: 'in',
      channel: 'whatsapp',
      text: m.text.slice(0, 4096),
      at: now,
    });
  // A message in a group was written to the group, not to the business: it is kept in the person's
  // history, and nothing else follows from it (no window, no keyword, no prompt).
  if (m.group !== null) {
    yield* history();
    return none;
  }
  // The window opens when the person sent the message; a provider retrying late must not stretch it.
  const sentAt = m.sentAt !== null && m.sentAt > 0 ? Math.min(m.sentAt, now) : now;
  const user = yield* recordActivity(app.id, phone, sentAt, now);
  yield* history();
  // A reaction (or its removal) is not a message to answer: no keyword, no reference, no prompt.
  if (m.kind === 'reaction') return none;
  // Meta refuses free text outside the 24-hour window: an old message (a late delivery) changes
  // consent as any other, but gets no reply and no prompt.
  const canReply = withinWindow(sentAt, now);

  const ref = findRef(m.text);
  const consent = ref ? yield* consentByRef(app.id, ref) : null;
  if (consent) return { ...none, ...(yield* verifyByRef(app, user, phone, consent, now)) };

  const locale = senderLocale(m.text, phone);
  const say = (key: keyof ReplyTexts) => replyText(locale, key, app.displayName);
  // A message from a Click-to-WhatsApp ad says where the person came from: the ad is the campaign, and
  // Meta's referral (source, headline, ctwa_clid) is kept with the record as evidence.
  const fromAd: Partial<ConsentRecord> = m.referral
    ? { campaign: campaignOfReferral(m.referral), detail: { referral: m.referral } }
    : {};
  const record = (action: ConsentRecord['action'], extra: Partial<ConsentRecord>) =>
    evidence({ appId: app.id, phone, action, via: 'first_message', at: now, locale, ...fromAd, ...extra });
  const kw = matchKeyword(m.text);
  if (kw?.kind === 'stop') {
    if (user.optin === 'opted_out') return none;
    const text = say('waOptedOut');
    const changed = yield* change(app, user, record('opt_out', { wordingSha256: wordingHash(text) }), text, {
      type: 'opt_out',
      via: 'first_message',
      at: now,
    });
    if (canReply) yield* sendWhatsApp(app, phone, 'optout-confirmation', text, now);
    return { ...none, changed };
  }
  if (kw?.kind === 'start') {
    // "Yes" in an ordinary conversation with someone already verified changes nothing.
    if (user.optin === 'opted_in' && user.verified) return none;
    const prompt = yield* lastPrompt(app.id, phone);
    const text = say('waOptedIn');
    // The evidence is what they said yes to: the prompt's exact text when they were prompted.
    const rec = record('opt_in', {
      locale: prompt?.locale ?? locale,
      wordingSha256: prompt?.wordingSha256 ?? wordingHash(text),
      linkedId: prompt?.id ?? null,
      // The yes to a prompt keeps the ad the prompt answered, unless this message came from an ad itself.
      ...(m.referral || !prompt?.campaign ? {} : { campaign: prompt.campaign, detail: prompt.detail ?? null }),
    });
    const changed = yield* change(app, user, rec, prompt ? null : text, {
      type: 'opt_in',
      via: 'first_message',
      at: now,
      verified: true,
    });
    if (canReply) yield* sendWhatsApp(app, phone, 'optin-confirmation', text, now);
    return { ...none, changed };
  }
  if (kw?.kind === 'help') {
    if (canReply) yield* sendWhatsApp(app, phone, 'help', say('waHelp'), now);
    return none;
  }

  const auto = app.settings.autoOptinMessage;
  if (!canReply || !auto.enabled || user.optin !== 'none' || (yield* hasConsent(app.id, phone))) return none;
  // At most one prompt per (app, phone), ever: the primary key decides between racing messages.
  if (!(yield* claimPrompt(app.id, phone, now))) return none;
  const text = replyText(locale, 'prompt', app.displayName, auto.text[locale]);
  const rec = record('prompt_sent', { wordingSha256: wordingHash(text) });
  yield* recordChange({ app, record: rec, shown: shown(text), move: null, user });
  yield* sendWhatsApp(app, phone, 'optin-prompt', text, now, `msg_${rec.id}`);
  return { ...none, prompted: true };
}

function* preferenceBody(app: App, p: PreferenceChange, phone: string, now: number): Body<WhatsAppOutcome> {
  const none: WhatsAppOutcome = { duplicate: false, changed: null, prompted: false, verified: null };
  if (!(yield* claimInbound(app.id, p.provider, p.id, phone, now))) return { ...none, duplicate: true };
  // Reports may arrive late or out of order: the time WhatsApp gives orders them (core/optin-state.ts).
  const at = p.sentAt !== null && p.sentAt > 0 ? Math.min(p.sentAt, now) : now;
  const user = yield* lockUser(app.id, phone, now);
  // Every report is evidence, even one that changes nothing (a repeated stop, a late older one).
  const record = evidence({
    appId: app.id,
    phone,
    action: p.value === 'stop' ? 'marketing_stop' : 'marketing_resume',
    via: 'first_message',
    at: now,
    actor: 'whatsapp',
    detail: { category: p.category, value: p.value, detail: p.detail, reportedAt: new Date(at).toISOString() },
  });
  const r = yield* recordChange({ app, record, shown: null, move: { type: 'marketing', value: p.value, at }, user });
  return { ...none, changed: r.changed };
}

/**
 * WhatsApp reported a person's marketing-message preference (`user_preferences`, or a
 * `user_preference_changed` system message): recorded as evidence, and the marketing purpose follows it.
 */
export async function handlePreference(
  deps: Pick<Deps, 'store' | 'clock'>,
  app: App,
  p: PreferenceChange,
): Promise<WhatsAppOutcome | null> {
  const phone = senderPhone(p.waId);
  if (!phone) return null;
  return deps.store.transact(preferenceBody, app, p, phone, deps.clock.now());
}

/** Handles one inbound WhatsApp message at an app's own number. */
export async function handleWhatsApp(
  deps: Pick<Deps, 'store' | 'clock'>,
  app: App,
  m: InboundMessage,
): Promise<WhatsAppOutcome | null> {
  const phone = senderPhone(m.from);
  if (!phone) return null;
  return deps.store.transact(whatsAppBody, app, m, phone, deps.clock.now());
}

export interface SmsInput {
  messageSid: string;
  from: string;
  body: string;
}

export interface SmsOutcome {
  duplicate: boolean;
  changed: Changed;
  /** The text to answer with in TwiML, or null for an empty `<Response/>`. */
  reply: string | null;
  locale: Locale;
}

function* smsBody(app: App, sms: SmsInput, phone: string, now: number): Body<SmsOutcome> {
  const locale = senderLocale(sms.body, phone);
  const replyId = `sms-reply:${app.id}:${sms.messageSid}`;
  if (!(yield* claimInbound(app.id, 'twilio', sms.messageSid, phone, now))) {
    // Twilio retried: answer as the first time, without changing anything.
    return { duplicate: true, changed: null, reply: (yield* messageById(replyId))?.text ?? null, locale };
  }
  // An SMS is not a WhatsApp message: it does not open the 24-hour window.
  const user = yield* recordActivity(app.id, phone, null, now);
  yield* addMessage({
    id: randomUUID(),
    appId: app.id,
    phone,
    direction: 'in',
    channel: 'sms',
    text: sms.body.slice(0, 1600),
    at: now,
  });
  const say = (key: keyof ReplyTexts) => replyText(locale, key, app.displayName);
  const record = (action: 'opt_in' | 'opt_out', text: string) =>
    evidence({ appId: app.id, phone, action, via: 'sms' as Via, at: now, locale, wordingSha256: wordingHash(text) });
  const kw = matchKeyword(sms.body);
  let changed: Changed = null;
  let reply: string | null;
  if (kw?.kind === 'stop') {
    // CTIA: every opt-out is acknowledged, even a repeated one.
    reply = say('smsOptedOut');
    if (user.optin !== 'opted_out')
      changed = yield* change(app, user, record('opt_out', reply), reply, { type: 'opt_out', via: 'sms', at: now });
  } else if (kw?.kind === 'help') {
    reply = say('smsHelp');
  } else if (user.optin === 'opted_in' && user.verified) {
    // Already opted in from this phone: confirm again only when asked (START), else stay quiet.
    reply = kw?.kind === 'start' ? say('smsOptedIn') : null;
  } else if (user.optin === 'opted_out' && kw?.kind !== 'start') {
    // CTIA: after STOP, only START, YES or UNSTOP opt back in. "ok thanks" is not consent.
    reply = null;
  } else {
    // Any other SMS opts its sender in: the phone itself sent it, so it is verified.
    reply = say('smsOptedIn');
    changed = yield* change(app, user, record('opt_in', reply), reply, {
      type: 'opt_in',
      via: 'sms',
      at: now,
      verified: true,
    });
  }
  if (reply !== null)
    yield* addMessage({ id: replyId, appId: app.id, phone, direction: 'out', channel: 'sms', text: reply, at: now });
  return { duplicate: false, changed, reply, locale };
}

/** Handles one inbound SMS (Twilio). Returns null when the sender is not a phone number. */
export async function handleSms(
  deps: Pick<Deps, 'store' | 'clock'>,
  app: App,
  sms: SmsInput,
): Promise<SmsOutcome | null> {
  const phone = senderPhone(sms.from);
  if (!phone) return null;
  return deps.store.transact(smsBody, app, sms, phone, deps.clock.now());
}

export type SandboxOutcome = { kind: 'started'; app: string; duplicate: boolean } | { kind: 'ignored'; reason: string };

function* sandboxBody(app: App, m: InboundMessage, phone: string, now: number): Body<boolean> {
  if (!(yield* claimInbound(app.id, 'sandbox', m.id, phone, now))) return true;
  const sentAt = m.sentAt !== null && m.sentAt > 0 ? Math.min(m.sentAt, now) : now;
  const user = yield* recordActivity(app.id, phone, sentAt, now);
  yield* addMessage({
    id: randomUUID(),
    appId: app.id,
    phone,
    direction: 'in',
    channel: 'whatsapp',
    text: m.text.slice(0, 4096),
    at: now,
  });
  yield* reportSandboxStart(app, `evt_${randomUUID()}`, user, now);
  return false;
}

/**
 * A message at the shared sandbox number. `PROXY <name>` (any case) finds the app, marks the tester
 * active with it and tells the app with a `sandbox-start` user-event.
 */
export async function handleSandbox(
  deps: Pick<Deps, 'store' | 'clock' | 'apps'>,
  m: InboundMessage,
): Promise<SandboxOutcome> {
  const name = parseProxyText(m.text);
  if (!name) return { kind: 'ignored', reason: 'not a PROXY message' };
  const app = await deps.apps.byName(name);
  if (!app) return { kind: 'ignored', reason: `no app named ${name}` };
  const phone = senderPhone(m.from);
  if (!phone) return { kind: 'ignored', reason: 'sender is not a phone number' };
  const duplicate = await deps.store.transact(sandboxBody, app, m, phone, deps.clock.now());
  return { kind: 'started', app: app.name, duplicate };
}
