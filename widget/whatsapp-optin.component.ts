import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { asFailure, call, type Optin, type PublicApp } from './api.js';
import { pickLang, strings, type Lang, type Strings } from './i18n.js';
import { hostedUrl, ICON, isPhone } from './words.js';
import * as s from './whatsapp-optin.styles.css.js';
import { cssText } from './whatsapp-optin.styles.css.js';
import { themeAccent } from './tokens.css.js';

export interface OptinOpenDetail {
  app: string;
}
export interface OptinConsentDetail {
  app: string;
  optinId: string;
  ref: string;
  redirectUrl: string;
  lang: Lang;
  campaign: string | null;
  wordingVersion: number | null;
}
export interface OptinRedirectDetail {
  app: string;
  url: string;
  /** `navigate`: a phone was sent there; `qr`: a desktop shows the QR code; `link`: the desktop link was clicked. */
  via: 'navigate' | 'qr' | 'link';
}
export interface OptinErrorDetail {
  app: string;
  /** The server's `error.code`, or `network`, `timeout`, `http_<status>`. */
  code: string;
  /** HTTP status, 0 when no answer came. */
  status: number;
  /** The translated message the person sees. */
  message: string;
}

/** The QR module loaded on demand (`widget-qr.js`): one SVG path of the dark modules. */
export interface QrModule {
  qrPath(text: string): { size: number; d: string };
}

type Stage = 'load' | 'form' | 'error' | 'done' | 'hosted';
type ErrorKey = 'needConsent' | 'needPhone' | 'failed' | 'unavailable';

/** A constructed stylesheet, which Lit adopts as it is (no CSSResult wrapper in the bundle). */
const sheet = (css: string): CSSStyleSheet => {
  const s = new CSSStyleSheet();
  s.replaceSync(css);
  return s;
};

const isHttps = (u: string | null | undefined): u is string => !!u && /^https?:\/\//i.test(u);

/** The console hears about a site missing from the allowed origins once per page, not per click. */
let warned = false;

/**
 * `text` with the business name in `<bdi>` (its first appearance, as on the consent page): a
 * right-to-left name cannot reorder the punctuation around it in the panel's left-to-right text,
 * nor its own (the "!" of "مطعم!" stays at its start).
 */
const isolate = (text: string, name: string) => {
  const i = text.indexOf(name);
  return i < 0 ? text : html`${text.slice(0, i)}<bdi>${name}</bdi>${text.slice(i + name.length)}`;
};

/**
 * A WhatsApp opt-in button. A click opens a consent panel; after consent a phone goes straight to
 * WhatsApp, and a desktop shows a QR code of the same link.
 *
 * @summary Collects WhatsApp opt-in consent for one app, then hands the person over to WhatsApp.
 * @tag whatsapp-optin
 *
 * @fires {CustomEvent<OptinOpenDetail>} optin-open - The person opened the panel.
 * @fires {CustomEvent<OptinConsentDetail>} optin-consent - The consent was recorded by the server.
 * @fires {CustomEvent<OptinRedirectDetail>} optin-redirect - The person is being handed over to WhatsApp.
 * @fires {CustomEvent<OptinErrorDetail>} optin-error - Something failed; the panel shows the message and, where it helps, a retry.
 *
 * @csspart base - The wrapper of everything.
 * @csspart button - The button that opens the panel.
 * @csspart dialog - The consent panel (a modal `<dialog>`).
 * @csspart consent - The consent form inside the panel.
 * @csspart submit - The Continue (or Try again) button.
 *
 * @cssproperty --optin-accent - Button colour and the checkbox tick. Defaults to the app's theme colour, then #25d366.
 * @cssproperty --optin-on-accent - Text colour on the accent. Default black or white, whichever contrasts more with the accent.
 * @cssproperty --optin-surface - Panel background. Default #fff (light), #1f2c34 (dark).
 * @cssproperty --optin-text - Text colour. Default #111b21 (light), #e9edef (dark).
 * @cssproperty --optin-muted - Secondary text (the privacy link) and field borders. Default #54656f (light), #aebac1 (dark).
 * @cssproperty --optin-danger - Error text and invalid-field outlines. Default #c5221f (light), #f28b82 (dark).
 * @cssproperty --optin-radius - Panel corner radius. Default 12px.
 * @cssproperty --optin-font - Font family. Default the system font.
 * @cssproperty --optin-offset - Distance of the floating button from the viewport edges. Default 20px.
 * @cssproperty --optin-z-index - Stacking order of the floating button. Default 999999. (The open panel is in the top layer.)
 */
export class WhatsappOptin extends LitElement {
  static override styles = sheet(cssText);

