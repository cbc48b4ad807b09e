import { randomUUID } from 'node:crypto';
import { matchKeyword, senderLocale } from '../../core/keywords.js';
import type { Locale } from '../../core/locale.js';
import { applyEvent, type OptinEvent, type Via } from '../../core/optin-state.js';
import { normalizePhone } from '../../core/phone.js';
import { replyText, type ReplyTexts } from '../../core/replies.js';
import { effectiveOptin } from '../../core/verified-optin.js';
import { findRef, parseProxyText } from '../../core/wa-link.js';
import { wordingHash } from '../../core/wording.js';
import type { Deps } from '../deps.js';
import type { InboundMessage } from '../routes/hooks-payloads.js';
import type { Body } from '../store/driver.js';
import {
  addMessage,
  appendConsent,
  claimInbound,
  claimPrompt,
  flagUser,
  hasConsent,
  lastPrompt,
  lockUser,
  messageById,
  saveUserState,
  verificationOf,
  webConsentByRef,
  type InboundUser,
  type LedgerRecord,
} from '../store/inbound.js';
import type { AppRecord } from '../store/index.js';
import { enqueueMessage, enqueueUserEvent, type UserEventType } from '../store/outbox.js';

/**
 * Opt-ins that arrive as messages: an SMS, a WhatsApp message that carries a consent reference, a
 * reply to the automated first-message prompt, and the sandbox's `PROXY <name>`. Each handler is one
 * transaction: the provider's message id is claimed first, so a delivery the provider repeats
 * changes nothing and sends nothing again.
 */
export type Changed = 'opted-in' | 'opted-out' | 'verified' | null;

export interface WhatsAppOutcome {
  duplicate: boolean;
  /** What the business was told (the user-event type), if anything changed. */
  changed: Changed;
  /** The automated opt-in prompt was enqueued. */
  prompted: boolean;
  /** The message verified the web consent with this id. */
  verified: string | null;
}

type App = Pick<AppRecord, 'id' | 'name' | 'displayName' | 'settings'>;

const shown = (text: string) => ({ sha256: wordingHash(text), text });

/** Turns a provider's sender into E.164 digits; a sender we cannot read is kept as given digits. */
export function senderPhone(raw: string): string | null {
  const r = normalizePhone(raw.startsWith('+') ? raw : `+${raw}`);
  if (r.ok) return r.phone;
  return /^\d{6,15}$/.test(raw) ? raw : null;
}

function* emit(app: App, consentId: string, type: UserEventType, data: { phone: string; via?: string; ref?: string; campaign?: string }, now: number): Body<void> {
  yield* enqueueUserEvent({ id: app.id, name: app.name, callbackUrl: app.settings.callbackUrl }, `evt_${consentId}`, type, data, now);
}

/**
 * Moves the user's state for one consent record and tells the business. With
 * `unverifiedCountsAsOptin` off, a web consent that becomes verified is the moment the person
 * becomes opted in, so the business hears `opted-in` rather than `verified`.
 */
function* move(app: App, user: InboundUser, ev: OptinEvent, record: LedgerRecord, now: number): Body<Changed> {
  const before = effectiveOptin(user, app.settings.unverifiedCountsAsOptin);
  const next = applyEvent(user, ev);
  let changed: Changed = next.changed;
  if (changed === 'verified' && before !== 'opted_in') changed = 'opted-in';
  if (next.state !== user) yield* saveUserState(app.id, user.phone, next.state, now);
  if (changed) yield* emit(app, record.id, changed, { phone: user.phone, via: record.via, ref: record.ref ?? undefined, campaign: record.campaign ?? undefined }, now);
  return changed;
}

function record(app: App, phone: string, action: LedgerRecord['action'], via: Via, now: number, extra: Partial<LedgerRecord> = {}): LedgerRecord {
  return { id: randomUUID(), appId: app.id, phone, action, via, wordingVersion: null, wordingSha256: null, locale: null, at: now, campaign: null, ref: null, linkedId: null, ...extra };
}

function* sendWhatsApp(app: App, phone: string, type: string, text: string, now: number, id = `msg_${randomUUID()}`): Body<void> {
  yield* enqueueMessage(app.id, id, type, { channel: 'whatsapp', to: phone, text }, now);
}

