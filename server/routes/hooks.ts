import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { log } from '../log.js';
import { ApiError, findApp } from '../errors.js';
import { StoreUnavailable } from '../store/driver.js';
import { mediaType, readBytes } from '../http.js';
import { handlePreference, handleSandbox, handleSms, handleWhatsApp } from '../inbound/handlers.js';
import { parseGupshup, parseMeta, payloadShape, type ParsedPayload } from '../inbound/payloads.js';
import { safeEqual, verifyMeta, verifyToken, verifyTwilio } from '../inbound/signatures.js';
import { inLanes } from '../inbound/lanes.js';
import { handleProviderOptout } from '../inbound/provider-optout.js';
import { twiml } from '../inbound/twiml.js';

/** An SMS webhook is a small form. */
export const MAX_HOOK_BYTES = 256 * 1024;

/** "Webhooks payloads can be up to 3MB" (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks). */
export const MAX_WHATSAPP_HOOK_BYTES = 3 * 1024 * 1024;

/** How many senders of one batch are handled at once (below the PostgreSQL pool's 10 connections). */
const HOOK_LANES = 8;

/** Reads the raw body bytes (signatures are over bytes), refusing more than `max` even when Content-Length lies. */
async function readRaw(c: Context, max: number): Promise<Buffer> {
  const raw = await readBytes(c, max);
  if (!raw) throw new ApiError(413, 'payload_too_large', `The body may be at most ${max / 1024} KB.`);
  return raw;
}

function needType(c: Context, type: string): void {
  if (mediaType(c) !== type) throw new ApiError(415, 'unsupported_media_type', `Send ${type}.`);
}

const forged = () =>
  new ApiError(403, 'invalid_signature', 'The request is not signed by the provider with this app’s credentials.');

/**
 * The URL the provider called, as it signed it: PUBLIC_URL (so it holds behind a proxy) plus the path
 * and query exactly as received. A bare trailing `?` is kept (`URL.search` would drop it), and so are
 * characters `new URL()` would percent-encode, when the raw request line is at hand.
 */
function publicRequestUrl(deps: Deps, c: Context): string {
  const incoming = (c.env as { incoming?: { url?: string } } | undefined)?.incoming;
  const u = new URL(c.req.url);
  const target = incoming?.url?.startsWith('/') ? incoming.url : c.req.url.slice(u.origin.length);
  return deps.config.publicUrl + target;
}

/**
 * A Message SID: `SM` (or `MM` for MMS) and 32 hex digits, as Twilio's API definition gives it. A
 * looser pattern would let a captured request be re-split: Twilio signs names and values joined with
 * no separator, so `MessageSid=SM…` followed by `NumMedia=0` signs the same as
 * `MessageSid=SM…NumMedia0`.
 */
const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;

const TwilioForm = z
  .object({
    MessageSid: z.string().regex(MESSAGE_SID),
    SmsSid: z.string().optional(),
    SmsMessageSid: z.string().optional(),
    From: z.string().min(1).max(64),
    Body: z.string().max(1600).default(''),
  })
  .refine((f) => [f.SmsSid, f.SmsMessageSid].every((s) => s === undefined || s === f.MessageSid));

/** Twilio never repeats a parameter name in an SMS webhook; a repeated one is a tampered request. */
function repeatedName(params: URLSearchParams): string | null {
  const seen = new Set<string>();
  for (const k of params.keys()) {
    if (seen.has(k)) return k;
    seen.add(k);
  }
  return null;
}

/**
 * NUL is valid JSON and form text but PostgreSQL text refuses it, and a lone surrogate (valid JSON)
 * cannot be encoded: a signed provider payload is cleaned rather than refused, so that a STOP in it is
 * never lost to a retry loop.
 */
const noNul = (v: string) => v.replaceAll('\u0000', '').toWellFormed();

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'), (_k, v: unknown) => (typeof v === 'string' ? noNul(v) : v));
  } catch {
    throw new ApiError(400, 'malformed_json', 'The body is not valid JSON.');
  }
}

function parseWhatsApp(body: unknown): ParsedPayload {
  const shape = payloadShape(body);
  if (shape === 'meta') return parseMeta(body);
  if (shape === 'gupshup') return parseGupshup(body);
  return { kind: 'ignored', reason: 'unknown payload' };
}

function logIgnored(where: string, reason: string): void {
  // Providers retry anything but a 200, so an unknown payload is answered 200 and noted here.
  if (!/status updates|message-event|no messages/.test(reason)) log.warn(`hooks: ${where}: ignored`, reason);
}

/**
 * Provider webhooks. `POST /hooks/:app/sms` (Twilio), `GET`/`POST /hooks/:app/whatsapp` (Meta Cloud
 * API and Gupshup v2), `POST /hooks/sandbox/whatsapp` (the shared sandbox number). Each request is
 * authenticated before anything is read from it; a forged one gets 403 and changes nothing.
 */