  // Declared statically rather than with decorators: it keeps the decorator helpers out of the
  // bundle (several hundred bytes gzip). Fields below carry the docs and defaults.
  static override properties = {
    app: {},
    api: {},
    floating: { type: Boolean },
    position: {},
    campaign: {},
    lang: {},
    ga4: { type: Boolean },
    label: {},
    noButton: { type: Boolean, attribute: 'no-button' },
    preview: { type: Boolean },
    stage: { state: true },
    info: { state: true },
    invalid: { state: true },
    busy: { state: true },
    qr: { state: true },
  };

  /** API origin used when the `api` attribute is empty. `widget.js` sets it to its own origin. */
  static defaultApi = '';

  /** The app's name, as in `/o/<name>`. */
  app = '';

  /** Origin of the optin-kit server. Defaults to the origin `widget.js` was loaded from. */
  api = '';

  /** Fixes the button to a corner of the viewport instead of placing it inline. */
  floating = false;

  /** `right` (inline end) or `left` (inline start) for a floating button; overrides the app's theme. */
  position: '' | 'right' | 'left' = '';

  /** Campaign recorded with the consent (`[A-Za-z0-9_-]{1,64}`). */
  campaign = '';

  /** `en`, `es` or `pt`. When empty: the page's `<html lang>`, then the browser's language, then English. */
  override lang = '';

  /** Pushes a GA4 `generate_lead` event to `window.dataLayer` after consent. */
  ga4 = false;

  /** The button's visible label. A floating button without one is round, with the icon only. */
  label = '';

  /** Renders no button: the panel opens only through `show()` (the page's own triggers call it). */
  noButton = false;

  /**
   * A preview, as on the Settings page: its consent is answered (and checked) as a real one would
   * be, but the server records, counts and sends nothing for it, from whatever site it runs on.
   */
  preview = false;

  // The three below are read only when used, so they are plain properties, not attributes.

  /** `auto` detects a phone by a coarse pointer or a mobile user agent; `phone` always navigates; `desktop` always shows the QR code. */
  device: 'auto' | 'phone' | 'desktop' = 'auto';

  /** URL of the QR module loaded on desktops after consent. Defaults to `<api>/widget-qr.js`. */
  qrModule = '';

  /** Milliseconds before a request to the server counts as failed. */
  timeout = 10000;

  private stage: Stage = 'load';
  private info: PublicApp | null = null;
  /** `phone` is a key of the strings, or the server's own words about the number, shown as they are. */
  private invalid: { phone?: string; consent?: ErrorKey } = {};
  private busy = false;
  private qr: { size: number; d: string } | null = null;

  get #dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  // Not reactive: they change only together with a reactive state above.
  #phone = '';
  #agreed = false;
  #failure: ErrorKey = 'failed';
  #result: Optin | null = null;
  /** Set before the done view renders: a phone's fallback link must not say "on this computer". */
  #onPhone = false;
  #pending: Promise<PublicApp> | null = null;
  #again: () => unknown = () => {};
  /** What had focus before the panel opened: it gets focus back. */
  #opener: HTMLElement | null = null;

  /**
   * Sends the person to WhatsApp on a phone. Replace it to observe or redirect navigation (tests do).
   */
  navigate(url: string): void {
    location.href = url;
  }

  /** Opens the consent panel, as a click on the button does. */
  async show(): Promise<void> {
    await this.updateComplete;
    const dialog = this.#dialog;
    if (!dialog || dialog.open) return;
    const active = document.activeElement as HTMLElement | null;
    // A page's trigger gets focus back; the element's own button (or nothing) gets the button.
    this.#opener = active === this || active === document.body ? null : active;
    this.#emit('optin-open', {});
    dialog.showModal();
    // Counted once per opening, for the funnel (a string body is text/plain: no CORS preflight). It
    // is refused (403) when this site is not among the app's allowed origins: better said now,
    // before the person types a number, than by the consent post. The form does not wait for it.
    // (Its 204 has no body, so `call` settles every answer as a Failure; only that code matters.)
    const opened = call<never>(
      `${this.#route}/opens`,
      {
        method: 'POST',
        keepalive: true,
        body: JSON.stringify({ campaign: this.campaign || undefined, preview: this.preview || undefined }),
      },
      this.timeout,
    ).catch(asFailure);
    // Recorded, or handed to the hosted page already (this site is refused, or a proof of work is
    // asked): opening again shows the same, not a form for one round trip.
    if (this.stage === 'done' || this.stage === 'hosted') return;
    await this.#prepare();
    // The first field, not the close button: the person came to fill in the form.
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('form input')?.focus();
    const { code } = await opened;
    if (code == 'origin_not_allowed') this.#hosted(code);
  }

