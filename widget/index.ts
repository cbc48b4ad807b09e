/**
 * The script-tag entry, built into `widget.js`, the only script a host page loads at first:
 *
 *   <script src="https://optin.example.com/widget.js" data-app="Acme" async></script>
 *
 * It carries no Lit. It reads its configuration from the script tag (as Plausible's tracker does)
 * and the app's public settings, then draws the floating button, the greeting bubble and the
 * triggers itself. The Lit panel (`widget-panel.js`) is fetched into the HTTP cache when the page is
 * idle after its own `load` event, and runs on the visitor's intent (the pointer over or focus on the
 * button, a click on it, the bubble or a trigger); it then upgrades the `<whatsapp-optin>` elements in
 * place. See docs/widget.md.
 */
import type { WidgetSettings } from './api.js';
import type { Analytics } from './analytics.js';
import { hostedUrl, ICON, isPhone, OPEN, pickLang, CLOSE, type Lang } from './words.js';
import type { Shared } from './words-shared.js';

/** The panel module: defines `<whatsapp-optin>` with its default API origin. */
interface PanelModule {
  define(api: string, words: Shared, analytics: Partial<Analytics>, data: DOMStringMap): void;
}
type Optin = HTMLElement & { show?(): Promise<void> };
type Dict = Record<string, string | null | undefined>;

const d: DOMStringMap = document.currentScript?.dataset ?? {};
const src = (document.currentScript as HTMLScriptElement | null)?.src || location.href;
// The API lives where widget.js came from, unless data-api says otherwise; the panel always comes
// from beside widget.js.
const api = (d.api || new URL(src).origin).replace(/\/+$/, '');
const lang: Lang = pickLang(d.lang, document.documentElement.lang, navigator.language);
/** The panel speaking the page's language (the loader's: data-lang, then <html lang>, then the browser's). */
const chunk = new URL(`widget-panel.${lang}.js`, src).href;
const doc = document;
const TAG = 'whatsapp-optin';

/** `data-x` wins over the setting: present or "true" is on, "false" is off. */
const flag = (v: string | undefined, setting?: boolean): boolean => (v === undefined ? !!setting : v !== 'false');
/** A number from `data-x`, else the setting; a setting left out (undefined) is unset, as null is. */
const num = (v: string | undefined, setting?: number | null): number | null | undefined => (v ? +v || 0 : setting);

/** The app's analytics switches, once its settings are read. */
let analytics: Partial<Analytics> = {};
let loading: Promise<unknown> | undefined;
/** Imports the panel once; a failure lets the next attempt try again. */
const panel = (): Promise<unknown> =>
  (loading ??= import(/* @vite-ignore */ chunk).then(
    (m: PanelModule) => m.define(api, { ICON, isPhone, hostedUrl, pickLang }, analytics, d),
    (e) => {
      loading = undefined;
      throw e;
    },
  ));
/** On a first sign of intent (the pointer over the button, or focus on it), ahead of the click. */
const preload = () => panel().catch(() => {});
/**
 * At idle after load, the panel is only fetched into the HTTP cache, not run: running Lit there
 * would cost the host page blocking time (Lighthouse's TBT, `npm run bench`). A click then runs it
 * from the cache. A page that placed `<whatsapp-optin>` elements itself gets them defined (their
 * `show()`, `whenDefined`), so there it runs.
 */
const warm = () => (doc.querySelector(`${TAG}:not([floating])`) ? panel() : fetch(chunk)).catch(() => {});

/** Opens `el`'s panel; where the panel cannot load, the hosted consent page opens instead. */
function open(el: Optin): void {
  panel().then(
    () => el.show!(),
    () => window.open(hostedUrl(api, el.getAttribute('app')!, lang, el.getAttribute('campaign')), '_blank'),
  );
}

const sheet = (css: string) => {
  const s = new CSSStyleSheet();
  s.replaceSync(css);
  return [s];
};
const accent = 'var(--optin-accent,var(--_optin-theme,#25d366))';
const x = 'var(--optin-offset,var(--_optin-x,20px))';
const y = 'var(--optin-offset,var(--_optin-y,20px))';
const BUTTON = sheet(
  `:host(:not([hidden])){display:inline-block}button{all:initial;box-sizing:border-box;display:inline-flex;align-items:center;justify-content:center;gap:8px;min-width:44px;min-height:44px;padding:0 16px;border-radius:999px;background:${accent};color:var(--optin-on-accent,lch(from ${accent} calc((50 - l) * 100) 0 0));font:600 16px/1.45 var(--optin-font,system-ui,sans-serif);cursor:pointer}.f{position:fixed;z-index:var(--optin-z-index,999999);bottom:${y};inset-inline-end:${x};height:56px;width:56px;padding:0;box-shadow:0 2px 10px #0004}.l{width:auto;padding:0 20px}:host([position=left]) .f{inset-inline-end:auto;inset-inline-start:${x}}svg{width:24px;height:24px;fill:currentColor}`,
);