/**
 * A WhatsApp message carried `(ref XXXXXX)`: the sender's phone confirms that web consent. The sender
 * is the one opted in and verified, whatever number was typed; a different typed number is flagged.
 */
function* verifyByRef(app: App, user: InboundUser, consent: LedgerRecord, now: number): Body<{ changed: Changed; verified: string | null }> {
  const done = yield* verificationOf(app.id, consent.id);
  // A reference verifies once; a second message with it (or someone else's) is just a message.
  if (done) return { changed: null, verified: null };
  const rec = record(app, user.phone, 'verify', consent.via, now, {
    wordingVersion: consent.wordingVersion,
    wordingSha256: consent.wordingSha256,
    locale: consent.locale,
    campaign: consent.campaign,
    ref: consent.ref,
    linkedId: consent.id,
  });
  yield* appendConsent(rec, null);
  const ev: OptinEvent = user.optin === 'opted_in' ? { type: 'verify', at: now } : { type: 'opt_in', via: consent.via, at: now, verified: true };
  const changed = yield* move(app, user, ev, rec, now);
  if (consent.phone && consent.phone !== user.phone) yield* flagUser(app.id, consent.phone, now);
  return { changed, verified: consent.id };
}

function* whatsAppBody(app: App, m: InboundMessage, phone: string, now: number): Body<WhatsAppOutcome> {
  const none: WhatsAppOutcome = { duplicate: false, changed: null, prompted: false, verified: null };
  if (!(yield* claimInbound(app.id, m.provider, m.id, phone, now))) return { ...none, duplicate: true };
  // The window opens when the person sent the message; a provider retrying late must not stretch it.
  const sentAt = m.sentAt !== null && m.sentAt > 0 ? Math.min(m.sentAt, now) : now;
  const user = yield* lockUser(app.id, phone, sentAt, now);
  yield* addMessage({ id: randomUUID(), appId: app.id, phone, direction: 'in', channel: 'whatsapp', text: m.text.slice(0, 4096), at: now });

  const ref = findRef(m.text);
  const consent = ref ? yield* webConsentByRef(app.id, ref) : null;
  if (consent) return { ...none, ...(yield* verifyByRef(app, user, consent, now)) };

  const locale = senderLocale(m.text, phone);
  const say = (key: keyof ReplyTexts) => replyText(locale, key, app.displayName);
  const kw = matchKeyword(m.text);
  if (kw?.kind === 'stop') {
    if (user.optin === 'opted_out') return none;
    const text = say('waOptedOut');
    const rec = record(app, phone, 'opt_out', 'first_message', now, { locale, wordingSha256: wordingHash(text) });
    yield* appendConsent(rec, shown(text));
    const changed = yield* move(app, user, { type: 'opt_out', via: 'first_message', at: now }, rec, now);
    yield* sendWhatsApp(app, phone, 'optout-confirmation', text, now);
    return { ...none, changed };
  }
  if (kw?.kind === 'start') {
    // "Yes" in an ordinary conversation with someone already verified changes nothing.
    if (user.optin === 'opted_in' && user.verified) return none;
    const prompt = yield* lastPrompt(app.id, phone);
    const text = say('waOptedIn');
    // The evidence is what they said yes to: the prompt's exact text when they were prompted.
    const rec = record(app, phone, 'opt_in', 'first_message', now, {
      locale: prompt?.locale ?? locale,
      wordingSha256: prompt?.wordingSha256 ?? wordingHash(text),
      linkedId: prompt?.id ?? null,
    });
    yield* appendConsent(rec, prompt ? null : shown(text));
    const changed = yield* move(app, user, { type: 'opt_in', via: 'first_message', at: now, verified: true }, rec, now);
    yield* sendWhatsApp(app, phone, 'optin-confirmation', text, now);
    return { ...none, changed };
  }
  if (kw?.kind === 'help') {
    yield* sendWhatsApp(app, phone, 'help', say('waHelp'), now);
    return none;
  }

  const auto = app.settings.autoOptinMessage;
  if (!auto.enabled || user.optin !== 'none' || (yield* hasConsent(app.id, phone))) return none;
  // At most one prompt per (app, phone), ever: the primary key decides between racing messages.
  if (!(yield* claimPrompt(app.id, phone, now))) return none;
  const text = replyText(locale, 'prompt', app.displayName, auto.text[locale]);
  const rec = record(app, phone, 'prompt_sent', 'first_message', now, { locale, wordingSha256: wordingHash(text) });
  yield* appendConsent(rec, shown(text));
  yield* sendWhatsApp(app, phone, 'optin-prompt', text, now, `msg_${rec.id}`);
  return { ...none, prompted: true };
}

