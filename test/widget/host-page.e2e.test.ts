/**
 * The widget as marketers use it, Plausible-style: host pages on one loopback origin load the
 * BUILT `/widget.js` from the real optin-kit server on another, with the pasted script tag. A
 * person's flow runs end to end in Chromium; the test then reads the consent record from the
 * store and the redirect target. Navigation to wa.me is intercepted and never leaves the machine.
 *
 * Needs `npm run build` first (`npm test` does it).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { KnownDevices, type Browser, type HTTPRequest, type Page } from 'puppeteer-core';
import { chromeSkip, launchChrome } from '../support/chrome.js';
import { axe, WIDTHS } from '../support/settings-browser.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { consentsFor } from '../../server/store/ledger.js';

// jsqr ships CommonJS whose typings declare an ES default export.
type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as unknown as Decode;

const built = join(import.meta.dirname, '../../dist/widget/widget.js');

let server: TestServer;
let host: Server;
let hostOrigin: string;
let browser: Browser;
const apps: Record<'live' | 'sandbox' | 'foreign', { id: string; name: string }> = {} as never;

interface PageOptions {
  app?: string;
  /** Adds data-api. */
  api?: string;
  csp?: boolean;
  hostile?: boolean;
  twice?: boolean;
  /** No script at all: the baseline for the globals check. */
  bare?: boolean;
  lang?: string;
  /** Adds data-lang. */
  dataLang?: string;
  /** A Trusted Types CSP: 'lit-html' allowed as a policy name, or only the page's own. */
  trustedTypes?: 'lit-html' | 'app-only';
  /** Adds data-ga4, and a page whose dataLayer is broken. */
  brokenDataLayer?: boolean;
  /** A `<whatsapp-optin>` placed in the page's own HTML. */
  inline?: { app: string; campaign: string };
  /** A page made for phones: `<meta name="viewport" content="width=device-width">`. */
  viewport?: boolean;
  /** More attributes on the script tag, as a marketer writes them. */
  attrs?: string;
  /** A `<whatsapp-optin no-button>` of the page's own, opened by the page's own script through `show()`. */
  noButton?: string;
}