function h(tag: string, attrs: Dict = {}, kids: (Node | string)[] = [], ns?: string): HTMLElement {
  const e = (ns ? doc.createElementNS(ns, tag) : doc.createElement(tag)) as HTMLElement;
  for (const k in attrs) if (attrs[k] != null) e.setAttribute(k, attrs[k]!);
  e.append(...kids);
  return e;
}

/**
 * Draws the button of a `<whatsapp-optin>` that the panel has not upgraded yet: the same look, the
 * same parts, no Lit. The panel replaces it when it loads.
 */
function light(el: Optin): void {
  if (el.shadowRoot || el.hasAttribute('no-button')) return;
  const root = el.attachShadow({ mode: 'open' });
  root.adoptedStyleSheets = BUTTON;
  const floating = el.hasAttribute('floating');
  const label = el.getAttribute('label') || (floating ? '' : OPEN[pickLang(el.lang, lang)]);
  const ns = 'http://www.w3.org/2000/svg';
  const svg = h('svg', { viewBox: '0 0 24 24', 'aria-hidden': 'true' }, [h('path', { d: ICON }, [], ns)], ns);
  const button = h(
    'button',
    {
      part: 'button',
      'aria-haspopup': 'dialog',
      'aria-label': label ? null : OPEN[lang],
      class: floating ? `f ${label ? 'l' : ''}` : null,
    },
    [svg, label],
  );
  button.onclick = () => open(el);
  button.onpointerenter = button.onfocus = preload;
  root.append(button);
}

/** The bubble's host: also the marker that this script already ran on the page (see vite.config.ts). */
customElements.define('whatsapp-optin-bubble', class extends HTMLElement {});

const BUBBLE = sheet(
  `div{all:initial;position:fixed;z-index:var(--optin-z-index,999999);bottom:calc(${y} + 68px);inset-inline-end:${x};display:flex;align-items:start;max-width:280px;padding:4px;border-radius:12px;background:var(--optin-surface,#fff);color:var(--optin-text,#111b21);box-shadow:0 2px 10px #0004;font:15px/1.45 var(--optin-font,system-ui,sans-serif)}.s{inset-inline-end:auto;inset-inline-start:${x}}button{all:initial;box-sizing:border-box;min-width:44px;min-height:44px;padding:8px;color:inherit;font:inherit;cursor:pointer}button+button{font-size:22px}@media (prefers-color-scheme:dark){div{background:var(--optin-surface,#1f2c34);color:var(--optin-text,#e9edef)}}`,
);

/** Shows the greeting beside the floating button, once per visitor when the app says so. */
function greet(el: Optin, text: string, g: WidgetSettings['greeting'], left: boolean): void {
  const key = `optin-greeting:${d.app}`;
  const once = flag(d.greetingOnce, g.oncePerVisitor ?? true);
  let seen = false;
  try {
    seen = once && !!localStorage[key];
  } catch {
    // Storage refused (a sandboxed frame): show it.
  }
  if (seen) return;
  // The offsets are custom properties on the button's element: the bubble takes them too, so that it
  // stays above the button wherever the button is moved.
  // Through the CSSOM: a style attribute would break a host page's strict CSP (style-src).
  const host = h('whatsapp-optin-bubble');
  host.style.cssText = el.style.cssText;
  const close = () => host.remove();
  const show = () => {
    removeEventListener('scroll', onScroll);
    clearTimeout(timer);
    if (host.isConnected || !el.isConnected) return;
    const root = host.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = BUBBLE;
    const say = h('button', { part: 'greeting', 'aria-haspopup': 'dialog' }, [text]);
    const x = h('button', { part: 'close', 'aria-label': CLOSE[lang] }, ['×']);
    say.onclick = () => open(el);
    x.onclick = close;
    root.append(h('div', { part: 'bubble', role: 'status', class: left ? 's' : null }, [say, x]));
    doc.body.append(host);
    try {
      if (once) localStorage[key] = 1;
    } catch {
      // Shown again next time, then.
    }
  };
  const delay = num(d.greetingDelay, g.delaySeconds);
  const scroll = num(d.greetingScroll, g.scrollPercent);
  const onScroll = () => {
    const e = doc.documentElement;
    if (((scrollY + innerHeight) / e.scrollHeight) * 100 >= scroll!) show();
  };
  // On a delay, or at once when neither a delay nor a scroll depth is set.
  const timer = delay != null || !scroll ? setTimeout(show, (delay ?? 0) * 1e3) : 0;
  if (scroll) addEventListener('scroll', onScroll, { passive: true });
  el.addEventListener('optin-open', close);
}

