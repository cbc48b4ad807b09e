/**
 * The panel, built into `widget-panel.js` (an ES module; one per language, `widget-panel.es.js`…)
 * and imported by `widget.js` on the visitor's intent or when the page is idle. Defining the element
 * upgrades every `<whatsapp-optin>` on the page in place: the loader's light button gives way to Lit's.
 */
import { WhatsappOptin } from './whatsapp-optin.component.js';
import { share, type Shared } from './words-shared.js';
import { switches, track, type Analytics } from './analytics.js';

/**
 * Defines `<whatsapp-optin>` (once per page) with `api` as the default server origin, and sends its
 * events to the page's analytics tags that are switched on.
 */
export function define(api: string, words: Shared, analytics: Partial<Analytics> = {}, data: DOMStringMap = {}): void {
  if (customElements.get('whatsapp-optin')) return;
  share(words);
  track(switches(analytics, data));
  WhatsappOptin.defaultApi = api;
  customElements.define('whatsapp-optin', WhatsappOptin);
}
