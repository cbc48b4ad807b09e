import { html, raw } from 'hono/html';
import { LOCALES, type Locale } from '../../../core/locale.js';
import { fill } from '../../views/messages.js';
import { SETTINGS_MESSAGES, type SettingsMessages } from '../messages.js';
import type { SettingsAssets } from '../../assets.js';
import type { AppRecord } from '../../store/index.js';
import { waLogo, type Html } from '../../views/layout.js';

export type Section = 'tools' | 'options' | 'users' | 'funnel' | 'events';

/** What every Settings screen is rendered with. */
export interface SettingsCtx {
  a: SettingsAssets;
  lang: Locale;
  m: SettingsMessages;
  /** The current URL with `lang` replaced, for the language links. */
  langHref: (l: Locale) => string;
  /** Set when signed in. */
  app: AppRecord | null;
  csrf: string | null;
  publicUrl: string;
}

export const messagesFor = (lang: Locale): SettingsMessages => SETTINGS_MESSAGES[lang];

/** The hidden CSRF field every state-changing form carries. */
export const csrfField = (ctx: SettingsCtx) => html`<input type="hidden" name="csrf" value="${ctx.csrf ?? ''}">`;

/** A text-like field with its label, hint and error beside it, wired with aria-describedby. */
export function textField(
  ctx: SettingsCtx,
  f: {
    id: string;
    name: string;
    label: string;
    hint?: string;
    error?: string;
    value: string;
    type?: string;
    multiline?: boolean;
    attrs?: string;
  },
): Html {
  const c = ctx.a.cls;
  const described = [f.hint ? `${f.id}-hint` : '', f.error ? `${f.id}-error` : ''].filter(Boolean).join(' ');
  const common = html`id="${f.id}" name="${f.name}"${described ? html` aria-describedby="${described}"` : ''}${f.error ? html` aria-invalid="true"` : ''}${f.attrs ? raw(' ' + f.attrs) : ''}`;
  return html`<div class="${c.field}">
<label class="${c.label}" for="${f.id}">${f.label}</label>
${f.hint ? html`<span class="${c.hint}" id="${f.id}-hint">${f.hint}</span>` : ''}
${f.error ? html`<span class="${c.error}" id="${f.id}-error">${f.error}</span>` : ''}
${
  f.multiline
    ? html`<textarea class="${c.textarea}" ${common} rows="4">${f.value}</textarea>`
    : html`<input class="${f.type === 'color' ? c.colorInput : c.input}" type="${f.type ?? 'text'}" ${common} value="${f.value}">`
}
</div>`;
}

