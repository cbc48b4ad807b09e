/**
 * Helpers for the widget's browser tests. The apps live in the real optin-kit server that
 * web-test-runner.config.mjs starts; `/__optin/config` says where it is and which apps exist.
 */
import { fixture, html, waitUntil } from '@open-wc/testing';
import type { WhatsappOptin } from '../../widget/whatsapp-optin.js';

export interface TestApp {
  name: string;
  id: string;
}

export interface Config {
  api: string;
  apps: { live: TestApp; sandbox: TestApp; nophone: TestApp; foreign: TestApp; guarded: TestApp; rtl: TestApp };
}

export const config: Config = await (await fetch('/__optin/config')).json();

/** The consent records the server keeps for (app, phone). */
export async function consents(
  app: TestApp,
  phone: string,
): Promise<
  {
    action: string;
    via: string;
    locale: string;
    wordingVersion: number | null;
    campaign: string | null;
    ref: string | null;
    page: string | null;
  }[]
> {
  return (await fetch(`/__optin/consents?app=${app.id}&phone=${phone}`)).json();
}

/** The app's counted funnel views, as `via/campaign:n` (the server's counter is flushed first). */
export async function views(app: TestApp): Promise<string[]> {
  return (await fetch(`/__optin/views?app=${app.id}`)).json();
}

/** An inline element for `app` talking to the real server. */
export async function widget(
  app: TestApp,
  attrs: { lang?: string; campaign?: string; api?: string; ga4?: boolean; timeout?: number } = {},
): Promise<WhatsappOptin> {
  const el = await fixture<WhatsappOptin>(
    html`<whatsapp-optin app=${app.name} api=${attrs.api ?? config.api} lang=${attrs.lang ?? ''} campaign=${attrs.campaign ?? ''} ?ga4=${attrs.ga4} .timeout=${attrs.timeout ?? 10_000}></whatsapp-optin>`,
  );
  return el;
}

export const $ = <T extends Element = HTMLElement>(el: WhatsappOptin, selector: string): T | null =>
  el.shadowRoot!.querySelector<T>(selector);

export const must = <T extends Element = HTMLElement>(el: WhatsappOptin, selector: string): T => {
  const found = $<T>(el, selector);
  if (!found) throw new Error(`no ${selector} in the widget`);
  return found;
};

/** Waits for the widget's animations (the panel fades in), so axe sees the final colours. */
export async function settle(el: WhatsappOptin): Promise<void> {
  await el.updateComplete;
  await Promise.all(el.shadowRoot!.getAnimations().map((a) => a.finished));
}

/** Clicks the button and waits for the panel to show `selector` (the form by default). */
export async function open(el: WhatsappOptin, selector = 'form'): Promise<HTMLDialogElement> {
  must(el, '[part=button]').click();
  await waitUntil(() => $(el, selector), `panel never showed ${selector}`);
  await settle(el);
  return must<HTMLDialogElement>(el, 'dialog');
}

export function typePhone(el: WhatsappOptin, phone: string): void {
  const input = must<HTMLInputElement>(el, 'input[type=tel]');
  input.value = phone;
  input.dispatchEvent(new Event('input'));
}

export function tick(el: WhatsappOptin): void {
  must<HTMLInputElement>(el, 'input[type=checkbox]').click();
}

export function submit(el: WhatsappOptin): void {
  must(el, '[part=submit]').click();
}

/** The element focused inside the widget's shadow root. */
export const focused = (el: WhatsappOptin): Element | null => el.shadowRoot!.activeElement;
