import { Hono, type Context } from 'hono';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { CAMPAIGN_PATTERN } from '../../core/app-name.js';
import { isLocale, negotiateLocale, regionOf, type Locale } from '../../core/locale.js';
import { fill, MESSAGES } from '../views/messages.js';
import { formHasNul } from '../../core/text.js';
import { renderWording } from '../../core/wording.js';
import type { Deps } from '../deps.js';
import { ApiError, logFailure, STORE_RETRY_AFTER_S } from '../errors.js';
import { BadText, StoreUnavailable } from '../store/driver.js';
import { acceptsGzip, clientIp, mediaType, MAX_FORM_BYTES, readText } from '../http.js';
import { checkPhone, recordWebConsent, redirectFor, shownWording } from '../services/consent.js';
import type { AppRecord } from '../store/index.js';
import { consentPage, messagePage } from '../views/consent-page.js';
import { knownCountry } from '../views/countries.js';
import { CHALLENGE_SCRIPT_HASH } from '../views/challenge-script.js';
import { pageCsp } from '../views/layout.js';

/**
 * `widget`: the widget sent the person here because it could not take the consent itself (its site
 * is not an allowed origin, or its panel could not load); `page` is the page they came from.
 */
const PageSchema = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^\s]+$/i)
  .optional()
  .catch(undefined);

const QuerySchema = z.object({
  via: z.enum(['qr', 'url', 'widget']).default('url'),
  page: PageSchema,
  c: z.string().regex(CAMPAIGN_PATTERN).optional(),
  lang: z.string().refine(isLocale).optional(),
});

const FormSchema = z.object({
  consent: z.string().optional(),
  // Long or odd input is the phone check's to refuse, with the page and the input kept.
  phone: z.string().max(2000).optional(),
  via: z.enum(['qr', 'url', 'widget']).default('url'),
  page: PageSchema,
  c: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(z.string().regex(CAMPAIGN_PATTERN).optional()),
  lang: z.string().refine(isLocale).optional(),
  // The country picked for a number typed without its country code; an unknown one is no pick.
  country: z
    .string()
    .optional()
    .transform((v) => knownCountry(v)),
  wv: z.coerce.number().int().positive().optional().catch(undefined),
  website: z.string().optional(),
  altcha: z.string().max(2000).optional(),
});

