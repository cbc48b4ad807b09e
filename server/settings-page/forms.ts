import { LOCALES, type Locale } from '../../core/locale.js';
import { fill } from '../views/messages.js';
import { normalizeTyped } from '../../core/phone.js';
import type { SettingsMessages } from './messages.js';
import { checkWording } from '../../core/wording.js';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { callbackUrlProblem, urlProblem } from '../delivery/safe-http.js';
import { HttpsUrlSchema, PathPatternSchema } from '../app-settings.js';
import { isPhoneCountry } from '../../core/countries.js';
import { normalizeOrigin } from '../../core/origin.js';
import type { AppRecord, Wording } from '../store/index.js';
import { updateApp, type UpdateAppInput } from '../services/apps.js';

/** The forms of the Settings screens; each saves one group of settings at once. */
export const SETTINGS_FORMS = [
  'profile',
  'status',
  'message',
  'fields',
  'auto',
  'wording',
  'theme',
  'widget',
  'origins',
  'callback',
  'template',
  'verify',
] as const;
export type SettingsForm = (typeof SETTINGS_FORMS)[number];

export const isSettingsForm = (v: string): v is SettingsForm => (SETTINGS_FORMS as readonly string[]).includes(v);

/** Field errors keyed by the field's id, and what was typed, to show the form again as it was sent. */
export interface FormOutcome {
  ok: boolean;
  errors: Record<string, string>;
  values: Record<string, string>;
  app: AppRecord;
}

const on = (f: URLSearchParams, name: string) => f.get(name) === 'on';
const text = (f: URLSearchParams, name: string) => (f.get(name) ?? '').replace(/\r\n/g, '\n');

/**
 * Reads one form into a change of the app, checking each field so that its error can be shown beside
 * it. Pure: it neither reads the clock nor the store. A callback URL on a private, loopback or local
 * host is refused (delivery would refuse it) unless `allowPrivateCallbacks`.
 */