export function hookRoutes(deps: Deps): Hono {
  const r = new Hono();

  // Registered before `/hooks/:app/whatsapp`, so the path `sandbox` always means the sandbox number.
  r.post('/hooks/sandbox/whatsapp', async (c) => {
    const token = deps.config.sandboxWebhookToken;
    if (!token)
      throw new ApiError(
        403,
        'sandbox_hook_disabled',
        'Set SANDBOX_WEBHOOK_TOKEN to receive the sandbox number’s messages.',
      );
    needType(c, 'application/json');
    const raw = await readRaw(c, MAX_WHATSAPP_HOOK_BYTES);
    const sig = c.req.header('x-hub-signature-256');
    const ok =
      sig !== undefined
        ? verifyMeta(token, raw, sig)
        : verifyToken(token, c.req.header('authorization'), c.req.query('token'));
    if (!ok) throw forged();
    const parsed = parseWhatsApp(parseJson(raw));
    if (parsed.kind !== 'messages') {
      logIgnored('sandbox', parsed.kind === 'ignored' ? parsed.reason : 'a provider opt-out at the sandbox number');
      return c.json({ ok: true, started: 0, ignored: 1 });
    }
    let started = 0;
    let ignored = parsed.ignored;
    for (const m of parsed.messages) {
      const out = await handleSandbox(deps, m);
      if (out.kind === 'started' && !out.duplicate) started++;
      if (out.kind === 'ignored') ignored++;
    }
    return c.json({ ok: true, started, ignored });
  });

  r.get('/hooks/:app/whatsapp', async (c) => {
    const app = await findApp(deps, c.req.param('app'));
    const expected = app.secrets.metaVerifyToken;
    const mode = c.req.query('hub.mode');
    const given = c.req.query('hub.verify_token') ?? '';
    const challenge = c.req.query('hub.challenge') ?? '';
    if (mode !== 'subscribe' || !expected || !safeEqual(expected, given) || challenge.length > 512) {
      throw new ApiError(403, 'verification_failed', 'The verify token does not match this app’s.');
    }
    c.header('Cache-Control', 'no-store');
    return c.text(challenge, 200);
  });

  r.post('/hooks/:app/whatsapp', async (c) => {
    const app = await findApp(deps, c.req.param('app'));
    needType(c, 'application/json');
    const raw = await readRaw(c, MAX_WHATSAPP_HOOK_BYTES);
    const sig = c.req.header('x-hub-signature-256');
    // Meta signs the body; Gupshup carries the app's shared token.
    const ok =
      sig !== undefined
        ? verifyMeta(app.secrets.metaAppSecret, raw, sig)
        : verifyToken(app.secrets.gupshupToken, c.req.header('authorization'), c.req.query('token'));
    if (!ok) throw forged();
    const parsed = parseWhatsApp(parseJson(raw));
    if (parsed.kind === 'optout') {
      const out = await handleProviderOptout(deps, app, parsed.optout);
      const [handled, duplicates, ignored] = !out ? [0, 0, 1] : out.duplicate ? [0, 1, 0] : [1, 0, 0];
      return c.json({ ok: true, handled, duplicates, ignored, malformed: 0, problems: [] });
    }
    const malformed = parsed.malformed ?? 0;
    const problems = parsed.problems ?? [];
    // What cannot be read now never will be (a retry brings the same bytes): it is answered, counted,
    // named and logged, while everything readable beside it is recorded.
    if (malformed) log.warn(`hooks: ${app.name}: ${malformed} unreadable part(s)`, problems.join('; '));
    if (parsed.kind === 'ignored') {
      logIgnored(app.name, parsed.reason);
      return c.json({ ok: true, handled: 0, duplicates: 0, ignored: malformed ? 0 : 1, malformed, problems });
    }
    let handled = 0;
    let duplicates = 0;
    let ignored = parsed.ignored;
    let failure: unknown = null;
    // Each message is its own transaction, each sender's in order, several senders at once. One that
    // fails does not stop the rest; the answer is then an error so the provider retries, and the
    // retry finds the others already recorded (duplicates).
    // Messages and WhatsApp's reports about people (marketing preferences) alike, each person's in order.
    const items = [
      ...parsed.messages.map((m) => ({ who: m.from, run: () => handleWhatsApp(deps, app, m) })),
      ...parsed.preferences.map((p) => ({ who: p.waId, run: () => handlePreference(deps, app, p) })),
    ];
    await inLanes(
      items,
      (i) => i.who,
      HOOK_LANES,
      async (i) => {
        try {
          const out = await i.run();
          if (!out || out.ignored) ignored++;
          else if (out.duplicate) duplicates++;
          else handled++;
          return 'next';
        } catch (e) {
          failure ??= e;
          // The store is down: the rest would fail the same way, so stop and answer 503 now.
          if (e instanceof StoreUnavailable) return 'stop';
          log.error(`hooks: ${app.name}: a message failed`, e);
          return 'next';
        }
      },
    );
    if (failure) throw failure;
    return c.json({ ok: true, handled, duplicates, ignored, malformed, problems });
  });

  r.post('/hooks/:app/sms', async (c) => {
    const app = await findApp(deps, c.req.param('app'));
    needType(c, 'application/x-www-form-urlencoded');
    const raw = await readRaw(c, MAX_HOOK_BYTES);
    const params = new URLSearchParams(raw.toString('utf8'));
    if (
      !verifyTwilio(app.secrets.twilioAuthToken, publicRequestUrl(deps, c), params, c.req.header('x-twilio-signature'))
    )
      throw forged();
    const repeated = repeatedName(params);
    if (repeated)
      throw new ApiError(400, 'malformed_request', `The parameter ${repeated.slice(0, 40)} appears more than once.`);
    // The signature covers what was sent; what is stored is cleaned.
    const f = TwilioForm.safeParse(Object.fromEntries([...params].map(([k, v]) => [k, noNul(v)])));
    if (!f.success)
      throw new ApiError(
        400,
        'malformed_request',
        'An inbound SMS needs From, Body and a MessageSid of SM or MM and 32 hex digits (SmsSid and SmsMessageSid, when sent, equal to it).',
      );
    const out = await handleSms(deps, app, { messageSid: f.data.MessageSid, from: f.data.From, body: f.data.Body });
    c.header('Content-Type', 'text/xml; charset=utf-8');
    c.header('Cache-Control', 'no-store');
    return c.body(twiml(out?.reply ?? null), 200);
  });

  return r;
}
