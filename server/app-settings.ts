import { z } from '@hono/zod-openapi';
import { getCountries } from 'libphonenumber-js/max';
import { LOCALES, type Locale } from '../core/locale.js';
import { normalizeOrigin } from '../core/origin.js';
import { describeTextProblem, shownTextProblem } from '../core/text.js';

/**
 * Text people see, lines allowed: no NUL, lone surrogate, other control or bidi override (core/text.ts).
 * Checked on what a change sets, never on what is read back: an app saved before a rule existed
 * must stay readable.
 */
const goodShownText = (v: string, ctx: z.RefinementCtx) => {
  const p = shownTextProblem(v);
  if (p) ctx.addIssue({ code: 'custom', message: describeTextProblem(p) });
};

/*
 * What the OpenAPI document says a value must look like. Some checks need code (a URL parser, a
 * phone number's metadata, the wording rules of core/wording.ts), so the schema carries a pattern
 * that is at least as strict, and a description: any value the document accepts, the server accepts
 * (the property fuzz in test/openapi-fuzz.test.ts checks it with generated bodies).
 */

/** A host name a browser and a URL parser agree on: letter-led labels, a letters-only top-level label. */
const HOST = '(?:[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}';
/** An origin as `new URL(v).origin` gives it back: lower case, no default port, no path; a host name with a dot or an IPv4 address. */
export const ORIGIN_PATTERN =
  '^https?://(?:(?:[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?|(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?$';
/** An http(s) URL with a host name (no IP literal, no credentials). */
export const URL_PATTERN = `^https?://${HOST}(?::[1-9][0-9]{0,3})?(?:[/?#][\\x21-\\x7e]*)?$`;
/** What a person can type as a number; the number must also be real (libphonenumber's metadata). */
export const PHONE_PATTERN = '^\\+?[0-9][0-9 ().-]{4,30}$';
export const PHONE_DOC = {
  pattern: PHONE_PATTERN,
  format: 'phone',
  description:
    'A real phone number with its country code (E.164, with or without +; spaces, dots, dashes and brackets are ignored). It must exist by libphonenumber’s metadata: any digits are not enough, and a number that does not exist gets 422 invalid_phone.',
  example: '+14155550123',
};
/** Text a person sees: at least one visible character, no control or bidi-override characters. */
const NO_CONTROL = '\\u0000-\\u001F\\u007F-\\u009F\\u200E\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069';
export const VISIBLE_TEXT_PATTERN = `^[^${NO_CONTROL}]*[^${NO_CONTROL}\\s][^${NO_CONTROL}]*$`;
/** Free text that may hold line breaks and tabs, but no other control or bidi-override character. */
const NO_CONTROL_BUT_BREAKS =
  '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u200E\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069';
export const TEXT_PATTERN = `^[^${NO_CONTROL_BUT_BREAKS}]*$`;
/** The same, with at least one visible character. */
export const VISIBLE_MESSAGE_PATTERN = `^[^${NO_CONTROL_BUT_BREAKS}]*[^${NO_CONTROL_BUT_BREAKS}\\s][^${NO_CONTROL_BUT_BREAKS}]*$`;
/**
 * The wording rules of core/wording.ts (checkWording): names the business and says WhatsApp; and the
 * text rules of core/text.ts (shownTextProblem): no control or bidi character but line breaks.
 */
const W = `[^${NO_CONTROL_BUT_BREAKS}]`;
export const WORDING_PATTERN = `^${W}*(?:\\{business\\}${W}*[Ww][Hh][Aa][Tt][Ss][Aa][Pp][Pp]|[Ww][Hh][Aa][Tt][Ss][Aa][Pp][Pp]${W}*\\{business\\})${W}*$`;
/** The countries libphonenumber knows: a number typed without a country code is read in one of them. */
export const COUNTRIES = getCountries() as [string, ...string[]];

/**
 * A string of at most `max` characters, counted as a person and JSON Schema's `maxLength` count them
 * (code points: an emoji is one), not as UTF-16 units.
 */
export const chars = (max: number) =>
  z
    .string()
    .refine((s) => [...s].length <= max, `must be at most ${max} characters`)
    .openapi({ maxLength: max });

/** A credential: printable ASCII, as every provider issues them. */
const token = (min: number, max: number) => z.string().min(min).max(max).openapi({ pattern: '^[\\x21-\\x7E]+$' });

/**
 * An allowed origin as people type it (`shop.example.com`, `https://shop.example.com/`,
 * `127.0.0.1:31201`, with a path…), kept as the origin a browser sends: scheme, host and a port
 * other than the default, nothing else (core/origin.ts).
 */