/** A `<select>` with its label, hint and error beside it. */
export function selectField(
  ctx: SettingsCtx,
  f: {
    id: string;
    name: string;
    label: string;
    hint?: string;
    error?: string;
    value: string;
    options: [string, string][];
  },
): Html {
  const c = ctx.a.cls;
  const described = [f.hint ? `${f.id}-hint` : '', f.error ? `${f.id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="${c.field}">
<label class="${c.label}" for="${f.id}">${f.label}</label>
${f.hint ? html`<span class="${c.hint}" id="${f.id}-hint">${f.hint}</span>` : ''}
${f.error ? html`<span class="${c.error}" id="${f.id}-error">${f.error}</span>` : ''}
<select class="${c.select}" id="${f.id}" name="${f.name}"${described ? html` aria-describedby="${described}"` : ''}${f.error ? html` aria-invalid="true"` : ''}>
${f.options.map(([v, label]) => html`<option value="${v}"${v === f.value ? ' selected' : ''}>${label}</option>`)}
</select>
</div>`;
}

/** A checkbox with its label (and error) beside it. */
export function checkField(
  ctx: SettingsCtx,
  f: { id: string; name: string; label: string; checked: boolean; error?: string; hint?: string },
): Html {
  const c = ctx.a.cls;
  const described = [f.hint ? `${f.id}-hint` : '', f.error ? `${f.id}-error` : ''].filter(Boolean).join(' ');
  return html`${f.error ? html`<span class="${c.error}" id="${f.id}-error">${f.error}</span>` : ''}
<div class="${c.check}">
<input class="${c.checkbox}" type="checkbox" id="${f.id}" name="${f.name}" value="on"${f.checked ? ' checked' : ''}${described ? html` aria-describedby="${described}"` : ''}${f.error ? html` aria-invalid="true"` : ''}>
<label for="${f.id}">${f.label}${f.hint ? html`<span class="${c.hint}" id="${f.id}-hint">${f.hint}</span>` : ''}</label>
</div>`;
}

/** Errors of a form, listed at its top and linked to their fields; the summary takes focus. */
export function errorSummary(ctx: SettingsCtx, errors: Record<string, string>, focus = true): Html | string {
  const list = Object.entries(errors);
  if (!list.length) return '';
  const c = ctx.a.cls;
  return html`<div class="${c.summary}" role="alert" tabindex="-1"${focus ? ' autofocus' : ''} aria-labelledby="error-summary-title">
<h2 class="${c.summaryTitle}" id="error-summary-title">${ctx.m.errorSummary}</h2>
<ul>${list.map(([id, e]) => html`<li><a href="#${id}">${e}</a></li>`)}</ul>
</div>`;
}

/** A code block with a copy button that the enhancement script reveals. */
export function copyBlock(ctx: SettingsCtx, id: string, label: string, text: string, extra = ''): Html {
  const c = ctx.a.cls;
  return html`<div class="${c.field}">
<span class="${c.label}" id="${id}-label">${label}</span>
<code class="${c.code}" id="${id}" aria-labelledby="${id}-label"${extra ? raw(' ' + extra) : ''}>${text}</code>
<div class="${c.actions}"><button class="${c.buttonSecondary}" type="button" data-copy="${id}" data-copied="${ctx.m.copied}" data-failed="${ctx.m.copyFailed}" aria-describedby="${id}-label" hidden>${ctx.m.copy}</button>
<span class="${c.copyStatus}" id="${id}-status" role="status"></span></div>
</div>`;
}

/**
 * The shell of every Settings screen: skip link, header (app, mode, language, sign out), section
 * navigation, and the page's own content. Styles and script come from /assets (CSP `'self'`).
 */
export function settingsLayout(
  ctx: SettingsCtx,
  p: { title: string; section?: Section; body: Html; head?: Html; bare?: boolean },
): Html {
  const { a, m, app } = ctx;
  const c = a.cls;
  const pageTitle = app ? fill(m.title, { page: p.title, business: app.displayName }) : `${p.title} · ${m.product}`;
  const navItem = (s: Section, href: string, label: string) =>
    html`<li><a class="${c.navLink}" href="${href}"${p.section === s ? html` aria-current="page"` : ''}>${label}</a></li>`;
  const langs = html`<ul class="${c.langs}" aria-label="${m.language}">${LOCALES.map(
    (l) =>
      html`<li><a href="${ctx.langHref(l)}" lang="${l}" hreflang="${l}"${l === ctx.lang ? html` aria-current="true"` : ''}>${l.toUpperCase()}<span class="${c.visuallyHidden}"> (${SETTINGS_MESSAGES[l][`lang_${l}`]})</span></a></li>`,
  )}</ul>`;
  return html`<!doctype html>
<html lang="${ctx.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${pageTitle}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${a.css.path}">
${p.head ?? ''}
<script src="${a.js.path}" defer></script>
</head>
<body>
${
  p.bare
    ? p.body
    : html`<a class="${c.skip}" href="#main">${m.skip}</a>
<header class="${c.header}"><div class="${c.headerInner}">
<p class="${c.brand}">${waLogo(c.logo)} <span class="${c.appName}">${app ? app.displayName : m.product}</span>${app ? html` <span class="${c.badge}">${app.live ? m.live : m.sandbox}</span>` : ''}</p>
<div class="${c.headerForms}">${langs}${
        app
          ? html`<form method="post" action="/settings/signout" class="${c.inlineForm}">${csrfField(ctx)}<button class="${c.buttonSecondary}" type="submit">${m.signOut}</button></form>`
          : ''
      }</div>
</div>
${
  app
    ? html`<nav class="${c.nav}" aria-label="${m.mainNav}"><ul class="${c.navList}">
${navItem('tools', '/settings', m.navTools)}${navItem('options', '/settings/options', m.navSettings)}${navItem('users', '/settings/users', m.navUsers)}${navItem('funnel', '/settings/funnel', m.navFunnel)}${navItem('events', '/settings/events', m.navEvents)}
</ul></nav>`
    : ''
}
</header>
<main class="${c.main}" id="main" tabindex="-1">
<h1 class="${c.h1}">${p.title}</h1>
${p.body}
</main>`
}
</body>
</html>`;
}

/** A friendly page for a refused or malformed request. */
export function settingsMessagePage(ctx: SettingsCtx, title: string, body: string, back = '/settings'): Html {
  const c = ctx.a.cls;
  return settingsLayout(ctx, {
    title,
    body: html`<div class="${c.section}"><p>${body}</p><p><a href="${back}">${ctx.m.back}</a></p></div>`,
  });
}
