import { html } from 'hono/html';
import type { Locale } from '../../core/locale.js';
import { fill, MESSAGES } from './messages.js';
import { proxyText } from '../../core/wa-link.js';
import type { Assets } from '../assets.js';
import type { AppRecord } from '../store/index.js';
import { countryOptions } from './countries.js';
import { CHALLENGE_SCRIPT } from './challenge-script.js';
import { layout, waLogo, type Html } from './layout.js';

export interface ConsentView {
  app: AppRecord;
  lang: Locale;
  wording: { version: number; text: string };
  via: 'qr' | 'url' | 'widget';
  /** The page a widget sent the person from (via `widget`), recorded with the consent. */
  page?: string | null;
  campaign: string | null;
  /** What the person typed, kept when the page comes back with errors. */
  phone: string;
  /** Whether the box was ticked, kept when the page comes back. */
  checked?: boolean;
  /**
   * The country picker, shown when a number came without its country code (or one was picked
   * already): `selected` is the picked country, else the app's defaultCountry or the browser's region.
   */
  country?: { selected: string | null };
  /** `continue`: the consent could not be recorded at all (the summary links to the button). */
  errors: { consent?: string; phone?: string; country?: string; continue?: string };
}

/**
 * The hosted consent page. It works without JavaScript; errors come back in a summary that takes
 * focus (autofocus) and link to their fields, and each field is described by its own error.
 */
export function consentPage(a: Assets, v: ConsentView): Html {
  const m = MESSAGES[v.lang];
  const c = a.cls;
  const business = v.app.displayName;
  const field = v.app.settings.phoneField;
  const pow = v.app.settings.challenge === 'proof-of-work';
  const errs = Object.entries(v.errors).filter(([, e]) => e) as [string, string][];
  // A live app's prefilled message carries the consent's reference: it verifies only once it is sent.
  const sendNote = v.app.live && v.app.phone !== null && v.app.settings.refEnabled;
  const body = html`
<p class="${c.brand}">${waLogo(c.logo)} WhatsApp</p>
<h1 class="${c.title}">${named(m.heading, business)}</h1>
${
  errs.length
    ? html`<div class="${c.summary}" role="alert" tabindex="-1" autofocus aria-labelledby="error-summary-title">
<h2 class="${c.summaryTitle}" id="error-summary-title">${m.errorSummary}</h2>
<ul class="${c.summaryList}">${errs.map(([k, e]) => html`<li><a href="#${k}">${e}</a></li>`)}</ul>
</div>`
    : html`<p class="${c.muted}">${m.intro}</p>`
}
${pow ? html`<noscript><p class="${c.note}">${named(m.challengeNoScript, business)}</p></noscript>` : ''}
<form method="post" action="/o/${v.app.name}" novalidate${pow ? html` data-challenge="/api/v1/apps/${v.app.name}/challenge"` : ''}>
${pow ? html`<input type="hidden" name="altcha" value="">` : ''}
<input type="hidden" name="via" value="${v.via}">
${v.page ? html`<input type="hidden" name="page" value="${v.page}">` : ''}
${v.campaign ? html`<input type="hidden" name="c" value="${v.campaign}">` : ''}
<input type="hidden" name="lang" value="${v.lang}">
<input type="hidden" name="wv" value="${v.wording.version}">
<div class="${c.trap}" aria-hidden="true"><label>Website <input type="text" name="website" tabindex="-1" autocomplete="off"></label></div>
${
  field === 'none'
    ? ''
    : html`<div class="${c.field}">
<label class="${c.label}" for="phone">${m.phoneLabel}${field === 'optional' ? html` <span>${m.phoneOptional}</span>` : ''}</label>
<span class="${c.hint}" id="phone-hint">${m.phoneHint}</span>
${v.errors.phone ? html`<span class="${c.error}" id="phone-error">${v.errors.phone}</span>` : ''}
<input class="${c.input}" id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="32" value="${v.phone}"${field === 'required' ? html` required aria-required="true"` : ''} aria-describedby="phone-hint${v.errors.phone ? ' phone-error' : ''}"${v.errors.phone ? html` aria-invalid="true"` : ''}>
</div>${v.country ? countryField(v, c) : ''}`
}
<fieldset class="${c.fieldset}">
<legend class="${c.legend}">${m.consentLegend}</legend>
${v.errors.consent ? html`<span class="${c.error}" id="consent-error">${v.errors.consent}</span>` : ''}
<div class="${c.check}">
<input class="${c.checkbox}" type="checkbox" id="consent" name="consent" value="yes" required${v.checked ? html` checked` : ''}${v.errors.consent ? html` aria-invalid="true" aria-describedby="consent-error"` : ''}>
<label class="${c.checkLabel}" for="consent">${isolateName(v.wording.text, business)}</label>
</div>
</fieldset>
${sendNote ? html`<p class="${c.hint}" id="send-note">${m.sendNote}</p>` : ''}
<button class="${c.button}" type="submit" id="continue"${sendNote ? html` aria-describedby="send-note"` : ''}>${m.submit}</button>
${pow ? html`<p class="${c.muted}" id="challenge-status" role="status" hidden>${m.challengeWorking}</p>` : ''}
</form>
<p class="${c.small}">${v.app.settings.privacyUrl ? html`<a href="${v.app.settings.privacyUrl}" rel="noopener noreferrer">${m.privacy}</a>` : named(m.noPrivacy, business)} · ${m.poweredBy}</p>
${v.app.live && v.app.phone ? '' : html`<p class="${c.note}">${fill(m.sandboxNote, { proxy: proxyText(v.app.name) })}</p>`}`;
  return layout(a, {
    lang: v.lang,
    title: (errs.length ? `${m.errorSummary}: ` : '') + fill(m.title, { business }),
    body,
    script: pow ? CHALLENGE_SCRIPT : undefined,
  });
}

