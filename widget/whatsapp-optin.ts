import { WhatsappOptin } from './whatsapp-optin.component.js';

export * from './whatsapp-optin.component.js';

// A page may load the widget twice (two snippets, or the script plus an npm copy): the first
// definition wins and the rest are no-ops instead of a DOMException.
if (!customElements.get('whatsapp-optin')) customElements.define('whatsapp-optin', WhatsappOptin);