export const OriginSchema = z
  .string()
  .max(500)
  .transform((v, ctx) => {
    const origin = normalizeOrigin(v);
    if (origin === null) {
      ctx.addIssue({ code: 'custom', message: 'must be a web address such as https://shop.example.com' });
      return z.NEVER;
    }
    return origin;
  });

export const HttpsUrlSchema = z
  .string()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

const ThemeFields = {
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a hex colour such as #25D366'),
  position: z.enum(['right', 'left']),
};

export const ThemeSchema = z.object({
  color: ThemeFields.color.default('#25D366'),
  position: ThemeFields.position.default('right'),
});

/** Texts per locale; `input` adds what a text sent must be (a visible character, no control characters). */
const localeTexts = (max: number, input = false) =>
  z
    .object(
      Object.fromEntries(
        LOCALES.map((l) => [
          l,
          (input
            ? chars(max).trim().min(1).openapi({ pattern: VISIBLE_MESSAGE_PATTERN }).superRefine(goodShownText)
            : chars(max).trim().min(1)
          ).optional(),
        ]),
      ) as Record<Locale, z.ZodOptional<z.ZodString>>,
    )
    .strict();

/** Texts per locale where an empty string means "none in this language" (so a PATCH can clear one). */
const clearableTexts = (max: number) =>
  z
    .object(
      Object.fromEntries(LOCALES.map((l) => [l, chars(max).trim().optional()])) as Record<
        Locale,
        z.ZodOptional<z.ZodString>
      >,
    )
    .strict();

/**
 * A path pattern on which the widget hides: a path from `/`, where `*` matches any run of
 * characters (`/checkout*`, `/account/*`, `/*.pdf`). Matched against `location.pathname`, whole.
 */
