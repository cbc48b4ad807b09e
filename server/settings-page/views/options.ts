import { html } from 'hono/html';
import { LOCALES, type Locale } from '../../../core/locale.js';
import { fill } from '../../views/messages.js';
import type { SettingsForm } from '../forms.js';
import type { AppRecord, Wording } from '../../store/index.js';
import type { Html } from '../../views/layout.js';
import type { RefusedOrigin } from '../../refused-origins.js';
import { PHONE_COUNTRIES, callingCode } from '../../../core/countries.js';
import {
  checkField,
  csrfField,
  errorSummary,
  selectField,
  settingsLayout,
  textField,
  type SettingsCtx,
} from './layout.js';

export interface OptionsView {
  app: AppRecord;
  wordings: Record<Locale, Wording>;
  /** The form just saved (its section says so), or the form that came back with errors. */
  saved: SettingsForm | null;
  failed: SettingsForm | null;
  errors: Record<string, string>;
  values: Record<string, string>;
  /** Origins refused lately that the app does not allow (server/refused-origins.ts). */
  refused: RefusedOrigin[];
}

/** Every setting a marketer changes, one form per group; each saves at once and shows its errors beside the fields. */
export function optionsPage(ctx: SettingsCtx, v: OptionsView): Html {
  const { m } = ctx;
  const c = ctx.a.cls;
  const s = v.app.settings;
  const w = s.widget;
  const val = (form: SettingsForm, id: string, current: string) =>
    v.failed === form && v.values[id] !== undefined ? v.values[id]! : current;
  const checked = (form: SettingsForm, id: string, current: boolean) =>
    v.failed === form ? v.values[id] === 'on' : current;
  const err = (id: string) => v.errors[id];
  const lname = (l: Locale) => m[`lang_${l}`];

  const section = (
    form: SettingsForm,
    title: string,
    intro: string | null,
    fields: Html,
    wide = false,
  ) => html`<section class="${c.section}${wide ? ` ${c.sectionWide}` : ''}" aria-labelledby="${form}-title" id="form-${form}">
<h2 class="${c.h2}" id="${form}-title">${title}</h2>
${intro ? html`<p class="${c.muted}">${intro}</p>` : ''}
${v.saved === form ? html`<p class="${c.notice}" role="status" tabindex="-1" autofocus>${m.saved}</p>` : ''}
<form method="post" action="/settings/options/${form}" novalidate>
${csrfField(ctx)}
${fields}
<button class="${c.button}" type="submit">${m.save}</button>
</form>
</section>`;

  return settingsLayout(ctx, {
    title: m.settingsTitle,
    section: 'options',
    body: html`${errorSummary(ctx, v.errors)}
<div class="${c.grid}">
${section(
  'profile',
  m.profileTitle,
  null,
  html`${textField(ctx, { id: 'display-name', name: 'display_name', label: m.displayNameLabel, hint: m.displayNameHint, error: err('display-name'), value: val('profile', 'display-name', v.app.displayName), attrs: 'maxlength="60" autocomplete="organization"' })}
${textField(ctx, { id: 'privacy-url', name: 'privacy_url', label: m.privacyLabel, hint: m.privacyHint, error: err('privacy-url'), value: val('profile', 'privacy-url', s.privacyUrl ?? ''), type: 'url', attrs: 'maxlength="2000" spellcheck="false" autocomplete="url"' })}`,
)}
${section(
  'status',
  m.statusTitle,
  null,
  html`${textField(ctx, { id: 'phone', name: 'phone', label: m.phoneLabel, hint: m.phoneHint, error: err('phone'), value: val('status', 'phone', v.app.phone ? `+${v.app.phone}` : ''), type: 'tel', attrs: 'autocomplete="off" maxlength="32"' })}
${checkField(ctx, { id: 'live', name: 'live', label: m.liveLabel, checked: checked('status', 'live', v.app.live), error: err('live') })}`,
)}
${section(
  'message',
  m.messageTitle,
  m.messageIntro,
  html`${textField(ctx, { id: 'prefill', name: 'prefill', label: m.prefillLabel, hint: m.prefillHint, error: err('prefill'), value: val('message', 'prefill', s.prefill), multiline: true, attrs: 'maxlength="500"' })}
${checkField(ctx, { id: 'ref-enabled', name: 'ref_enabled', label: m.refLabel, checked: checked('message', 'ref-enabled', s.refEnabled) })}`,
)}
${section(
  'fields',
  m.fieldsTitle,
  null,
  html`${selectField(ctx, {
    id: 'phone-field',
    name: 'phone_field',
    label: m.phoneFieldLabel,
    error: err('phone-field'),
    value: val('fields', 'phone-field', s.phoneField),
    options: (['required', 'optional', 'none'] as const).map((p) => [p, m[`phoneField_${p}`]]),
  })}
${selectField(ctx, {
  id: 'default-country',
  name: 'default_country',
  label: m.countryLabel,
  hint: m.countryHint,
  error: err('default-country'),
  value: val('fields', 'default-country', s.defaultCountry ?? ''),
  options: [['', m.countryNone], ...countryOptions(ctx.lang)],
})}`,
)}
${section(
  'template',
  m.templateTitle,
  null,
  html`${checkField(ctx, {
    id: 'template-messaging',
    name: 'template_messaging',
    label: m.templateLabel,
    hint: m.templateHint,
    checked: checked('template', 'template-messaging', s.templateMessaging),
    error: err('template-messaging'),
  })}
${checkField(ctx, {
  id: 'unverified-counts',
  name: 'unverified_counts',
  label: m.unverifiedLabel,
  hint: m.unverifiedHint,
  checked: checked('template', 'unverified-counts', s.unverifiedCountsAsOptin),
})}`,
)}
${section(
  'wording',
  m.wordingTitle,
  m.wordingIntro,
  html`${LOCALES.map(
    (l) =>
      html`${textField(ctx, {
        id: `wording-${l}`,
        name: `wording_${l}`,
        label: fill(m.wordingLabel, { language: lname(l), version: String(v.wordings[l].version) }),
        hint: fill(m.wordingNext, { version: String(v.wordings[l].version + 1) }),
        error: err(`wording-${l}`),
        value: val('wording', `wording-${l}`, v.wordings[l].template),
        multiline: true,
        attrs: `maxlength="1000" lang="${l}"`,
      })}`,
  )}`,
  true,
)}
${section(
  'auto',
  m.autoTitle,
  m.autoIntro,
  html`${checkField(ctx, { id: 'auto-enabled', name: 'auto_enabled', label: m.autoEnabled, checked: checked('auto', 'auto-enabled', s.autoOptinMessage.enabled) })}
${LOCALES.map(
  (l) =>
    html`${textField(ctx, {
      id: `auto-${l}`,
      name: `auto_${l}`,
      label: fill(m.autoText, { language: lname(l) }),
      hint: m.autoHint,
      error: err(`auto-${l}`),
      value: val('auto', `auto-${l}`, s.autoOptinMessage.text[l] ?? ''),
      multiline: true,
      attrs: `maxlength="1000" lang="${l}"`,
    })}`,
)}`,
  true,
)}
${section(
  'theme',
  m.themeTitle,
  null,
  html`${textField(ctx, { id: 'theme-color', name: 'color', label: m.colorLabel, hint: m.colorHint, error: err('theme-color'), value: val('theme', 'theme-color', s.theme.color), type: 'color', attrs: 'data-preview-color' })}
<div class="${c.field}">
<label class="${c.label}" for="theme-position">${m.positionLabel}</label>
${err('theme-position') ? html`<span class="${c.error}" id="theme-position-error">${err('theme-position')}</span>` : ''}
<select class="${c.select}" id="theme-position" name="position" data-preview-position${err('theme-position') ? html` aria-describedby="theme-position-error" aria-invalid="true"` : ''}>
${(['right', 'left'] as const).map((p) => html`<option value="${p}"${val('theme', 'theme-position', s.theme.position) === p ? ' selected' : ''}>${m[p]}</option>`)}
</select>
</div>
<div class="${c.preview}" id="theme-preview"><p class="${c.muted}">${m.previewInert}</p><whatsapp-optin app="${v.app.name}" lang="${ctx.lang}" position="${s.theme.position}" preview floating></whatsapp-optin><noscript><p>${m.previewNoJs}</p></noscript></div>`,
)}
${section(
  'widget',
  m.widgetSettingsTitle,
  m.widgetSettingsIntro,
  html`${LOCALES.map((l) =>
    textField(ctx, {
      id: `greeting-${l}`,
      name: `greeting_${l}`,
      label: fill(m.greetingText, { language: lname(l) }),
      hint: m.greetingHint,
      error: err(`greeting-${l}`),
      value: val('widget', `greeting-${l}`, w.greeting.text[l] ?? ''),
      attrs: `maxlength="200" lang="${l}"`,
    }),
  )}
${textField(ctx, { id: 'greeting-delay', name: 'greeting_delay', label: m.greetingDelay, hint: m.greetingTimingHint, error: err('greeting-delay'), value: val('widget', 'greeting-delay', w.greeting.delaySeconds === null ? '' : String(w.greeting.delaySeconds)), attrs: 'inputmode="numeric" maxlength="3"' })}
${textField(ctx, { id: 'greeting-scroll', name: 'greeting_scroll', label: m.greetingScroll, hint: m.greetingTimingHint, error: err('greeting-scroll'), value: val('widget', 'greeting-scroll', w.greeting.scrollPercent === null ? '' : String(w.greeting.scrollPercent)), attrs: 'inputmode="numeric" maxlength="3"' })}
${checkField(ctx, { id: 'greeting-once', name: 'greeting_once', label: m.greetingOnce, checked: checked('widget', 'greeting-once', w.greeting.oncePerVisitor) })}
${LOCALES.map((l) =>
  textField(ctx, {
    id: `button-label-${l}`,
    name: `button_label_${l}`,
    label: fill(m.buttonLabelText, { language: lname(l) }),
    hint: m.buttonLabelHint,
    error: err(`button-label-${l}`),
    value: val('widget', `button-label-${l}`, w.buttonLabel[l] ?? ''),
    attrs: `maxlength="40" lang="${l}"`,
  }),
)}
${selectField(ctx, { id: 'devices', name: 'devices', label: m.devicesLabel, error: err('devices'), value: val('widget', 'devices', w.devices), options: (['both', 'phones', 'desktops'] as const).map((d) => [d, m[`devices_${d}`]]) })}
${textField(ctx, { id: 'hide-paths', name: 'hide_paths', label: m.hidePathsLabel, hint: m.hidePathsHint, error: err('hide-paths'), value: val('widget', 'hide-paths', w.hidePaths.join('\n')), multiline: true, attrs: 'spellcheck="false" autocomplete="off"' })}
${textField(ctx, { id: 'offset-x', name: 'offset_x', label: m.offsetX, hint: m.offsetHint, error: err('offset-x'), value: val('widget', 'offset-x', String(w.offset.x)), attrs: 'inputmode="numeric" maxlength="3"' })}
${textField(ctx, { id: 'offset-y', name: 'offset_y', label: m.offsetY, hint: m.offsetHint, error: err('offset-y'), value: val('widget', 'offset-y', String(w.offset.y)), attrs: 'inputmode="numeric" maxlength="3"' })}
${checkField(ctx, { id: 'triggers', name: 'triggers', label: m.triggersLabel, checked: checked('widget', 'triggers', w.triggers) })}
${checkField(ctx, { id: 'intercept-wa', name: 'intercept_wa', label: m.interceptLabel, checked: checked('widget', 'intercept-wa', w.interceptWaLinks) })}
<fieldset class="${c.fieldset}"><legend class="${c.label}">${m.analyticsLegend}</legend>
${checkField(ctx, { id: 'ga4', name: 'ga4', label: m.ga4Label, checked: checked('widget', 'ga4', w.analytics.ga4) })}
${checkField(ctx, { id: 'gtm', name: 'gtm', label: m.gtmLabel, checked: checked('widget', 'gtm', w.analytics.gtm) })}
${checkField(ctx, { id: 'meta-pixel', name: 'meta_pixel', label: m.metaPixelLabel, checked: checked('widget', 'meta-pixel', w.analytics.metaPixel) })}
</fieldset>`,
  true,
)}
${section(
  'origins',
  m.originsTitle,
  null,
  html`${textField(ctx, {
    id: 'origins',
    name: 'origins',
    label: m.originsLabel,
    hint: m.originsHint,
    error: err('origins'),
    value: val('origins', 'origins', s.allowedOrigins.join('\n')),
    multiline: true,
    attrs: 'spellcheck="false" autocomplete="off"',
  })}
<input type="hidden" name="challenge_shown" value="1">
${checkField(ctx, {
  id: 'challenge',
  name: 'challenge',
  label: m.challengeLabel,
  hint: m.challengeHint,
  checked: checked('origins', 'challenge', s.challenge === 'proof-of-work'),
})}`,
)}
${
  v.refused.length
    ? html`<section class="${c.section}" aria-labelledby="refused-title" id="refused">
<h2 class="${c.h2}" id="refused-title">${m.refusedTitle}</h2>
<p class="${c.muted}">${m.refusedIntro}</p>
<ul class="${c.refusedList}">
${v.refused.map(
  (
    r,
  ) => html`<li><form method="post" action="/settings/origins/allow">${csrfField(ctx)}<input type="hidden" name="origin" value="${r.origin}">
<code class="${c.mono}">${r.origin}</code> <span class="${c.muted}">${fill(m.refusedSeen, { count: String(r.count), time: new Date(r.lastAt).toISOString().slice(0, 16).replace('T', ' ') })}</span>
<button class="${c.buttonSecondary}" type="submit" aria-label="${fill(m.allowOriginFor, { origin: r.origin })}">${m.allowOrigin}</button></form></li>`,
)}
</ul>
</section>`
    : ''
}
${section(
  'callback',
  m.callbackTitle,
  null,
  html`${textField(ctx, {
    id: 'callback-url',
    name: 'callback_url',
    label: m.callbackLabel,
    hint: m.callbackHint,
    error: err('callback-url'),
    value: val('callback', 'callback-url', s.callbackUrl ?? ''),
    type: 'url',
    attrs: 'spellcheck="false" autocomplete="off" maxlength="2000"',
  })}
${selectField(ctx, {
  id: 'payload-format',
  name: 'payload_format',
  label: m.payloadLabel,
  error: err('payload-format'),
  value: val('callback', 'payload-format', s.payloadFormat),
  options: (['standard', 'gupshup'] as const).map((p) => [p, m[`payload_${p}`]]),
})}`,
)}
<section class="${c.section}" aria-labelledby="refresh-title">
<h2 class="${c.h2}" id="refresh-title">${m.refreshAccess}</h2>
<p class="${c.muted}" id="refresh-hint">${m.refreshHint}</p>
<form method="post" action="/settings/refresh">${csrfField(ctx)}<button class="${c.buttonDanger}" type="submit" aria-describedby="refresh-hint">${m.refreshAccess}</button></form>
</section>
</div>
<script src="/widget.js" async></script>`,
  });
}

const countryCache = new Map<Locale, [string, string][]>();

/** Every country libphonenumber reads, named in the page's language and sorted by that name. */
function countryOptions(lang: Locale): [string, string][] {
  let list = countryCache.get(lang);
  if (!list) {
    const names = new Intl.DisplayNames([lang], { type: 'region' });
    const collator = new Intl.Collator(lang);
    list = PHONE_COUNTRIES.map((code): [string, string] => [
      code,
      `${names.of(code) ?? code} (+${callingCode(code)})`,
    ]).sort((a, b) => collator.compare(a[1], b[1]));
    countryCache.set(lang, list);
  }
  return list;
}