/** Handles one inbound WhatsApp message at an app's own number. */
export async function handleWhatsApp(deps: Pick<Deps, 'store' | 'clock'>, app: App, m: InboundMessage): Promise<WhatsAppOutcome | null> {
  const phone = senderPhone(m.from);
  if (!phone) return null;
  const now = deps.clock.now();
  return deps.store.driver.transact(() => whatsAppBody(app, m, phone, now));
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
  const user = yield* lockUser(app.id, phone, null, now);
  yield* addMessage({ id: randomUUID(), appId: app.id, phone, direction: 'in', channel: 'sms', text: sms.body.slice(0, 1600), at: now });
  const say = (key: keyof ReplyTexts) => replyText(locale, key, app.displayName);
  const kw = matchKeyword(sms.body);
  let changed: Changed = null;
  let reply: string | null;
  if (kw?.kind === 'stop') {
    // CTIA: every opt-out is acknowledged, even a repeated one.
    reply = say('smsOptedOut');
    if (user.optin !== 'opted_out') {
      const rec = record(app, phone, 'opt_out', 'sms', now, { locale, wordingSha256: wordingHash(reply) });
      yield* appendConsent(rec, shown(reply));
      changed = yield* move(app, user, { type: 'opt_out', via: 'sms', at: now }, rec, now);
    }
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
    const rec = record(app, phone, 'opt_in', 'sms', now, { locale, wordingSha256: wordingHash(reply) });
    yield* appendConsent(rec, shown(reply));
    changed = yield* move(app, user, { type: 'opt_in', via: 'sms', at: now, verified: true }, rec, now);
  }
  if (reply !== null) yield* addMessage({ id: replyId, appId: app.id, phone, direction: 'out', channel: 'sms', text: reply, at: now });
  return { duplicate: false, changed, reply, locale };
}

/** Handles one inbound SMS (Twilio). Returns null when the sender is not a phone number. */
export async function handleSms(deps: Pick<Deps, 'store' | 'clock'>, app: App, sms: SmsInput): Promise<SmsOutcome | null> {
  const phone = senderPhone(sms.from);
  if (!phone) return null;
  const now = deps.clock.now();
  return deps.store.driver.transact(() => smsBody(app, sms, phone, now));
}

export type SandboxOutcome = { kind: 'started'; app: string; duplicate: boolean } | { kind: 'ignored'; reason: string };

/**
 * A message at the shared sandbox number. `PROXY <name>` (any case) finds the app, marks the tester
 * active with it and tells the app with a `sandbox-start` user-event.
 */
export async function handleSandbox(deps: Pick<Deps, 'store' | 'clock'>, m: InboundMessage): Promise<SandboxOutcome> {
  const name = parseProxyText(m.text);
  if (!name) return { kind: 'ignored', reason: 'not a PROXY message' };
  const app = await deps.store.getApp(name);
  if (!app) return { kind: 'ignored', reason: `no app named ${name}` };
  const phone = senderPhone(m.from);
  if (!phone) return { kind: 'ignored', reason: 'sender is not a phone number' };
  const now = deps.clock.now();
  const sentAt = m.sentAt !== null && m.sentAt > 0 ? Math.min(m.sentAt, now) : now;
  const duplicate = await deps.store.driver.transact(function* () {
    if (!(yield* claimInbound(app.id, 'sandbox', m.id, phone, now))) return true;
    yield* lockUser(app.id, phone, sentAt, now);
    yield* addMessage({ id: randomUUID(), appId: app.id, phone, direction: 'in', channel: 'whatsapp', text: m.text.slice(0, 4096), at: now });
    yield* emit(app, randomUUID(), 'sandbox-start', { phone }, now);
    return false;
  });
  return { kind: 'started', app: app.name, duplicate };
}