export function readSettingsForm(
  form: SettingsForm,
  f: URLSearchParams,
  app: AppRecord,
  wordings: Record<Locale, Wording>,
  m: SettingsMessages,
  o: { allowPrivateCallbacks?: boolean } = {},
): { input: UpdateAppInput | null; errors: Record<string, string>; values: Record<string, string> } {
  const errors: Record<string, string> = {};
  const values: Record<string, string> = {};
  let input: UpdateAppInput = {};
  switch (form) {
    case 'profile': {
      const name = text(f, 'display_name').trim();
      const privacy = text(f, 'privacy_url').trim();
      values['display-name'] = name.slice(0, 200);
      values['privacy-url'] = privacy.slice(0, 2000);
      if (name.length < 1 || name.length > 60) errors['display-name'] = m.errDisplayName;
      if (privacy && !HttpsUrlSchema.safeParse(privacy).success) errors['privacy-url'] = m.errPrivacy;
      input = { displayName: name, settings: { privacyUrl: privacy || null } };
      break;
    }
    case 'message': {
      const prefill = text(f, 'prefill').trim();
      values.prefill = prefill.slice(0, 1000);
      values['ref-enabled'] = on(f, 'ref_enabled') ? 'on' : '';
      if (prefill.length > 500) errors.prefill = m.errPrefill;
      // Empty means the default greeting, as for a new app.
      input = { settings: { prefill: prefill || `Hi ${app.displayName}!`, refEnabled: on(f, 'ref_enabled') } };
      break;
    }
    case 'fields': {
      const field = text(f, 'phone_field');
      const country = text(f, 'default_country').trim().toUpperCase();
      values['phone-field'] = field;
      values['default-country'] = country;
      if (field !== 'required' && field !== 'optional' && field !== 'none') errors['phone-field'] = m.errPhoneField;
      if (country && !isPhoneCountry(country)) errors['default-country'] = m.errCountry;
      input = {
        settings: {
          phoneField: field === 'optional' || field === 'none' ? field : 'required',
          defaultCountry: country || null,
        },
      };
      break;
    }
    case 'status': {
      const raw = text(f, 'phone').trim().slice(0, 64);
      values.phone = raw;
      values.live = on(f, 'live') ? 'on' : '';
      let phone: string | null = null;
      if (raw) {
        const r = normalizeTyped(raw, app.settings.defaultCountry);
        if (r.ok) phone = r.phone;
        else errors.phone = m.errPhone;
      }
      if (on(f, 'live') && !raw) errors.live = m.errLiveNeedsPhone;
      input = { phone, live: on(f, 'live') };
      break;
    }
    case 'auto': {
      const t: Partial<Record<Locale, string | undefined>> = {};
      for (const l of LOCALES) {
        const v = text(f, `auto_${l}`).trim();
        values[`auto-${l}`] = v;
        if (v.length > 1000) errors[`auto-${l}`] = m.errAutoText;
        // Empty means "the default text": the stored one is removed.
        t[l] = v === '' ? undefined : v;
      }
      values['auto-enabled'] = on(f, 'auto_enabled') ? 'on' : '';
      input = { settings: { autoOptinMessage: { enabled: on(f, 'auto_enabled'), text: t as Record<Locale, string> } } };
      break;
    }
    case 'wording': {
      const w: Partial<Record<Locale, string>> = {};
      for (const l of LOCALES) {
        const v = text(f, `wording_${l}`).trim();
        values[`wording-${l}`] = v;
        // Only a real change makes a new version.
        if (v === wordings[l].template.trim()) continue;
        if (checkWording(v, l)) errors[`wording-${l}`] = m.errWording;
        w[l] = v;
      }
      input = { wording: w };
      break;
    }
    case 'theme': {
      const color = text(f, 'color').trim();
      const position = text(f, 'position');
      values['theme-color'] = color;
      values['theme-position'] = position;
      if (!/^#[0-9a-fA-F]{6}$/.test(color)) errors['theme-color'] = m.errColor;
      if (position !== 'left' && position !== 'right') errors['theme-position'] = m.errPosition;
      input = { settings: { theme: { color, position: position === 'left' ? 'left' : 'right' } } };
      break;
    }
    case 'widget': {
      // A whole number in [min, max], or null when left empty (only where `nullable`).
      const int = (name: string, id: string, min: number, max: number, error: string, nullable: boolean) => {
        const raw = text(f, name).trim();
        values[id] = raw.slice(0, 20);
        if (raw === '' && nullable) return null;
        const n = Number(raw);
        if (raw === '' || !Number.isInteger(n) || n < min || n > max) {
          errors[id] = error;
          return null;
        }
        return n;
      };
      const texts = (prefix: string, max: number, error: string) => {
        const out: Partial<Record<Locale, string>> = {};
        for (const l of LOCALES) {
          const v = text(f, `${prefix}_${l}`).trim();
          values[`${prefix.replace('_', '-')}-${l}`] = v.slice(0, 1000);
          if ([...v].length > max) errors[`${prefix.replace('_', '-')}-${l}`] = error;
          out[l] = v; // empty: none in that language
        }
        return out;
      };
      const greeting = texts('greeting', 200, m.errGreeting);
      const label = texts('button_label', 40, m.errButtonLabel);
      const delay = int('greeting_delay', 'greeting-delay', 0, 600, m.errSeconds, true);
      const scroll = int('greeting_scroll', 'greeting-scroll', 1, 100, m.errPercent, true);
      const x = int('offset_x', 'offset-x', 0, 400, m.errOffset, false);
      const y = int('offset_y', 'offset-y', 0, 400, m.errOffset, false);
      const devices = text(f, 'devices');
      values.devices = devices;
      if (devices !== 'both' && devices !== 'phones' && devices !== 'desktops') errors.devices = m.errDevices;
      const rawPaths = text(f, 'hide_paths');
      values['hide-paths'] = rawPaths.slice(0, 12_000);
      const paths = [
        ...new Set(
          rawPaths
            .split('\n')
            .map((p) => p.trim())
            .filter(Boolean),
        ),
      ];
      const badPath = paths.find((p) => !PathPatternSchema.safeParse(p).success);
      if (badPath !== undefined) errors['hide-paths'] = fill(m.errPath, { value: badPath.slice(0, 80) });
      else if (paths.length > 50) errors['hide-paths'] = fill(m.errPath, { value: paths[50]!.slice(0, 80) });
      for (const [k, name] of [
        ['greeting-once', 'greeting_once'],
        ['triggers', 'triggers'],
        ['intercept-wa', 'intercept_wa'],
        ['ga4', 'ga4'],
        ['gtm', 'gtm'],
        ['meta-pixel', 'meta_pixel'],
      ] as const)
        values[k] = on(f, name) ? 'on' : '';
      input = {
        settings: {
          widget: {
            greeting: {
              text: greeting,
              delaySeconds: delay,
              scrollPercent: scroll,
              oncePerVisitor: on(f, 'greeting_once'),
            },
            triggers: on(f, 'triggers'),
            interceptWaLinks: on(f, 'intercept_wa'),
            devices: devices === 'phones' || devices === 'desktops' ? devices : 'both',
            hidePaths: paths,
            buttonLabel: label,
            offset: { x: x ?? 20, y: y ?? 20 },
            analytics: { ga4: on(f, 'ga4'), gtm: on(f, 'gtm'), metaPixel: on(f, 'meta_pixel') },
          },
        },
      };
      break;
    }
    case 'origins': {
      const raw = text(f, 'origins');
      values.origins = raw;
      const list = [
        ...new Set(
          raw
            .split('\n')
            .map((v) => v.trim())
            .filter(Boolean),
        ),
      ];
      // Typed as people type them (no scheme, a path, a trailing slash): kept as origins.
      const bad = list.find((o) => normalizeOrigin(o) === null);
      if (bad !== undefined) errors.origins = fill(m.errOrigin, { value: bad.slice(0, 80) });
      else if (list.length > 50) errors.origins = m.errOrigins;
      // An unticked checkbox sends nothing, as does a form without it: a Settings tab opened before
      // the switch was added. Only a form with the marker beside the checkbox changes the switch;
      // without it, saving the origins leaves proof-of-work as it is.
      const shown = f.has('challenge_shown');
      const challenge = shown ? on(f, 'challenge') : app.settings.challenge === 'proof-of-work';
      values.challenge = challenge ? 'on' : '';
      input = {
        settings: {
          allowedOrigins: [...new Set(list.map((o) => normalizeOrigin(o) ?? o))],
          ...(shown ? { challenge: challenge ? 'proof-of-work' : 'off' } : {}),
        },
      };
      break;
    }
    case 'callback': {
      const raw = text(f, 'callback_url').trim();
      const format = text(f, 'payload_format');
      values['callback-url'] = raw;
      values['payload-format'] = format;
      if (format !== '' && format !== 'standard' && format !== 'gupshup') errors['payload-format'] = m.errPayloadFormat;
      if (raw && !HttpsUrlSchema.safeParse(raw).success) errors['callback-url'] = m.errCallback;
      else if (raw && !o.allowPrivateCallbacks && callbackUrlProblem(raw))
        errors['callback-url'] = urlProblem(raw) ? m.errCallback : m.errCallbackPrivate;
      // A form without the field (an older page) leaves the format as it is.
      input = {
        settings: {
          callbackUrl: raw || null,
          ...(format ? { payloadFormat: format === 'gupshup' ? 'gupshup' : 'standard' } : {}),
        },
      };
      break;
    }
    case 'template': {
      values['template-messaging'] = on(f, 'template_messaging') ? 'on' : '';
      values['unverified-counts'] = on(f, 'unverified_counts') ? 'on' : '';
      input = {
        settings: {
          templateMessaging: on(f, 'template_messaging'),
          unverifiedCountsAsOptin: on(f, 'unverified_counts'),
        },
      };
      break;
    }
    case 'verify': {
      const raw = text(f, 'verify_token').trim();
      // A secret is never shown back, not even after an error.
      if (raw.length < 8 || raw.length > 200) errors['verify-token'] = m.errVerify;
      input = { secrets: { metaVerifyToken: raw } };
      break;
    }
  }
  return { input: Object.keys(errors).length ? null : input, errors, values };
}

/** Which field an error of updateApp/mergeUpdate belongs to. */
function fieldOf(form: SettingsForm, e: ApiError, m: SettingsMessages): [string, string] {
  if (e.code === 'invalid_phone') return ['phone', m.errPhone];
  if (e.code === 'phone_required') return ['live', m.errLiveNeedsPhone];
  if (e.code === 'invalid_display_name') return ['display-name', m.errDisplayName];
  if (e.code === 'invalid_wording') {
    const l = /^wording\.(en|es|pt)/.exec(e.message)?.[1] ?? 'en';
    return [`wording-${l}`, m.errWording];
  }
  const first: Record<SettingsForm, [string, string]> = {
    profile: ['privacy-url', m.errPrivacy],
    message: ['prefill', m.errPrefill],
    fields: ['default-country', m.errCountry],
    status: ['phone', m.errPhone],
    auto: ['auto-en', m.errAutoText],
    wording: ['wording-en', m.errWording],
    theme: ['theme-color', m.errColor],
    widget: ['greeting-en', m.errGreeting],
    origins: ['origins', fill(m.errOrigin, { value: '' })],
    callback: ['callback-url', m.errCallback],
    template: ['template-messaging', e.message],
    verify: ['verify-token', m.errVerify],
  };
  return first[form];
}

/**
 * Checks and saves one form through updateApp (which validates and merges again inside the store's
 * transaction). A refusal comes back as an error beside the field, never as an exception.
 */
export async function saveSettingsForm(
  deps: Deps,
  app: AppRecord,
  form: SettingsForm,
  f: URLSearchParams,
  m: SettingsMessages,
): Promise<FormOutcome> {
  const wordings = await deps.apps.wordings(app.id);
  const r = readSettingsForm(form, f, app, wordings, m, { allowPrivateCallbacks: deps.config.allowPrivateCallbacks });
  if (!r.input) return { ok: false, errors: r.errors, values: r.values, app };
  try {
    const changed = await updateApp(deps.store, app, r.input, deps.clock.now());
    return { ok: true, errors: {}, values: {}, app: changed };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const [id, msg] = fieldOf(form, e, m);
    return { ok: false, errors: { [id]: msg }, values: r.values, app };
  }
}