  /** Closes the panel; focus goes back to the button. */
  hide(): void {
    this.#dialog?.close();
  }

  get #t(): Strings {
    return strings[this.#locale]!;
  }

  /** The visitor's language, among those this build speaks (a one-language panel speaks one). */
  get #locale(): Lang {
    const l = pickLang(this.lang, document.documentElement.lang, navigator.language);
    return strings[l] ? l : (Object.keys(strings)[0] as Lang);
  }

  get #origin(): string {
    return (this.api || WhatsappOptin.defaultApi).replace(/\/+$/, '');
  }

  get #route(): string {
    return `${this.#origin}/api/v1/apps/${encodeURIComponent(this.app)}`;
  }

  /**
   * `widget.js` draws a light button into the shadow root before this class is defined; the first
   * render replaces it (and keeps focus on the button if it had it).
   */
  protected override createRenderRoot() {
    const root = this.shadowRoot;
    this.#focusButton = !!root?.activeElement;
    root?.replaceChildren();
    return super.createRenderRoot();
  }

  #focusButton = false;

  protected override firstUpdated(): void {
    if (this.#focusButton) this.renderRoot.querySelector<HTMLElement>('[part=button]')?.focus();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Fetch the app's settings early (it is cacheable) so the panel opens at once; a failure stays
    // silent until the person opens the panel.
    if ((changed.has('app') || changed.has('api')) && this.app) {
      this.#pending = null;
      this.#load().catch(() => {});
    }
  }

  protected override updated(): void {
    // Through the CSSOM, which a strict CSP allows, unlike a style attribute. A bad value cannot
    // escape a custom property; it only makes the colour fall back to the default.
    const color = this.info?.theme?.color;
    if (color) this.renderRoot.querySelector<HTMLElement>('[part=base]')?.style.setProperty(themeAccent, color);
    // A re-render can remove the focused control (Retry, Continue); keep focus inside the panel.
    if (this.#dialog?.open && !this.shadowRoot?.activeElement) this.#focusables()[0]?.focus();
  }

  #load(): Promise<PublicApp> {
    return (this.#pending ??= call<PublicApp>(`${this.#route}/public`, {}, this.timeout).then(
      (info) => (this.info = info),
      (e) => {
        this.#pending = null;
        throw e;
      },
    ));
  }

  async #prepare(): Promise<void> {
    this.stage = 'load';
    try {
      await this.#load();
      this.stage = 'form';
    } catch (e) {
      this.#fail(e, () => this.#prepare());
    }
  }

  async #submit(e: Event): Promise<void> {
    e.preventDefault();
    if (this.busy || !this.info) return;
    const phone = this.#phone.trim();
    const need = this.info.phoneField;
    this.invalid = {
      phone: need === 'required' && !phone ? 'needPhone' : undefined,
      consent: this.#agreed ? undefined : 'needConsent',
    };
    if (this.invalid.phone || this.invalid.consent) return this.#focusInvalid();

    const lang = this.#locale;
    const wordingVersion = (this.info.wording[lang] ?? this.info.wording.en)?.version ?? null;
    const campaign = this.campaign || null;
    // JSON.stringify drops the undefined keys.
    const body = {
      consent: true,
      via: 'widget',
      lang,
      page: location.href,
      // For a prefill that names the page ({title}); the server does not store it.
      title: document.title,
      wordingVersion,
      phone: (need !== 'none' && phone) || undefined,
      campaign: campaign || undefined,
      preview: this.preview || undefined,
    };
    this.busy = true;
    let res: Optin;
    try {
      // text/plain keeps this a "simple" cross-origin request: no CORS preflight.
      res = await call<Optin>(
        `${this.#route}/optins`,
        { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'text/plain;charset=UTF-8' } },
        this.timeout,
      );
    } catch (err) {
      // The server says what is wrong with a number (its country code missing, say) in the person's language.
      const { code, message = this.#t.failed } = asFailure(err);
      const field = code === 'phone_required' ? this.#t.needPhone : /phone|country/.test(code) && message;
      // The hosted page takes over what this site cannot do: post from a refused origin, or solve the proof of work.
      if (code === 'origin_not_allowed' || code === 'challenge_failed') return this.#hosted(code);
      if (field || code === 'consent_required') {
        this.invalid = field ? { phone: field } : { consent: 'needConsent' };
        this.#report(err, field || this.#t.needConsent);
        this.#focusInvalid();
      } else this.#fail(err, () => ((this.stage = 'form'), this.#submit(new Event('submit'))));
      return;
    } finally {
      this.busy = false;
    }
    // The consent is recorded: nothing below may lead to posting it again. Only ever hand a person
    // over to WhatsApp, whatever an answer says; a refused link offers the form again, not a re-post.
    if (!res.redirectUrl?.startsWith('https://wa.me/')) return this.#fail(0, () => this.#prepare());
    this.#result = res;
    this.stage = 'done';
    this.#emit('optin-consent', { ...res, lang, campaign, wordingVersion });
    try {
      if (this.ga4)
        ((window as unknown as { dataLayer?: object[] }).dataLayer ??= []).push({
          event: 'generate_lead',
          method: 'whatsapp',
          optin_app: this.app,
          campaign,
        });
    } catch {
      // A host page's broken dataLayer is not the person's problem.
    }
    await this.#handOff(res.redirectUrl);
  }

  async #handOff(url: string): Promise<void> {
    const phone = (this.#onPhone = this.device === 'phone' || (this.device === 'auto' && isPhone()));
    this.#emit('optin-redirect', { url, via: phone ? 'navigate' : 'qr' });
    if (phone) return this.navigate(url);
    try {
      const mod: QrModule = await import(/* @vite-ignore */ this.qrModule || `${this.#origin}/widget-qr.js`);
      this.qr = mod.qrPath(url);
    } catch {
      // Without the QR code the link below still works.
    }
  }

  /**
   * This site is not among the app's allowed origins, so the API refuses it; the hosted consent page
   * accepts the same consent from anywhere. The panel offers it, in a new tab.
   */
  #hosted(code: string): void {
    const pow = code === 'challenge_failed';
    if (!warned)
      console.warn(
        pow
          ? `optin-kit: the app "${this.app}" asks for a proof of work, which the hosted consent page solves: the widget sends people there.`
          : `optin-kit: ${location.origin} is not an allowed origin of the app "${this.app}", so the widget sends people to the hosted consent page. Fix: add ${location.origin} to "Allowed origins" on the Settings page (or allowedOrigins in PATCH /api/v1/apps/${this.app}).`,
      );
    warned = true;
    this.stage = 'hosted';
    this.#report({ code, status: pow ? 422 : 403 }, this.#t.hosted);
  }

  #fail(err: unknown, again: () => unknown): void {
    const { status } = asFailure(err);
    this.#failure = status === 403 || status === 404 ? 'unavailable' : 'failed';
    this.#again = again;
    this.stage = 'error';
    this.#report(err, this.#t[this.#failure]);
  }

  #report(err: unknown, message: string): void {
    this.#emit('optin-error', { ...asFailure(err), message });
  }

  async #focusInvalid(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[aria-invalid=true]')?.focus();
  }

  #focusables(): ArrayLike<HTMLElement> {
    return this.#dialog?.querySelectorAll<HTMLElement>('button:enabled,input,a[href]') ?? [];
  }

  /** Keeps Tab and Shift+Tab inside the open panel. */
  #trap(e: KeyboardEvent): void {
    if (e.key !== 'Tab') return;
    const els = this.#focusables();
    const active = this.shadowRoot?.activeElement;
    const edge = e.shiftKey ? els[0] : els[els.length - 1];
    if (!active || active === edge) {
      e.preventDefault();
      (e.shiftKey ? els[els.length - 1] : els[0])?.focus();
    }
  }

  #emit<K extends keyof OptinEvents>(type: K, detail: Omit<OptinEvents[K], 'app'>): void {
    this.dispatchEvent(new CustomEvent(type, { detail: { ...detail, app: this.app }, bubbles: true, composed: true }));
  }

  override render() {
    const t = this.#t;
    const left = (this.position || this.info?.theme?.position) === 'left';
    const name = this.info?.displayName;
    const label = this.label || (this.floating ? '' : t.open);
    // The panel speaks en, es or pt: left to right even on a right-to-left page, so its parentheses
    // and punctuation stay where they belong (the floating button still mirrors with the page).
    return html`<div part="base" class=${s.base} lang=${this.#locale}>
      ${
        this.noButton
          ? nothing
          : html`<button
              part="button"
              class="${s.button} ${this.floating ? s.floating : ''} ${this.floating && label ? s.labelled : ''} ${this.floating && left ? s.start : ''}"
              aria-haspopup="dialog"
              aria-label=${label ? nothing : t.open}
              @click=${this.show}
            >
              <svg viewBox="0 0 24 24" aria-hidden="true"><path d=${ICON}></path></svg>${label}
            </button>`
      }
      <dialog part="dialog" dir="ltr" aria-modal="true" aria-labelledby="title" closedby="any" @keydown=${this.#trap} @close=${this.#restoreFocus}>
        <div>
          <h2 id="title">${
            name
              ? isolate(
                  t.title.replace('{}', () => name),
                  name,
                )
              : t.open
          }</h2>
          <button aria-label=${t.close} @click=${this.hide}>×</button>
        </div>
        ${this.#body(t)}
      </dialog>
    </div>`;
  }

  #body(t: Strings) {
    const info = this.info;
    const stage = this.stage;
    if (stage === 'error') {
      return html`<p role="alert">${t[this.#failure]}</p>
        <button part="submit" class="${s.button} ${s.wide}" @click=${() => this.#again()}>${t.retry}</button>`;
    }
    if (!info || stage === 'load') return html`<p role="status">${t.loading}</p>`;
    if (stage === 'done') return this.#done(t);
    if (stage === 'hosted') return this.#hostedLink(t);
    const wording = info.wording[this.#locale] ?? info.wording.en;
    const field = info.phoneField;
    const { phone, consent } = this.invalid;
    return html`<form part="consent" novalidate @submit=${this.#submit}>
      ${
        field === 'none'
          ? nothing
          : html`<label for="phone">${t.phone}${field === 'optional' ? ` ${t.optional}` : ''}</label>
            <input
              id="phone"
              type="tel"
              autocomplete="tel"
              ?required=${field === 'required'}
              aria-invalid=${!!phone}
              aria-describedby="phone-error"
              .value=${this.#phone}
              @input=${(e: Event) => ((this.#phone = (e.target as HTMLInputElement).value), (this.invalid = { ...this.invalid, phone: undefined }))}
            />
            <div id="phone-error" role="alert">${phone ? (t[phone as ErrorKey] ?? phone) : ''}</div>`
      }
      <label>
        <input
          type="checkbox"
          aria-invalid=${!!consent}
          aria-describedby="consent-error"
          .checked=${this.#agreed}
          @change=${(e: Event) => ((this.#agreed = (e.target as HTMLInputElement).checked), (this.invalid = { ...this.invalid, consent: undefined }))}
        />
        <span>${wording && isolate(wording.text, info.displayName)}</span>
      </label>
      <div id="consent-error" role="alert">${consent ? t[consent] : ''}</div>
      ${isHttps(info.privacyUrl) ? html`<small><a href=${info.privacyUrl} target="_blank" rel="noopener">${t.privacy}</a></small>` : nothing}
      <button part="submit" class="${s.button} ${s.wide}" ?disabled=${this.busy}>${this.busy ? t.loading : t.submit}</button>
      ${info.live ? html`<small>${t.send}</small>` : nothing}
    </form>`;
  }

  /** The hosted consent page in a new tab (see #hosted): the same consent, via `widget`, the page recorded. */
  #hostedLink(t: Strings) {
    return html`<p role="alert">${t.hosted}</p>
      <a part="submit" class="${s.button} ${s.wide}" href=${hostedUrl(this.#origin, this.app, this.#locale, this.campaign)} target="_blank" rel="noopener">${t.submit}</a>`;
  }

  #done(t: Strings) {
    const url = this.#result!.redirectUrl;
    const qr = this.qr;
    return html`${
      qr
        ? html`<p id="scan" role="status">${t.scan}</p>
            <svg role="img" aria-labelledby="scan" viewBox="-2 -2 ${qr.size + 4} ${qr.size + 4}"><path d=${qr.d}></path></svg>`
        : nothing
    }
      ${this.info?.live ? html`<p>${t.send}</p>` : nothing}
      <a class="${s.button} ${s.wide}" href=${url} target="_blank" rel="noopener" @click=${() => this.#emit('optin-redirect', { url, via: 'link' })}>${this.#onPhone ? t.open : t.desktop}</a>`;
  }

  #restoreFocus(): void {
    (this.#opener?.isConnected ? this.#opener : this.renderRoot.querySelector<HTMLElement>('[part=button]'))?.focus();
  }
}

interface OptinEvents {
  'optin-open': OptinOpenDetail;
  'optin-consent': OptinConsentDetail;
  'optin-redirect': OptinRedirectDetail;
  'optin-error': OptinErrorDetail;
}

declare global {
  interface HTMLElementTagNameMap {
    'whatsapp-optin': WhatsappOptin;
  }
  interface GlobalEventHandlersEventMap {
    'optin-open': CustomEvent<OptinOpenDetail>;
    'optin-consent': CustomEvent<OptinConsentDetail>;
    'optin-redirect': CustomEvent<OptinRedirectDetail>;
    'optin-error': CustomEvent<OptinErrorDetail>;
  }
}
