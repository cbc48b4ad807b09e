/**
 * The script-tag entry, built into `widget.js`:
 *
 *   <script src="https://optin.example.com/widget.js" data-app="Acme" async></script>
 *
 * Configuration comes from the script tag itself, as Plausible's tracker does. With `data-app`
 * it adds one floating button; without, it only defines `<whatsapp-optin>` for inline use.
 */
import { WhatsappOptin } from './whatsapp-optin.component.js';

const script = document.currentScript as HTMLScriptElement | null;
const data = script?.dataset ?? {};
// The API lives where widget.js came from, unless data-api says otherwise.
const origin = data.api || (script?.src ? new URL(script.src).origin : '');

// Inline <whatsapp-optin> elements on the page get the same default. (The build wraps this file so
// that it runs at most once per page: a second copy of the snippet stops before reaching here.)
WhatsappOptin.defaultApi = origin;
customElements.define('whatsapp-optin', WhatsappOptin);

function mount(): void {
  // A second copy of the snippet must not add a second button.
  if (!data.app || document.querySelector('whatsapp-optin[floating]')) return;
  const el = document.createElement('whatsapp-optin');
  for (const k of ['app', 'position', 'lang', 'campaign'] as const) if (data[k]) el.setAttribute(k, data[k]);
  el.setAttribute('api', origin);
  el.toggleAttribute('floating', true);
  if (data.ga4 !== undefined) el.toggleAttribute('ga4', true);
  document.body.append(el);
}

// A synchronous script in <head> runs before <body> exists.
if (document.body) mount();
else document.addEventListener('DOMContentLoaded', mount);
