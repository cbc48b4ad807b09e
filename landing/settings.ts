/**
 * The Settings page's small enhancement script (built to dist/landing/settings.js, served from
 * /assets under `script-src 'self'`). Every action works without it; it only adds copy buttons, a live
 * campaign link, the widget preview's colour as it is picked, and a print button on the poster.
 */

function announce(el: Element | null, text: string): void {
  if (el) el.textContent = text;
}

// Copy buttons: <button data-copy="id" data-copied="Copied" data-failed="…" hidden> copies #id's text.
for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
  b.hidden = false;
  b.addEventListener('click', () => {
    const source = document.getElementById(b.dataset.copy ?? '');
    const status = document.getElementById(`${b.dataset.copy}-status`);
    const text =
      source instanceof HTMLInputElement || source instanceof HTMLTextAreaElement
        ? source.value
        : (source?.textContent ?? '');
    navigator.clipboard.writeText(text).then(
      () => announce(status, b.dataset.copied ?? 'Copied'),
      () => announce(status, b.dataset.failed ?? 'Copy failed'),
    );
  });
}

// Everything on the card follows the campaign field as it is typed: the link, the QR code (image and
// its text alternative), both downloads, both posters and the preview. A template's `[[…]]` part
// appears only with a campaign, `{c}` is the campaign. An invalid campaign is flagged at once and the
// card keeps the last valid one. The form's GET builds the same card without JavaScript.
const campaign = document.querySelector<HTMLInputElement>('input[data-campaign-for]');
if (campaign) {
  const out = document.getElementById(campaign.dataset.campaignFor ?? '');
  const base = out?.dataset.base ?? '';
  const error = document.getElementById('campaign-live-error');
  const described = campaign.getAttribute('aria-describedby') ?? '';
  const fillIn = (tpl: string, c: string) =>
    tpl.replace(/\[\[(.*?)\]\]/g, (_, part: string) => (c ? part.replace('{c}', encodeURIComponent(c)) : ''));
  campaign.addEventListener('input', () => {
    const c = campaign.value.trim();
    const ok = c === '' || /^[A-Za-z0-9_-]{1,64}$/.test(c);
    if (error) error.hidden = ok;
    campaign.toggleAttribute('aria-invalid', !ok);
    if (!ok) campaign.setAttribute('aria-invalid', 'true');
    campaign.setAttribute('aria-describedby', ok ? described : `${described} campaign-live-error`.trim());
    if (!ok) return;
    if (out) out.textContent = c ? `${base}?c=${c}` : base;
    for (const el of document.querySelectorAll<HTMLElement>('[data-campaign-href]'))
      el.setAttribute('href', fillIn(el.dataset.campaignHref!, c));
    for (const el of document.querySelectorAll<HTMLImageElement>('img[data-campaign-src]')) {
      el.src = fillIn(el.dataset.campaignSrc!, c);
      if (el.dataset.campaignAlt) el.alt = fillIn(el.dataset.campaignAlt, c);
    }
    for (const el of document.querySelectorAll<HTMLElement>('whatsapp-optin[preview]'))
      if (c) el.setAttribute('campaign', c);
      else el.removeAttribute('campaign');
  });
}

// The widget preview takes the theme colour as it is picked.
const color = document.querySelector<HTMLInputElement>('input[data-preview-color]');
if (color) {
  const apply = () => {
    if (!/^#[0-9a-fA-F]{6}$/.test(color.value)) return;
    for (const el of document.querySelectorAll<HTMLElement>('whatsapp-optin'))
      el.style.setProperty('--optin-accent', color.value);
  };
  color.addEventListener('input', apply);
}

// The preview's floating button moves to the side being picked.
const side = document.querySelector<HTMLSelectElement>('select[data-preview-position]');
if (side) {
  side.addEventListener('change', () => {
    for (const el of document.querySelectorAll<HTMLElement>('whatsapp-optin[preview]'))
      el.setAttribute('position', side.value);
  });
}

// The poster's print button.
for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-print]')) {
  b.hidden = false;
  b.addEventListener('click', () => window.print());
}