/**
 * A message with the business name isolated in `<bdi>`: a name in Arabic or Hebrew script (or one
 * ending in digits or punctuation) keeps its own direction and cannot reorder the sentence's words
 * and punctuation around it (Unicode bidi isolation, UAX #9).
 */
function named(template: string, business: string) {
  const [before = '', after = ''] = template.split('{business}');
  return template.includes('{business}') ? html`${before}<bdi>${business}</bdi>${after}` : template;
}

/** The shown wording with its first mention of the business isolated; its text is unchanged (it is hashed). */
function isolateName(text: string, business: string) {
  const i = text.indexOf(business);
  return i < 0 ? text : html`${text.slice(0, i)}<bdi>${business}</bdi>${text.slice(i + business.length)}`;
}

/** The country a number typed without its country code is read in: a plain select, no script. */
function countryField(v: ConsentView, c: Assets['cls']): Html {
  const m = MESSAGES[v.lang];
  const picked = v.country?.selected ?? null;
  const err = v.errors.country;
  return html`<div class="${c.field}">
<label class="${c.label}" for="country">${m.countryLabel}</label>
${err ? html`<span class="${c.error}" id="country-error">${err}</span>` : ''}
<select class="${c.input}" id="country" name="country" autocomplete="country"${err ? html` aria-invalid="true" aria-describedby="country-error"` : ''}>
<option value="">${m.countryChoose}</option>
${countryOptions(v.lang).map((o) => html`<option value="${o.code}"${o.code === picked ? html` selected` : ''}>${o.label}</option>`)}
</select>
</div>`;
}

/** A friendly page for people: not found, a malformed link, too many attempts. */
export function messagePage(a: Assets, p: { lang: Locale; title: string; body: string }): Html {
  const c = a.cls;
  return layout(a, {
    lang: p.lang,
    title: p.title,
    body: html`<p class="${c.brand}">${waLogo(c.logo)} WhatsApp</p><h1 class="${c.title}">${p.title}</h1><p class="${c.muted}">${p.body}</p>`,
  });
}