export const PathPatternSchema = chars(200).regex(
  /^\/[^\s?#]*$/,
  'must be a path starting with / (use * as a wildcard), without ? or #',
);

/**
 * The widget's marketer settings (issue 13): each is also overridable by a `data-` attribute on the
 * script tag (docs/widget.md). Served to the widget by `GET /api/v1/apps/:app/public`.
 */
const WidgetFields = {
  /** A greeting or call-to-action bubble beside the floating button. No text: no bubble. */
  greeting: {
    /** The bubble's text per language; a language without text shows no bubble. */
    text: clearableTexts(200),
    /** Seconds after the page loads before the bubble appears; null: not on a delay. */
    delaySeconds: z.number().int().min(0).max(600).nullable(),
    /** Percent of the page scrolled before the bubble appears; null: not on scroll. */
    scrollPercent: z.number().int().min(1).max(100).nullable(),
    /** Once closed (or once the panel was opened), the bubble is not shown to that visitor again. */
    oncePerVisitor: z.boolean(),
  },
  /** Elements with class `optin-open` or attribute `data-optin-open` open the consent panel. */
  triggers: z.boolean(),
  /** Links on the page to the app's own `wa.me` / `api.whatsapp.com` number open the consent panel first. */
  interceptWaLinks: z.boolean(),
  /** Which devices see the floating button: `both`, `phones` or `desktops`. */
  devices: z.enum(['both', 'phones', 'desktops']),
  /** Paths on which the floating button and bubble are not shown. */
  hidePaths: z.array(PathPatternSchema).max(50),
  /** The floating button's visible label per language; none: a round icon button. */
  buttonLabel: clearableTexts(40),
  /** The floating button's distance in px from the side edge (`x`) and the bottom edge (`y`). */
  offset: { x: z.number().int().min(0).max(400), y: z.number().int().min(0).max(400) },
  /** Analytics events the widget sends to the host page's own tags: all off by default. */
  analytics: { ga4: z.boolean(), gtm: z.boolean(), metaPixel: z.boolean() },
};

export const WidgetSettingsSchema = z.object({
  greeting: z
    .object({
      text: WidgetFields.greeting.text.default({}),
      delaySeconds: WidgetFields.greeting.delaySeconds.default(null),
      scrollPercent: WidgetFields.greeting.scrollPercent.default(null),
      oncePerVisitor: WidgetFields.greeting.oncePerVisitor.default(true),
    })
    .default({ text: {}, delaySeconds: null, scrollPercent: null, oncePerVisitor: true }),
  triggers: WidgetFields.triggers.default(true),
  interceptWaLinks: WidgetFields.interceptWaLinks.default(true),
  devices: WidgetFields.devices.default('both'),
  hidePaths: WidgetFields.hidePaths.default([]),
  buttonLabel: WidgetFields.buttonLabel.default({}),
  offset: z
    .object({ x: WidgetFields.offset.x.default(20), y: WidgetFields.offset.y.default(20) })
    .default({ x: 20, y: 20 }),
  analytics: z
    .object({
      ga4: WidgetFields.analytics.ga4.default(false),
      gtm: WidgetFields.analytics.gtm.default(false),
      metaPixel: WidgetFields.analytics.metaPixel.default(false),
    })
    .default({ ga4: false, gtm: false, metaPixel: false }),
});
export type WidgetSettings = z.infer<typeof WidgetSettingsSchema>;

/** A change of the widget settings: every field optional, nested groups merged key by key. */
export const WidgetSettingsPatchSchema = z
  .object({
    greeting: z.object(WidgetFields.greeting).partial().strict(),
    triggers: WidgetFields.triggers,
    interceptWaLinks: WidgetFields.interceptWaLinks,
    devices: WidgetFields.devices,
    hidePaths: WidgetFields.hidePaths,
    buttonLabel: WidgetFields.buttonLabel,
    offset: z.object(WidgetFields.offset).partial().strict(),
    analytics: z.object(WidgetFields.analytics).partial().strict(),
  })
  .partial()
  .strict();
export type WidgetSettingsPatch = z.infer<typeof WidgetSettingsPatchSchema>;

/**
 * Every app setting that is not a column of its own, without defaults: the shape of a change.
 * Only what a request names is changed (zod would otherwise fill defaults into a partial object).
 */
const settingFields = {
  prefill: chars(500),
  refEnabled: z.boolean(),
  phoneField: z.enum(['required', 'optional', 'none']),
  privacyUrl: HttpsUrlSchema.nullable(),
  // Typed twice (`https://a.example` and `a.example/`), an origin is kept once.
  allowedOrigins: z
    .array(OriginSchema)
    .max(50)
    .transform((list) => [...new Set(list)]),
  templateMessaging: z.boolean(),
  unverifiedCountsAsOptin: z.boolean(),
  challenge: z.enum(['off', 'proof-of-work']).openapi({
    description:
      'Ask the browser for a proof of work (ALTCHA-style, no third party) before a page or widget consent is recorded.',
  }),
  callbackUrl: HttpsUrlSchema.nullable(),
  payloadFormat: z.enum(['standard', 'gupshup']),
  /** ISO 3166 country used to read numbers typed without a country code. */
  defaultCountry: z.enum(COUNTRIES).nullable().openapi({
    description: 'ISO 3166 country (one libphonenumber knows) in which numbers typed without a country code are read.',
  }),
};

/**
 * What the document asks of the values a request sends (the answers describe what is stored, which
 * older versions, the Settings page or an operator allowing private callbacks may have let in).
 */
const settingInputs = {
  prefill: settingFields.prefill.openapi({
    pattern: TEXT_PATTERN,
    description:
      'The message the person sends on WhatsApp; the consent reference is appended. Well-formed Unicode, no control or bidi-override characters but line breaks.',
  }),
  privacyUrl: HttpsUrlSchema.openapi({
    format: 'uri',
    pattern: URL_PATTERN,
    example: 'https://shop.example.com/privacy',
  }).nullable(),
  allowedOrigins: z
    .array(
      OriginSchema.openapi({
        pattern: ORIGIN_PATTERN,
        description:
          'An origin as a browser sends it: scheme, lower-case host and port, no path, no trailing slash. The server also takes what people type and keeps its origin: no scheme (`shop.example.com`; `https:` is assumed, `http:` for loopback and private addresses such as `127.0.0.1:31201`), a path or a trailing slash.',
        example: 'https://shop.example.com',
      }),
    )
    .max(50)
    .transform((list) => [...new Set(list)]),
  callbackUrl: HttpsUrlSchema.openapi({
    format: 'uri',
    pattern: URL_PATTERN,
    not: { pattern: '^https?://(?:[^/?#]*\\.)?localhost\\.?(?:[:/?#]|$)' },
    example: 'https://shop.example.com/optin-events',
  } as never)
    .nullable()
    .openapi({
      description:
        'Where user-events are POSTed. A public http(s) address: a literal private or loopback IP and localhost are refused (422 invalid_callback_url) unless the operator allows private callbacks, and a name that resolves to one is refused at delivery.',
    }),
};

export const AppSettingsPatchSchema = z
  .object({
    ...settingFields,
    ...settingInputs,
    prefill: settingInputs.prefill.superRefine(goodShownText),
    theme: z.object(ThemeFields).partial().strict(),
    autoOptinMessage: z
      .object({ enabled: z.boolean(), text: localeTexts(1000, true) })
      .partial()
      .strict(),
    widget: WidgetSettingsPatchSchema,
  })
  .partial();
export type AppSettingsPatch = z.infer<typeof AppSettingsPatchSchema>;

/** Every app setting, with the defaults a new app gets. */
export const AppSettingsSchema = z.object({
  prefill: settingFields.prefill.default(''),
  refEnabled: settingFields.refEnabled.default(true),
  phoneField: settingFields.phoneField.default('required'),
  privacyUrl: settingFields.privacyUrl.default(null),
  theme: ThemeSchema.default({ color: '#25D366', position: 'right' }),
  allowedOrigins: settingFields.allowedOrigins.default([]),
  autoOptinMessage: z
    .object({ enabled: z.boolean().default(true), text: localeTexts(1000).default({}) })
    .default({ enabled: true, text: {} }),
  templateMessaging: settingFields.templateMessaging.default(false),
  unverifiedCountsAsOptin: settingFields.unverifiedCountsAsOptin.default(true),
  challenge: settingFields.challenge.default('off'),
  callbackUrl: settingFields.callbackUrl.default(null),
  payloadFormat: settingFields.payloadFormat.default('standard'),
  defaultCountry: settingFields.defaultCountry.default(null),
  widget: WidgetSettingsSchema.default(WidgetSettingsSchema.parse({})),
});
export type AppSettings = z.infer<typeof AppSettingsSchema>;

export function defaultSettings(): AppSettings {
  return AppSettingsSchema.parse({});
}

/**
 * Credentials an app must be able to read (not hash) because it signs or verifies with them; stored
 * encrypted under the operator's key (store/secret-box.ts). Set through the
 * API, never shown again: responses only say which are set.
 */
export const AppSecretsSchema = z.object({
  /** Signs user-events (Standard Webhooks). Generated when the app is created. */
  webhookSecret: token(24, 200).optional(),
  /** The secret before the last rotation, still used to sign (as a second signature) until `until`. */
  previousWebhookSecret: z.object({ secret: z.string(), until: z.number() }).optional(),
  /** Which service sends the app's outbound WhatsApp messages. `log` stores and prints them. */
  sender: z.enum(['log', 'meta', 'gupshup']).default('log'),
  /** Twilio: the auth token that signs inbound SMS webhooks. */
  twilioAuthToken: token(8, 200).optional(),
  /** Meta Cloud API: app secret (X-Hub-Signature-256), verify token (GET handshake), access token and phone number id (sending). */
  metaAppSecret: token(8, 200).optional(),
  metaVerifyToken: token(8, 200).optional(),
  metaAccessToken: token(8, 1000).optional(),
  metaPhoneNumberId: z
    .string()
    .regex(/^\d{5,20}$/)
    .optional(),
  /** Gupshup: the token its inbound webhook carries, and the API key and source number for sending. */
  gupshupToken: token(8, 200).optional(),
  gupshupApiKey: token(8, 200).optional(),
  gupshupSource: z
    .string()
    .regex(/^\d{6,15}$/)
    .optional(),
});
export type AppSecrets = z.infer<typeof AppSecretsSchema>;

/** What `PATCH /api/v1/apps/:app` may set in `secrets`: `null` clears one. The webhook secret only rotates. */
export const AppSecretsPatchSchema = AppSecretsSchema.omit({ webhookSecret: true, previousWebhookSecret: true })
  .extend({
    twilioAuthToken: AppSecretsSchema.shape.twilioAuthToken.unwrap().nullable(),
    metaAppSecret: AppSecretsSchema.shape.metaAppSecret.unwrap().nullable(),
    metaVerifyToken: AppSecretsSchema.shape.metaVerifyToken.unwrap().nullable(),
    metaAccessToken: AppSecretsSchema.shape.metaAccessToken.unwrap().nullable(),
    metaPhoneNumberId: AppSecretsSchema.shape.metaPhoneNumberId.unwrap().nullable(),
    gupshupToken: AppSecretsSchema.shape.gupshupToken.unwrap().nullable(),
    gupshupApiKey: AppSecretsSchema.shape.gupshupApiKey.unwrap().nullable(),
    gupshupSource: AppSecretsSchema.shape.gupshupSource.unwrap().nullable(),
    sender: z.enum(['log', 'meta', 'gupshup']),
  })
  .partial()
  .strict();
export type AppSecretsPatch = z.infer<typeof AppSecretsPatchSchema>;