/** `/checkout*` → /^\/checkout.*$/: `*` is any run of characters, everything else literal. */
const hidden = (patterns: string[]): boolean =>
  patterns.some((p) =>
    new RegExp(
      `^${p
        .trim()
        .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')}$`,
    ).test(location.pathname),
  );

/** What `GET …/public` says, or nothing when it could not be read: the data- attributes still apply. */
interface Info {
  phone?: string | null;
  theme?: { position: string };
  widget?: WidgetSettings;
}

function start(info: Info): void {
  // Without the app's settings (the server is down), the defaults; the panel will say what failed.
  const w: Partial<WidgetSettings> = info.widget ?? {};
  analytics = w.analytics ?? {};
  const position = d.position || info.theme?.position;
  const left = position == 'left';
  const devices = d.devices || w.devices;
  let el = doc.querySelector<Optin>(`${TAG}[floating]`);
  // A second copy of the snippet must not add a second button.
  if (
    d.app &&
    !el &&
    !hidden(d.hidePaths?.split(',') ?? w.hidePaths ?? []) &&
    (!devices || devices == 'both' || (devices == 'phones') == isPhone())
  ) {
    el = h(TAG, {
      app: d.app,
      api,
      floating: '',
      position,
      lang: d.lang,
      campaign: d.campaign,
      label: d.label ?? w.buttonLabel?.[lang] ?? null,
    }) as Optin;
    for (const k of ['x', 'y'] as const) {
      const v = num(d[`offset${k.toUpperCase()}`], w.offset?.[k]);
      if (v != null) el.style.setProperty(`--_optin-${k}`, `${v}px`);
    }
    light(el);
    doc.body.append(el);
    const text = d.greeting ?? w.greeting?.text[lang];
    if (text) greet(el, text, w.greeting ?? ({} as WidgetSettings['greeting']), left);
  }
  for (const e of doc.querySelectorAll<Optin>(TAG)) light(e);
  const phone = info.phone;
  const triggers = flag(d.triggers, w.triggers ?? true);
  const links = !!phone && flag(d.waLinks, w.interceptWaLinks ?? true);
  // Triggers from the page: `.optin-open`, `[data-optin-open]`, and links to the app's own number.
  doc.addEventListener('click', (e) => {
    const t = (e.target as Element).closest?.('.optin-open,[data-optin-open],a[href]');
    if (!t || e.defaultPrevented || !d.app) return;
    if (
      t.matches('.optin-open,[data-optin-open]') ? !triggers : !links || !isOurs((t as HTMLAnchorElement).href, phone!)
    )
      return;
    e.preventDefault();
    // The floating button's element, or an element of its own without a button.
    el ??= doc.body.appendChild(h(TAG, { app: d.app, api, 'no-button': '', lang: d.lang, campaign: d.campaign }));
    open(el);
  });
  if (doc.querySelector(`${TAG},.optin-open,[data-optin-open]`)) {
    const idle = () => ((self.requestIdleCallback as typeof setTimeout | undefined) ?? setTimeout)(warm);
    if (doc.readyState == 'complete') idle();
    else addEventListener('load', idle);
  }
}

/** A link to this app's own WhatsApp number: wa.me/<n>, api.whatsapp.com/send?phone=<n>, whatsapp://send?phone=<n>. */
function isOurs(href: string, phone: string): boolean {
  try {
    const u = new URL(href);
    const n = /wa\.me$/.test(u.hostname) ? u.pathname.slice(1) : /whatsapp/.test(href) && u.searchParams.get('phone');
    return !!n && n.replace(/\D/g, '') === phone;
  } catch {
    return false;
  }
}

function boot(): void {
  if (!d.app) return start({});
  // No cookies go cross-origin without credentials: 'include'; the API wants none.
  fetch(`${api}/api/v1/apps/${encodeURIComponent(d.app)}/public`)
    .then((r) => (r.ok ? r.json() : {}))
    .catch(() => ({}))
    .then(start);
}

// A synchronous script in <head> runs before <body> exists.
if (doc.body) boot();
else doc.addEventListener('DOMContentLoaded', boot);