/** The host site: a plain page with the one line a marketer pastes. */
function hostPage(o: PageOptions): { html: string; headers: Record<string, string> } {
  const attrs = [
    `src="${server.url}/widget.js"`,
    `data-app="${o.app ?? ''}"`,
    o.api ? `data-api="${o.api}"` : '',
    o.dataLang ? `data-lang="${o.dataLang}"` : '',
    o.brokenDataLayer ? 'data-ga4' : '',
    o.attrs ?? '',
    'async',
  ]
    .filter(Boolean)
    .join(' ');
  const tag =
    (o.brokenDataLayer ? `<script src="${hostOrigin}/broken-datalayer.js"></script>` : '') +
    (o.bare ? '' : `<script ${attrs}></script>`);
  const html = `<!doctype html>
<html lang="${o.lang ?? 'en'}"><head><meta charset="utf-8"><title>Acme Shoes</title>${o.viewport ? '<meta name="viewport" content="width=device-width, initial-scale=1">' : ''}
${o.hostile ? '<style>* { all: unset !important; } button { display: none !important; } body { font-size: 3px; letter-spacing: 8px; text-transform: uppercase; }</style>' : ''}
</head><body><h1>Acme Shoes</h1><p>Great shoes.</p>
${o.inline ? `<p>Get order updates on WhatsApp: <whatsapp-optin app="${o.inline.app}" campaign="${o.inline.campaign}"></whatsapp-optin></p>` : ''}
${o.noButton ? `<whatsapp-optin id="own" no-button app="${o.noButton}"></whatsapp-optin><button id="mine">Updates by WhatsApp</button><script src="${hostOrigin}/own-trigger.js"></script>` : ''}
${tag}${o.twice ? tag : ''}
</body></html>`;
  const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' };
  // A strict CSP: the widget's origin for scripts and fetches, nothing inline, no eval, no styles.
  if (o.csp)
    headers['content-security-policy'] =
      `default-src 'none'; script-src ${server.url}; connect-src ${server.url}; style-src 'none'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
  if (o.trustedTypes)
    headers['content-security-policy'] =
      `require-trusted-types-for 'script'; trusted-types ${o.trustedTypes === 'lit-html' ? 'lit-html' : 'app'}`;
  return { html, headers };
}

function pageUrl(o: PageOptions): string {
  return `${hostOrigin}/?${encodeURIComponent(JSON.stringify(o))}`;
}

interface Session {
  page: Page;
  /** wa.me URLs the page tried to open. */
  whatsapp: string[];
  /** POSTs to the opt-in route: method and content type. */
  posts: { url: string; contentType: string | undefined }[];
  /** POSTs to the opens route (one per opening of the panel): content type. */
  opens: (string | undefined)[];
  preflights: number;
  consoleErrors: string[];
  pageErrors: string[];
}

/** A page as an iPhone 13 (`phone`), or at one of the Settings tests' widths. */
async function session(device?: 'phone', width?: keyof typeof WIDTHS): Promise<Session> {
  const page = await browser.newPage();
  if (device === 'phone') await page.emulate(KnownDevices['iPhone 13']);
  else if (width) await page.setViewport(WIDTHS[width]);
  const s: Session = { page, whatsapp: [], posts: [], opens: [], preflights: 0, consoleErrors: [], pageErrors: [] };
  await page.setRequestInterception(true);
  page.on('request', (req: HTTPRequest) => {
    const url = req.url();
    if (url.startsWith('https://wa.me/')) {
      s.whatsapp.push(url);
      void req.respond({ status: 200, contentType: 'text/html', body: '<title>WhatsApp</title>' });
      return;
    }
    if (req.method() === 'OPTIONS') s.preflights++;
    if (req.method() === 'POST' && url.includes('/optins'))
      s.posts.push({ url, contentType: req.headers()['content-type'] });
    if (req.method() === 'POST' && url.endsWith('/opens')) s.opens.push(req.headers()['content-type']);
    // Only loopback: nothing leaves the machine.
    if (/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) void req.continue();
    else void req.abort();
  });
  page.on('console', (m) => {
    if (m.type() === 'error') s.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => s.pageErrors.push(String(e)));
  return s;
}

const deep = (sel: string) => `whatsapp-optin >>> ${sel}`;

async function openPanel(page: Page): Promise<void> {
  await page.waitForSelector(deep('[part=button]'), { visible: true });
  // The loader's light button gives way to the panel's when the panel runs (on intent: the pointer
  // over the button); a click may land on either, and both open the panel.
  await page.click(deep('[part=button]')).catch(() => page.click(deep('[part=button]')));
  await page.waitForSelector(deep('form'), { visible: true });
}

async function text(page: Page, sel: string): Promise<string> {
  return page.$eval(deep(sel), (el) => el.textContent ?? '');
}

/** Open, try to continue without consent (refused, and said so), tick, continue. */
async function consentFlow(s: Session, app: { id: string }, phone: string): Promise<void> {
  const { page } = s;
  await openPanel(page);
  await page.type(deep('input[type=tel]'), `+${phone}`);
  await page.click(deep('[part=submit]'));
  await page.waitForFunction(() => {
    const root = document.querySelector('whatsapp-optin')?.shadowRoot;
    return root?.querySelector('input[type=checkbox]')?.getAttribute('aria-invalid') === 'true';
  });
  assert.equal(await text(page, '#consent-error'), 'Tick the box to agree first.');
  assert.equal(await page.$eval(deep('#consent-error'), (el) => el.getAttribute('role')), 'alert');
  assert.equal(
    await page.$eval(deep('input[type=checkbox]'), (el) => el.getAttribute('aria-describedby')),
    'consent-error',
  );
  assert.deepEqual(await server.store.read(consentsFor, app.id, phone), [], 'nothing is recorded without consent');
  assert.equal(s.posts.length, 0, 'nothing was even sent');

  await page.click(deep('input[type=checkbox]'));
  await page.click(deep('[part=submit]'));
}

function assertClean(s: Session): void {
  assert.deepEqual(s.pageErrors, [], 'no exception in the host page');
  assert.deepEqual(s.consoleErrors, [], 'no console error in the host page');
}

/** Screenshots the QR code and decodes it. */
async function readQr(page: Page): Promise<string | null> {
  const svg = await page.waitForSelector(deep('svg[role=img] path'), { visible: true });
  const box = await page.waitForSelector(deep('svg[role=img]'));
  assert.ok(svg && box);
  const png = PNG.sync.read(Buffer.from(await box.screenshot({ type: 'png' })));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
}

before(async () => {
  if (chromeSkip) return;
  assert.ok(existsSync(built), `${built} is missing: run "npm run build" first`);
  server = await startTestServer();
  host = createServer((req, res) => {
    // A host page whose analytics left dataLayer in a state where push throws.
    if (req.url === '/broken-datalayer.js')
      return void res
        .writeHead(200, { 'content-type': 'text/javascript' })
        .end('window.dataLayer = { push() { throw new Error("broken analytics"); } };');
    // The page's own button opens its own element through the documented show().
    if (req.url === '/own-trigger.js')
      return void res
        .writeHead(200, { 'content-type': 'text/javascript' })
        .end("document.getElementById('mine').onclick = () => document.getElementById('own').show();");
    const o = JSON.parse(
      decodeURIComponent(new URL(req.url ?? '/', 'http://x').search.slice(1) || '%7B%7D'),
    ) as PageOptions;
    const { html, headers } = hostPage(o);
    res.writeHead(200, headers).end(html);
  });
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  hostOrigin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  const allowed = { allowedOrigins: [hostOrigin] };
  const live = await server.makeApp({ displayName: 'Acme Shoes', phone: '14155550123', live: true, settings: allowed });
  const sandbox = await server.makeApp({ displayName: 'Sandbox Café', settings: allowed });
  const foreign = await server.makeApp({
    displayName: 'Elsewhere Inc',
    settings: { allowedOrigins: ['https://elsewhere.example'] },
  });
  apps.live = { id: live.app.id, name: live.name };
  apps.sandbox = { id: sandbox.app.id, name: sandbox.name };
  apps.foreign = { id: foreign.app.id, name: foreign.name };
  browser = await launchChrome();
});

after(async () => {
  await browser?.close();
  await new Promise<void>((r) => (host ? host.close(() => r()) : r()));
  await server?.close();
});

describe('widget.js on a host page from another origin', { skip: chromeSkip }, () => {
  it('live app on a phone: consent required, then recorded, then off to its WhatsApp thread', async () => {
    const s = await session('phone');
    const phone = '14155550101';
    await s.page.goto(pageUrl({ app: apps.live.name }));
    await consentFlow(s, apps.live, phone);
    await waitFor(() => s.whatsapp.length > 0, 'the phone was never sent to wa.me');

    const records = await server.store.read(consentsFor, apps.live.id, phone);
    assert.equal(records.length, 1);
    const [record] = records;
    assert.equal(record!.action, 'opt_in');
    assert.equal(record!.via, 'widget');
    assert.equal(record!.locale, 'en');
    assert.equal(record!.wordingVersion, 1);
    assert.equal(record!.page, pageUrl({ app: apps.live.name }));
    assert.match(record!.ref ?? '', /^[A-Z2-9]{6}$/);
    assert.match(record!.userAgent ?? '', /iPhone/);

    const target = s.whatsapp[0]!;
    assert.ok(target.startsWith('https://wa.me/14155550123?text='), target);
    assert.match(
      decodeURIComponent(new URL(target).search.slice('?text='.length)),
      new RegExp(`\\(ref ${record!.ref}\\)$`),
    );

    // Simple requests: JSON as text/plain, so no CORS preflight, for the consent and the open alike.
    assert.equal(s.posts.length, 1);
    assert.match(s.posts[0]!.contentType ?? '', /^text\/plain/);
    assert.equal(s.opens.length, 1, 'one open counted for one opening');
    assert.match(s.opens[0] ?? '', /^text\/plain/);
    assert.equal(s.preflights, 0);
    assertClean(s);
    await s.page.close();
  });

  it('sandbox app on a desktop: a QR code of PROXY <name>, and a link to open WhatsApp here', async () => {
    const s = await session();
    const phone = '14155550102';
    await s.page.goto(pageUrl({ app: apps.sandbox.name }));
    await consentFlow(s, apps.sandbox, phone);
    const expected = `https://wa.me/917834811114?text=PROXY%20${apps.sandbox.name}`;
    assert.equal(await readQr(s.page), expected);
    assert.equal(
      await s.page.$eval(deep(`a[href="${expected}"]`), (a) => a.textContent),
      'Open WhatsApp on this computer',
    );
    // Said to a screen reader, politely: what to do next.
    assert.equal(
      await s.page.$eval(deep('#scan'), (p) => `${p.getAttribute('role')}: ${p.textContent}`),
      'status: Scan with your phone to open WhatsApp.',
    );
    assert.deepEqual(s.whatsapp, [], 'a desktop is not navigated away');
    const records = await server.store.read(consentsFor, apps.sandbox.id, phone);
    assert.equal(records.length, 1);
    assert.equal(records[0]!.via, 'widget');
    assertClean(s);
    await s.page.close();
  });

  it('works under a strict CSP: no inline script or style, no eval', async () => {
    const s = await session();
    const phone = '14155550103';
    await s.page.goto(pageUrl({ app: apps.sandbox.name, csp: true }));
    const bg = await s.page.waitForFunction(() => {
      const b = document.querySelector('whatsapp-optin')?.shadowRoot?.querySelector('[part=button]');
      return b && getComputedStyle(b).position === 'fixed' ? getComputedStyle(b).backgroundColor : null;
    });
    assert.equal(await bg.jsonValue(), 'rgb(37, 211, 102)', 'the styles apply under style-src none');
    await consentFlow(s, apps.sandbox, phone);
    // The QR module is a second script from the widget's origin, allowed by script-src.
    assert.equal(await readQr(s.page), `https://wa.me/917834811114?text=PROXY%20${apps.sandbox.name}`);
    assert.equal((await server.store.read(consentsFor, apps.sandbox.id, phone)).length, 1);
    assertClean(s);
    await s.page.close();
  });

  it('under a strict CSP, the greeting bubble takes the button’s offsets without an inline style (no CSP report)', async () => {
    const s = await session();
    await s.page.goto(
      pageUrl({ app: apps.sandbox.name, csp: true, attrs: 'data-greeting="Questions? Ask us" data-offset-y="150"' }),
    );
    const bubble = await s.page.waitForSelector('whatsapp-optin-bubble >>> [part=bubble]', { visible: true });
    const button = await s.page.waitForSelector(deep('[part=button]'), { visible: true });
    const b = (await bubble!.boundingBox())!;
    const k = (await button!.boundingBox())!;
    const vh = await s.page.evaluate(() => innerHeight);
    assert.equal(Math.round(vh - (k.y + k.height)), 150, 'the button moved up 150 px');
    assert.ok(b.y + b.height <= k.y, `the bubble sits above the button: ${JSON.stringify({ b, k })}`);
    // The page's CSP forbids inline styles: a style attribute set as text would have been refused
    // (the bubble then sat on the button) and reported as a console error.
    assertClean(s);
    await s.page.close();
  });

  it('a page’s own <whatsapp-optin no-button> is defined after load (show() and whenDefined work) and shows no button', async () => {
    const s = await session();
    await s.page.goto(pageUrl({ noButton: apps.live.name }));
    await s.page.evaluate(() => customElements.whenDefined('whatsapp-optin'));
    assert.equal(await s.page.$(deep('[part=button]')), null, 'no button on a no-button element');
    await s.page.click('#mine');
    await s.page.waitForSelector(deep('form'), { visible: true });
    assertClean(s);
    await s.page.close();
  });

  it('survives hostile CSS: * { all: unset } and button { display: none }', async () => {
    const s = await session('phone');
    const phone = '14155550104';
    await s.page.goto(pageUrl({ app: apps.live.name, hostile: true }));
    // Measured once the panel has taken over from the loader's button (on intent: the pointer over it).
    await s.page.hover(deep('[part=button]'));
    await s.page.evaluate(() => customElements.whenDefined('whatsapp-optin'));
    const button = await s.page.waitForSelector(deep('[part=button]'), { visible: true });
    const box = (await button!.boundingBox())!;
    assert.ok(box.width >= 44 && box.height >= 44, `button is ${box.width}×${box.height}`);
    const onTop = await s.page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.tagName, {
      x: box.x + box.width / 2,
      y: box.y + box.height / 2,
    });
    assert.equal(onTop, 'WHATSAPP-OPTIN');
    await consentFlow(s, apps.live, phone);
    await waitFor(() => s.whatsapp.length > 0, 'no redirect on the hostile page');
    assert.equal((await server.store.read(consentsFor, apps.live.id, phone)).length, 1);
    assertClean(s);
    await s.page.close();
  });

  it('including the script twice adds one button and no error', async () => {
    const s = await session();
    await s.page.goto(pageUrl({ app: apps.sandbox.name, twice: true }));
    await s.page.waitForSelector(deep('[part=button]'), { visible: true });
    await s.page.waitForNetworkIdle();
    assert.equal(await s.page.$$eval('whatsapp-optin', (els) => els.length), 1);
    assertClean(s);
    await s.page.close();
  });

  it('defines no global but the element', async () => {
    const s = await session();
    await s.page.goto(pageUrl({ bare: true }));
    const baseline = await s.page.evaluate(() => Object.getOwnPropertyNames(window));
    await s.page.goto(pageUrl({ app: apps.sandbox.name }));
    await s.page.waitForSelector(deep('[part=button]'), { visible: true });
    // The panel too, once it runs.
    await s.page.hover(deep('[part=button]'));
    await s.page.evaluate(() => customElements.whenDefined('whatsapp-optin'));
    const after = await s.page.evaluate(() => Object.getOwnPropertyNames(window));
    assert.deepEqual(
      after.filter((k) => !baseline.includes(k)),
      [],
    );
    // Nor does it change a built-in (Lit's Symbol.metadata polyfill is stripped).
    assert.equal(
      await s.page.evaluate(() => typeof (Symbol as unknown as { metadata?: symbol }).metadata),
      'undefined',
    );
    assert.equal(await s.page.evaluate(() => typeof customElements.get('whatsapp-optin')), 'function');
    assertClean(s);
    await s.page.close();
  });

  it('under Trusted Types: works where lit-html is an allowed policy, even twice; elsewhere its button opens the hosted consent page, throwing nothing', async () => {
    const ok = await session();
    await ok.page.goto(pageUrl({ app: apps.sandbox.name, trustedTypes: 'lit-html', twice: true }));
    await ok.page.waitForSelector(deep('[part=button]'), { visible: true });
    await openPanel(ok.page);
    assertClean(ok);
    await ok.page.close();
    const refused = await session();
    await refused.page.goto(pageUrl({ app: apps.sandbox.name, trustedTypes: 'app-only' }));
    await refused.page.waitForNetworkIdle();
    assert.deepEqual(refused.pageErrors, [], 'no exception in the host page');
    // The loader draws its button without Lit; the panel cannot run here, so the button opens the
    // hosted consent page instead (the same consent, via widget, the page recorded).
    const opened = browser.waitForTarget((t) => t.url().includes(`/o/${apps.sandbox.name}?`));
    await refused.page.click(deep('[part=button]'));
    const url = new URL((await opened).url());
    assert.equal(url.searchParams.get('via'), 'widget');
    assert.equal(url.searchParams.get('page'), pageUrl({ app: apps.sandbox.name, trustedTypes: 'app-only' }));
    assert.deepEqual(refused.pageErrors, [], 'no exception in the host page');
    assert.equal(await refused.page.evaluate(() => customElements.get('whatsapp-optin')), undefined);
    await refused.page.close();
  });

  it("records a consent once and hands over even when the page's dataLayer throws", async () => {
    const s = await session('phone');
    await s.page.goto(pageUrl({ app: apps.live.name, brokenDataLayer: true }));
    const phone = '14155550188';
    await consentFlow(s, apps.live, phone);
    await waitFor(() => s.whatsapp.length > 0, 'the phone was never sent to wa.me');
    assert.match(s.whatsapp[0]!, /^https:\/\/wa\.me\/14155550123\?text=/);
    assert.equal((await server.store.read(consentsFor, apps.live.id, phone)).length, 1, 'recorded once');
    assert.deepEqual(s.pageErrors, []);
    await s.page.close();
  });

  it("names a business whose name holds $' and $& as it is", async () => {
    const odd = await server.makeApp({
      displayName: "Tom$'s Café & $& Co",
      settings: { allowedOrigins: [hostOrigin] },
    });
    const s = await session();
    await s.page.goto(pageUrl({ app: odd.name }));
    await openPanel(s.page);
    assert.equal(await text(s.page, 'h2'), "Tom$'s Café & $& Co on WhatsApp");
    assertClean(s);
    await s.page.close();
  });

  it('follows data-lang, then <html lang>', async () => {
    const s = await session();
    await s.page.goto(pageUrl({ app: apps.sandbox.name, lang: 'pt-BR' }));
    await s.page.waitForSelector(deep('[part=button][aria-label="Conversar no WhatsApp"]'));
    await openPanel(s.page);
    assert.equal(await text(s.page, 'h2'), 'Sandbox Café no WhatsApp');
    await s.page.goto(pageUrl({ app: apps.sandbox.name, lang: 'pt-BR', dataLang: 'es' }));
    await s.page.waitForSelector(deep('[part=button][aria-label="Chatear por WhatsApp"]'));
    assertClean(s);
    await s.page.close();
  });

  it('a server that is down: a visible error with Try again, and nothing thrown into the page', async () => {
    const s = await session();
    await s.page.goto(pageUrl({ app: apps.sandbox.name, api: 'http://127.0.0.1:9' }));
    await s.page.waitForSelector(deep('[part=button]'), { visible: true });
    // The loader's button may give way to the panel's between finding it and clicking it.
    await s.page.click(deep('[part=button]')).catch(() => s.page.click(deep('[part=button]')));
    await s.page.waitForSelector(deep('[role=alert]'), { visible: true });
    assert.equal(await text(s.page, '[role=alert]'), 'Could not connect. Check your connection.');
    assert.equal(await text(s.page, '[part=submit]'), 'Try again');
    await s.page.click(deep('[part=submit]'));
    await s.page.waitForSelector(deep('[role=alert]'), { visible: true });
    assert.deepEqual(s.pageErrors, []);
    // Chromium itself logs the refused connection; the widget adds nothing of its own.
    assert.deepEqual(
      s.consoleErrors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e)),
      [],
    );
    await s.page.close();
  });

  it('an origin the app does not allow: the hosted consent page at open, no form, nothing typed or posted, the page unharmed', async () => {
    const s = await session();
    const warnings: string[] = [];
    s.page.on('console', (m) => void (m.type() === 'warn' && warnings.push(m.text())));
    await s.page.goto(pageUrl({ app: apps.foreign.name }));
    await s.page.waitForSelector(deep('[part=button]'), { visible: true });
    await s.page.click(deep('[part=button]')).catch(() => s.page.click(deep('[part=button]')));
    const link = await s.page.waitForSelector(deep('a[part=submit]'), { visible: true });
    assert.equal(await text(s.page, '[role=alert]'), 'Continue on the secure consent page (it opens in a new tab).');
    assert.equal(await s.page.$(deep('form')), null, 'no form to type into');
    const href = new URL(await link!.evaluate((a) => (a as HTMLAnchorElement).href));
    assert.equal(`${href.origin}${href.pathname}`, `${server.url}/o/${apps.foreign.name}`);
    assert.equal(href.searchParams.get('via'), 'widget');
    assert.equal(href.searchParams.get('page'), pageUrl({ app: apps.foreign.name }));
    assert.equal(s.opens.length, 1);
    assert.equal(s.posts.length, 0, 'no consent was posted');
    assert.equal(s.preflights, 0);
    await waitFor(() => warnings.length > 0, 'no console warning');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, new RegExp(`add ${hostOrigin.replace(/[.]/g, '\\.')} to "Allowed origins"`));
    // The Settings page offers to allow it, as it does for a refused consent.
    assert.deepEqual(
      server.deps.refusedOrigins.list(apps.foreign.id).map((r) => r.origin),
      [hostOrigin],
    );
    assert.deepEqual(s.pageErrors, []);
    assert.deepEqual(s.whatsapp, []);
    await s.page.close();
  });
  for (const width of ['phone', 'desktop'] as const)
    it(`an origin the app does not allow: the panel's hosted hand-over passes axe at ${WIDTHS[width].width} px`, async () => {
      const s = await session(undefined, width);
      await s.page.setBypassCSP(true); // only to inject axe
      await s.page.goto(pageUrl({ app: apps.foreign.name, viewport: true }));
      await s.page.waitForSelector(deep('[part=button]'), { visible: true });
      await s.page.click(deep('[part=button]')).catch(() => s.page.click(deep('[part=button]')));
      const link = await s.page.waitForSelector(deep('a[part=submit]'), { visible: true });
      // The whole link is on screen.
      const box = (await link!.boundingBox())!;
      const { width: w, height: h } = WIDTHS[width];
      assert.ok(box.x >= 0 && box.x + box.width <= w && box.y >= 0 && box.y + box.height <= h, JSON.stringify(box));
      await axe(s.page, `the hosted hand-over at ${WIDTHS[width].width} px`);
      assert.deepEqual(s.pageErrors, []);
      await s.page.close();
    });

  it('an origin the app does not allow, end to end: the hosted link opens the consent page in a new tab, and agreeing there records the consent via widget with the page', async () => {
    const s = await session();
    const from = pageUrl({ app: apps.foreign.name });
    await s.page.goto(from);
    await s.page.waitForSelector(deep('[part=button]'), { visible: true });
    await s.page.click(deep('[part=button]')).catch(() => s.page.click(deep('[part=button]')));
    const link = await s.page.waitForSelector(deep('a[part=submit]'), { visible: true });
    const opened = browser.waitForTarget((t) => t.opener() === s.page.target());
    await link!.click();
    const tab = (await (await opened).page())!;
    await tab.waitForSelector('#phone', { visible: true });
    const at = new URL(tab.url());
    assert.equal(`${at.origin}${at.pathname}`, `${server.url}/o/${apps.foreign.name}`);
    assert.equal(at.searchParams.get('via'), 'widget');
    assert.equal(at.searchParams.get('page'), from);
    // The consent page hands over to WhatsApp: answered here, nothing leaves the machine.
    const whatsapp: string[] = [];
    await tab.setRequestInterception(true);
    tab.on('request', (req) => {
      if (req.url().startsWith('https://wa.me/')) {
        whatsapp.push(req.url());
        void req.respond({ status: 200, contentType: 'text/html', body: '<title>WhatsApp</title>' });
      } else if (/^http:\/\/127\.0\.0\.1:\d+\//.test(req.url())) void req.continue();
      else void req.abort();
    });
    const phone = '14155550192';
    await tab.type('#phone', `+${phone}`);
    await tab.click('#consent');
    await Promise.all([tab.waitForNavigation(), tab.click('#continue')]);
    assert.equal(whatsapp.length, 1, 'handed over to WhatsApp');
    assert.match(whatsapp[0]!, /^https:\/\/wa\.me\/917834811114\?text=PROXY/);
    const records = await server.store.read(consentsFor, apps.foreign.id, phone);
    assert.equal(records.length, 1);
    assert.equal(records[0]!.via, 'widget');
    assert.equal(records[0]!.page, from);
    assert.equal(s.posts.length, 0, 'the refused site posted nothing itself');
    assert.deepEqual(s.pageErrors, []);
    await tab.close();
    await s.page.close();
  });

  it('an inline <whatsapp-optin app campaign> in the page’s HTML works end to end, with or without data-app on the script', async () => {
    const inline = 'p whatsapp-optin';
    const flow = async (o: PageOptions, phone: string, elements: { all: number; floating: number }) => {
      const s = await session('phone');
      await s.page.goto(pageUrl(o));
      const button = await s.page.waitForSelector(`${inline} >>> [part=button]`, { visible: true });
      await s.page.waitForNetworkIdle();
      assert.deepEqual(
        {
          all: await s.page.$$eval('whatsapp-optin', (els) => els.length),
          floating: await s.page.$$eval('whatsapp-optin[floating]', (els) => els.length),
        },
        elements,
      );
      // Inline, labelled, in the text's flow.
      assert.equal(await button!.evaluate((b) => b.textContent?.trim()), 'Chat on WhatsApp');
      assert.notEqual(await button!.evaluate((b) => getComputedStyle(b).position), 'fixed');
      await s.page.click(`${inline} >>> [part=button]`).catch(() => s.page.click(`${inline} >>> [part=button]`));
      await s.page.waitForSelector(`${inline} >>> form`, { visible: true });
      await s.page.type(`${inline} >>> input[type=tel]`, `+${phone}`);
      await s.page.click(`${inline} >>> input[type=checkbox]`);
      await s.page.click(`${inline} >>> [part=submit]`);
      await waitFor(() => s.whatsapp.length > 0, 'the phone was never sent to wa.me');
      assert.match(s.whatsapp[0]!, /^https:\/\/wa\.me\/14155550123\?text=/);
      const records = await server.store.read(consentsFor, apps.live.id, phone);
      assert.equal(records.length, 1);
      assert.equal(records[0]!.campaign, 'checkout');
      assert.equal(records[0]!.via, 'widget');
      assert.equal(records[0]!.page, pageUrl(o));
      assertClean(s);
      await s.page.close();
    };
    // Without data-app the script adds nothing of its own: the page's element is the only one.
    await flow({ inline: { app: apps.live.name, campaign: 'checkout' } }, '14155550193', { all: 1, floating: 0 });
    // With data-app: the floating button too, and the inline element keeps its own campaign.
    await flow({ app: apps.live.name, inline: { app: apps.live.name, campaign: 'checkout' } }, '14155550194', {
      all: 2,
      floating: 1,
    });
  });
});

async function waitFor(check: () => boolean, message: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(message);
    await new Promise((r) => setTimeout(r, 25));
  }
}
