import { html, raw } from 'hono/html';
import { fill } from '../../views/messages.js';
import { proxyText, waMeLink } from '../../../core/wa-link.js';
import type { AppRecord } from '../../store/index.js';
import type { Html } from '../../views/layout.js';
import { copyBlock, csrfField, errorSummary, settingsLayout, textField, type SettingsCtx } from './layout.js';

/** The sign-in form: the API key, exchanged for a session cookie. */
export function signInPage(ctx: SettingsCtx, p: { error?: string; notice?: string }): Html {
  const { m } = ctx;
  const c = ctx.a.cls;
  const errors: Record<string, string> = p.error ? { 'api-key': p.error } : {};
  return settingsLayout(ctx, {
    title: m.signInTitle,
    body: html`<div class="${c.signin}">
${p.notice ? html`<p class="${c.notice}" role="status">${p.notice}</p>` : ''}
${errorSummary(ctx, errors)}
<form class="${c.section}" method="post" action="/settings/session" novalidate>
<p class="${c.muted}">${m.signInIntro}</p>
${textField(ctx, { id: 'api-key', name: 'key', label: m.keyLabel, hint: m.keyHint, error: p.error, value: '', type: 'password', attrs: 'autocomplete="off" autocapitalize="off" spellcheck="false" required aria-required="true"' })}
<button class="${c.button}" type="submit">${m.signIn}</button>
</form>
</div>`,
  });
}

export interface ToolsView {
  app: AppRecord;
  campaign: string | null;
  campaignError?: string;
  campaignInput: string;
  sandboxNumber: string;
  notice?: string;
  verifyError?: string;
}

/** The five mechanisms, each ready to use. */
export function toolsPage(ctx: SettingsCtx, v: ToolsView): Html {
  const { m, publicUrl } = ctx;
  const c = ctx.a.cls;
  const app = v.app;
  const name = encodeURIComponent(app.name);
  const q = v.campaign ? `?c=${encodeURIComponent(v.campaign)}` : '';
  const amp = v.campaign ? `&c=${encodeURIComponent(v.campaign)}` : '';
  const base = `${publicUrl}/o/${app.name}`;
  const link = `${base}${q}`;
  const snippet = `<script src="${publicUrl}/widget.js" data-app="${app.name}" async></script>`;
  const sandbox = proxyText(app.name);
  const errors: Record<string, string> = {};
  if (v.campaignError) errors.campaign = v.campaignError;
  if (v.verifyError) errors['verify-token'] = v.verifyError;
  const verifySet = app.secrets.metaVerifyToken !== undefined;
  return settingsLayout(ctx, {
    title: m.toolsTitle,
    section: 'tools',
    body: html`${v.notice ? html`<p class="${c.notice}" role="status">${v.notice}</p>` : ''}
${errorSummary(ctx, errors)}
<div class="${c.grid}">
<section class="${c.section}" aria-labelledby="url-title">
<h2 class="${c.h2}" id="url-title">${m.urlTitle}</h2>
<p class="${c.muted}">${m.urlIntro}</p>
<form method="get" action="/settings" novalidate>
${textField(ctx, { id: 'campaign', name: 'c', label: m.campaignLabel, hint: m.campaignHint, error: v.campaignError, value: v.campaignInput, attrs: 'maxlength="64" autocomplete="off" spellcheck="false" data-campaign-for="optin-url"' })}
<span class="${c.error}" id="campaign-live-error" role="alert" hidden>${m.errCampaign}</span>
<div class="${c.actions}"><button class="${c.buttonSecondary}" type="submit">${m.campaignButton}</button></div>
</form>
${copyBlock(ctx, 'optin-url', m.linkLabel, link, `data-base="${escapeText(base)}"`)}
</section>

<section class="${c.section}" aria-labelledby="qr-title">
<h2 class="${c.h2}" id="qr-title">${m.qrTitle}</h2>
<p class="${c.muted}">${m.qrIntro}</p>
<div class="${c.qrBox}">
<img class="${c.qrImg}" src="/o/${name}/qr.svg${q}" alt="${fill(m.qrAlt, { url: `${base}?via=qr${amp}` })}" width="160" height="160" id="qr-img" data-campaign-src="/o/${name}/qr.svg[[?c={c}]]" data-campaign-alt="${fill(m.qrAlt, { url: `${base}?via=qr[[&c={c}]]` })}">
<ul>
<li><a href="/o/${name}/qr.svg?download${amp}" download id="qr-svg" data-campaign-href="/o/${name}/qr.svg?download[[&c={c}]]">${m.downloadSvg}</a></li>
<li><a href="/o/${name}/qr.png?size=1024&amp;download${amp}" download id="qr-png" data-campaign-href="/o/${name}/qr.png?size=1024&download[[&c={c}]]">${m.downloadPng}</a></li>
<li><a href="/settings/poster?paper=a4${amp}" id="poster-a4" data-campaign-href="/settings/poster?paper=a4[[&c={c}]]">${m.posterA4}</a></li>
<li><a href="/settings/poster?paper=letter${amp}" id="poster-letter" data-campaign-href="/settings/poster?paper=letter[[&c={c}]]">${m.posterLetter}</a></li>
</ul>
</div>
</section>

<section class="${c.section} ${c.sectionWide}" aria-labelledby="widget-title">
<h2 class="${c.h2}" id="widget-title">${m.widgetTitle}</h2>
<p class="${c.muted}">${m.widgetIntro}</p>
${copyBlock(ctx, 'snippet', m.snippetLabel, snippet)}
<h3 class="${c.h3}">${m.previewTitle}</h3>
<div class="${c.preview}" id="widget-preview">
<p class="${c.muted}">${m.previewInert}</p>
<whatsapp-optin app="${app.name}"${v.campaign ? html` campaign="${v.campaign}"` : ''} lang="${ctx.lang}" position="${app.settings.theme.position}" preview floating></whatsapp-optin>
<noscript><p>${m.previewNoJs}</p></noscript>
</div>
</section>

<section class="${c.section}" aria-labelledby="hooks-title">
<h2 class="${c.h2}" id="hooks-title">${m.hooksTitle}</h2>
<p class="${c.muted}">${m.hooksIntro}</p>
${copyBlock(ctx, 'sms-hook', m.smsHook, `${publicUrl}/hooks/${app.name}/sms`)}
${copyBlock(ctx, 'wa-hook', m.waHook, `${publicUrl}/hooks/${app.name}/whatsapp`)}
<p><strong>${m.verifyToken}:</strong> <span id="verify-state">${verifySet ? m.verifySet : m.verifyNotSet}</span></p>
<form method="post" action="/settings/options/verify" novalidate>
${csrfField(ctx)}
${textField(ctx, { id: 'verify-token', name: 'verify_token', label: m.verifyLabel, hint: m.verifyHint, error: v.verifyError, value: '', attrs: 'autocomplete="off" spellcheck="false" minlength="8" maxlength="200"' })}
<button class="${c.buttonSecondary}" type="submit">${m.verifyButton}</button>
</form>
</section>

<section class="${c.section}" aria-labelledby="sandbox-title">
<h2 class="${c.h2}" id="sandbox-title">${app.live ? m.live : m.sandboxTitle}</h2>
${
  app.live && app.phone
    ? html`<p>${fill(m.liveNote, { phone: app.phone })}</p>`
    : html`<p>${raw(
        fill(escapeText(m.sandboxIntro), {
          proxy: `<code class="${c.mono}" id="proxy-text">${escapeText(sandbox)}</code>`,
          number: escapeText(v.sandboxNumber),
        }),
      )}</p>
<p><a class="${c.button}" href="${waMeLink(v.sandboxNumber, sandbox)}" rel="noopener noreferrer">${m.sandboxLink}</a></p>`
}
</section>
</div>
<script src="/widget.js" async></script>`,
  });
}