/** `GET /o/:app` and `POST /o/:app`: the hosted consent page of the QR and URL mechanisms. */
export function consentPageRoutes(deps: Deps): Hono {
  const r = new Hono();
  const { assets } = deps;

  const csp = pageCsp(assets);
  // An app that asks for a proof of work gets its page's one script, allowed by hash.
  const cspWithChallenge = pageCsp(assets, CHALLENGE_SCRIPT_HASH);
  const cspFor = (app: AppRecord | null) => (app?.settings.challenge === 'proof-of-work' ? cspWithChallenge : csp);
  const send = (
    c: Context,
    status: 200 | 400 | 404 | 413 | 415 | 422 | 429 | 500 | 503,
    page: ReturnType<typeof consentPage>,
    app: AppRecord | null = null,
  ) => {
    c.header('Content-Security-Policy', cspFor(app));
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
    c.header('Cache-Control', 'no-store');
    return c.html(page, status);
  };

  const message = (
    c: Context,
    status: 400 | 404 | 413 | 415 | 429 | 500 | 503,
    lang: Locale,
    kind: 'notFound' | 'badRequest' | 'tooMany' | 'unavailable' | 'serverError',
  ) => {
    const m = MESSAGES[lang];
    return send(c, status, messagePage(assets, { lang, title: m[`${kind}Title`], body: m[`${kind}Body`] }));
  };

  const langOf = (c: Context, explicit?: string): Locale => negotiateLocale(explicit, c.req.header('accept-language'));

  const render = async (
    c: Context,
    status: 200 | 422 | 429 | 503,
    app: AppRecord,
    p: {
      lang: Locale;
      via: 'qr' | 'url' | 'widget';
      page: string | null;
      campaign: string | null;
      phone: string;
      checked?: boolean;
      country?: { selected: string | null };
      errors: { consent?: string; phone?: string; country?: string; continue?: string };
      wv: number | null;
    },
  ) => {
    const w = await shownWording(deps, app, p.lang, p.wv);
    return send(
      c,
      status,
      consentPage(assets, {
        app,
        lang: p.lang,
        wording: { version: w.version, text: renderWording(w.template, app.displayName) },
        via: p.via,
        page: p.page,
        campaign: p.campaign,
        phone: p.phone,
        checked: p.checked,
        country: p.country,
        errors: p.errors,
      }),
      app,
    );
  };

  // A blank page depends only on the app's version and the query: render it once, serve it many times
  // (a poster's QR code brings the same request again and again). Bounded, so odd campaigns cannot grow it.
  const blank = new Map<string, { raw: Uint8Array; gzip: Uint8Array }>();

  r.get('/o/:app', async (c) => {
    const q = QuerySchema.safeParse(c.req.query());
    const lang = langOf(c, q.success ? q.data.lang : undefined);
    const name = c.req.param('app');
    // The hot path of every scan: answered from memory without awaiting when the caches can.
    const app = deps.apps.cached(name) ?? (await deps.apps.byName(name));
    if (!app) return message(c, 404, lang, 'notFound');
    if (!q.success) return message(c, 400, lang, 'badRequest');
    deps.funnel.add(app.id, deps.clock.now(), q.data.via, q.data.c ?? null, 'view');
    const current = deps.apps.cachedWordings(app.id) ?? (await deps.apps.wordings(app.id));
    const w = current[lang] ?? current.en;
    const key = `${app.id}|${app.updatedAt}|${lang}|${w.version}|${q.data.via}|${q.data.c ?? ''}|${q.data.page ?? ''}`;
    let page = blank.get(key);
    if (page === undefined) {
      const html = String(
        await consentPage(assets, {
          app,
          lang,
          wording: { version: w.version, text: renderWording(w.template, app.displayName) },
          via: q.data.via,
          page: q.data.page ?? null,
          campaign: q.data.c ?? null,
          phone: '',
          errors: {},
        }),
      );
      // Encoded and compressed once: a slow phone gets about 2 KB.
      const raw = Buffer.from(html, 'utf8');
      page = { raw: new Uint8Array(raw), gzip: new Uint8Array(gzipSync(raw, { level: 9 })) };
      if (blank.size >= 2000) blank.delete(blank.keys().next().value!);
      blank.set(key, page);
    }
    c.header('Content-Security-Policy', cspFor(app));
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
    c.header('Cache-Control', 'no-store');
    c.header('Content-Language', lang);
    c.header('Vary', 'Accept-Language, Accept-Encoding');
    c.header('Content-Type', 'text/html; charset=UTF-8');
    if (acceptsGzip(c)) {
      c.header('Content-Encoding', 'gzip');
      return c.body(page.gzip as never, 200);
    }
    return c.body(page.raw as never, 200);
  });

  r.post('/o/:app', async (c) => {
    const lang0 = langOf(c);
    const name = c.req.param('app');
    const app = deps.apps.cached(name) ?? (await deps.apps.byName(name));
    if (!app) return message(c, 404, lang0, 'notFound');
    if (mediaType(c) !== 'application/x-www-form-urlencoded') return message(c, 415, lang0, 'badRequest');
    const text = await readText(c, MAX_FORM_BYTES);
    if (text === null) return message(c, 413, lang0, 'badRequest');
    const ip = clientIp(c, deps.config.trustProxy);
    const busy = await deps.consentLimits.address(ip);
    // URLSearchParams is about 4x cheaper than parseBody()/formData() on Node 20: a Hono form POST
    // measured ~15k req/s parsed this way against ~4.2k req/s through formData().
    const fields = new URLSearchParams(text);
    const f = FormSchema.safeParse(Object.fromEntries(fields));
    // NUL is no part of a phone, a campaign or a language, and PostgreSQL refuses it. (A form cannot
    // carry a lone surrogate: URLSearchParams decodes bytes as UTF-8, replacing what is malformed.)
    if (!f.success || formHasNul(text)) {
      const lang = langOf(c, fields.get('lang') ?? undefined);
      if (busy) c.header('Retry-After', String(busy.wait));
      return busy ? message(c, 429, lang, 'tooMany') : message(c, 400, lang, 'badRequest');
    }
    const form = f.data;
    const lang = langOf(c, form.lang);
    const m = MESSAGES[lang];
    const campaign = form.c ?? null;
    const wv = form.wv ?? null;
    const kept = {
      lang,
      via: form.via,
      page: form.page ?? null,
      campaign,
      phone: (form.phone ?? '').slice(0, 32),
      wv,
      country: form.country ? { selected: form.country } : undefined,
    };
    // Refused for now: the page comes back in the person's language with what they typed and
    // ticked, saying how long to wait.
    const tooMany = (wait: number) => {
      c.header('Retry-After', String(wait));
      return render(c, 429, app, {
        ...kept,
        checked: form.consent === 'yes',
        errors: { continue: fill(m.errTooMany, { seconds: String(wait) }) },
      });
    };
    if (busy) return tooMany(busy.wait);

    const phone = checkPhone(app, form.phone, form.country);
    const errors: { consent?: string; phone?: string; country?: string } = {};
    if (!phone.ok) {
      if (phone.error === 'country_required') errors.country = m.errCountry;
      else errors.phone = phone.error === 'phone_required' ? m.errPhoneRequired : m.errPhone;
    }
    if (form.consent !== 'yes') errors.consent = fill(m.errConsent, {});
    // A number typed without its country code is never given one silently: the person picks it (the
    // app's defaultCountry or the browser's region preselected), and what they typed stays.
    const country =
      form.country || errors.country
        ? { selected: form.country ?? app.settings.defaultCountry ?? regionOf(c.req.header('accept-language')) }
        : undefined;
    // What was ticked stays ticked: the person corrects the number only.
    if (!phone.ok || errors.consent)
      return render(c, 422, app, { ...kept, checked: form.consent === 'yes', country, errors });
    if (!form.website && app.settings.challenge === 'proof-of-work') {
      // No solution at all: JavaScript is off (or Web Crypto missing); say what the check needs.
      const solved = await deps.challenges.redeem(form.altcha);
      if (!solved.ok) {
        const why = form.altcha ? m.errChallenge : fill(m.challengeNoScript, { business: app.displayName });
        return render(c, 422, app, { ...kept, checked: true, errors: { continue: why } });
      }
    }
    if (!form.website) {
      const limited = await deps.consentLimits.consent(app.id, phone.phone);
      if (limited) return tooMany(limited.wait);
    }
    let redirectUrl: string;
    try {
      ({ redirectUrl } = await (form.website
        ? // A filled honeypot is a bot: send it on its way and record nothing.
          Promise.resolve({ redirectUrl: redirectFor(app, null, deps.config.sandboxNumber) })
        : recordWebConsent(deps, app, phone.phone, {
            phone: phone.phone,
            via: form.via,
            campaign,
            locale: lang,
            wordingVersion: wv,
            ip,
            userAgent: c.req.header('user-agent') ?? null,
            page: form.page ?? c.req.header('referer') ?? null,
          })));
    } catch (e) {
      if (!(e instanceof StoreUnavailable)) throw e;
      // Not recorded (or not confirmed): say so in the person's language, keep what they typed and
      // ticked, and let them try again. No redirect: they did not reach WhatsApp.
      logFailure(e, c);
      c.header('Retry-After', String(STORE_RETRY_AFTER_S));
      const why = e.maybeCommitted ? m.errUnconfirmed : m.errUnavailable;
      return render(c, 503, app, { ...kept, checked: true, country, errors: { continue: why } });
    }
    c.header('Cache-Control', 'no-store');
    return c.redirect(redirectUrl, 303);
  });

  // People get pages, never JSON: an outage is a 503 page that says to try again, a bug a 500 page
  // that does not pretend nothing was lost.
  r.onError((err, c) => {
    const lang = langOf(c);
    // Refused text the store caught, or a body that never arrived in full: the request's fault.
    if (err instanceof BadText || (err instanceof ApiError && err.status === 400))
      return message(c, 400, lang, 'badRequest');
    logFailure(err, c);
    if (err instanceof StoreUnavailable) {
      c.header('Retry-After', String(STORE_RETRY_AFTER_S));
      return message(c, 503, lang, 'unavailable');
    }
    return message(c, 500, lang, 'serverError');
  });

  return r;
}