/** Escapes text that is then placed with `raw` (a message with markup slotted into it). */
export function escapeText(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/** The @page rules of the poster, inlined under their CSP hashes (see posterCss in the route). */
export const POSTER_PAGE_CSS = {
  a4: '@page{size:A4 portrait;margin:15mm}',
  letter: '@page{size:letter portrait;margin:0.6in}',
} as const;

/** A print-ready poster: the business name, the call to action, the QR code and the link. */
export function posterPage(
  ctx: SettingsCtx,
  p: { app: AppRecord; paper: 'a4' | 'letter'; campaign: string | null },
): Html {
  const { m, publicUrl } = ctx;
  const c = ctx.a.cls;
  const amp = p.campaign ? `&c=${encodeURIComponent(p.campaign)}` : '';
  const url = `${publicUrl}/o/${p.app.name}?via=qr${amp}`;
  return settingsLayout(ctx, {
    title: fill(m.posterCta, { business: p.app.displayName }),
    bare: true,
    head: html`<style>${raw(POSTER_PAGE_CSS[p.paper])}</style>`,
    body: html`<main class="${c.poster}">
<div class="${c.noPrint} ${c.actions}"><a href="/settings${p.campaign ? `?c=${encodeURIComponent(p.campaign)}` : ''}">${m.back}</a> <button class="${c.button}" type="button" data-print hidden>${m.print}</button></div>
<h1 class="${c.posterBusiness}">${p.app.displayName}</h1>
<p class="${c.posterCta}">${fill(m.posterCta, { business: p.app.displayName })}</p>
<img class="${c.posterQr}" src="/o/${encodeURIComponent(p.app.name)}/qr.svg${p.campaign ? `?c=${encodeURIComponent(p.campaign)}` : ''}" alt="${fill(m.qrAlt, { url })}" width="416" height="416">
<p class="${c.posterSub}">${m.posterSub}</p>
<p class="${c.posterUrl}">${m.posterOr} ${url}</p>
</main>`,
  });
}

export { csrfField };
