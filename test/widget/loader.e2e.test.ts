/**
 * The loader (`widget.js`) as marketers configure it: the app's widget settings and the script
 * tag's `data-` attributes, on host pages from another loopback origin, in Chromium, against the
 * real server and the BUILT files. Covers when the panel loads, the greeting bubble, triggers and
 * wa.me links, device and path rules, label and offsets, analytics, the prefill's page variables,
 * and axe at 320 and 1280 px. Needs `npm run build` first (`npm test` does it).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KnownDevices, type Browser, type Page } from 'puppeteer-core';
import { chromeSkip, launchChrome } from '../support/chrome.js';
import { axe, WIDTHS } from '../support/settings-browser.js';
import { ADMIN, startTestServer, type TestServer } from '../support/server.js';
import { consentsFor } from '../../server/store/ledger.js';

const built = join(import.meta.dirname, '../../dist/widget/widget.js');

let server: TestServer;
let host: Server;
let hostOrigin: string;
let browser: Browser;
let plain: { id: string; name: string };
let greeter: { id: string; name: string };
let phones: { id: string; name: string };
let desktops: { id: string; name: string };
let addressed: { id: string; name: string };
let spanish: { id: string; name: string };
let tagged: { id: string; name: string };
/** While set, the host page's image does not answer: the page's load event waits. */
let holdLoad: (() => void) | null = null;
let holding: Promise<void> | null = null;

interface HostPage {
  app: string;
  data?: Record<string, string>;
  body?: string;
  /** An image that answers only when released: the page's load event waits for it. */
  slowImage?: boolean;
  head?: string;
  /** The page's `<html lang>` (English unless set). */
  lang?: string;
}

function pageUrl(p: HostPage, path = '/'): string {
  return `${hostOrigin}${path}?${encodeURIComponent(JSON.stringify(p))}`;
}

function hostHtml(p: HostPage): string {
  const data = Object.entries(p.data ?? {})
    .map(([k, v]) => ` data-${k}="${v}"`)
    .join('');
  return `<!doctype html><html lang="${p.lang ?? 'en'}"><head><meta charset="utf-8"><title>Red shoes | Acme</title>${p.head ?? ''}</head>
<body><main><h1>Red shoes</h1><p>Great shoes.</p>${p.body ?? ''}
${p.slowImage ? '<img src="/slow.png" alt="">' : ''}
<div style="height:3000px"></div></main>
<script src="${server.url}/widget.js" data-app="${p.app}"${data} async></script></body></html>`;
}

interface Session {
  page: Page;
  whatsapp: string[];
  panelRequests: string[];
  /** Each answer the page got for a panel file: whether it came from the HTTP cache. */
  panelFromCache: boolean[];
  errors: string[];
}

async function open(p: HostPage, o: { path?: string; device?: 'phone'; width?: keyof typeof WIDTHS } = {}) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  if (o.device === 'phone') await page.emulate(KnownDevices['iPhone 13']);
  else await page.setViewport(WIDTHS[o.width ?? 'desktop']);
  await page.setBypassCSP(true);
  const s: Session = { page, whatsapp: [], panelRequests: [], panelFromCache: [], errors: [] };
  // Interception here leaves the HTTP cache on (puppeteer-core 24), as on a visitor's browser.
  await page.setRequestInterception(true);
  page.on('response', (r) => {
    if (r.url().includes('/widget-panel.')) s.panelFromCache.push(r.fromCache());
  });
  page.on('request', (req) => {
    const url = req.url();
    if (url.startsWith('https://wa.me/')) {
      if (!url.endsWith('/favicon.ico')) s.whatsapp.push(url);
      void req.respond({ status: 200, contentType: 'text/html', body: '<title>WhatsApp</title>' });
      return;
    }
    if (url.includes('/widget-panel.')) s.panelRequests.push(url);
    if (/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) void req.continue();
    else void req.abort();
  });
  page.on('pageerror', (e) => s.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') s.errors.push(m.text());
  });
  await page.goto(pageUrl(p, o.path), { waitUntil: p.slowImage ? 'domcontentloaded' : 'load' });
  return s;
}

const deep = (sel: string) => `whatsapp-optin >>> ${sel}`;
const bubble = (sel: string) => `whatsapp-optin-bubble >>> ${sel}`;

/** Points at the floating button (the intent that runs the panel), then clicks the panel's button. */
async function clickButton(page: Page): Promise<void> {
  await page.waitForSelector(deep('[part=button]'), { visible: true });
  await page.hover(deep('[part=button]'));
  await page.evaluate(() => customElements.whenDefined('whatsapp-optin'));
  await page.click(deep('[part=button]'));
}

const dialogOpen = (page: Page) =>
  page.waitForFunction(() => !!document.querySelector('whatsapp-optin')?.shadowRoot?.querySelector('dialog[open]'));

/** Types the number, ticks the box and continues, in the open panel. */
async function agree(page: Page, phone: string): Promise<void> {
  await page.type(deep('input[type=tel]'), phone);
  await page.click(deep('input[type=checkbox]'));
  await page.click(deep('[part=submit]'));
}

/**
 * Waits until the loader has read the app's settings and drawn what it draws: it fetches the panel
 * at idle only after that (a page with a trigger or an element), so a button or bubble that is
 * absent then is absent for good.
 */
async function settled(s: Session): Promise<void> {
  for (let i = 0; i < 400 && !s.panelRequests.length; i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(s.panelRequests.length, 'the loader never fetched the panel');
}

before(async () => {
  if (chromeSkip) return;
  assert.ok(existsSync(built), `${built} is missing: run "npm run build" first`);
  server = await startTestServer();
  host = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/slow.png') {
      const gif = Buffer.from('R0lGODlhAQABAAAAACw=', 'base64');
      void (holding ?? Promise.resolve()).then(() => res.writeHead(200, { 'content-type': 'image/gif' }).end(gif));
      return;
    }
    const p = JSON.parse(decodeURIComponent(url.search.slice(1) || '%7B%7D')) as HostPage;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostHtml(p));
  });
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  hostOrigin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  const allowedOrigins = [hostOrigin];
  const make = async (displayName: string, settings: object) => {
    const a = await server.makeApp({ displayName, phone: '14155550123', live: true, settings });
    return { id: a.app.id, name: a.name };
  };
  plain = await make('Plain Shoes', { allowedOrigins, prefill: 'Hi! About {title}' });
  greeter = await make('Greeting Shoes', {
    allowedOrigins,
    widget: {
      greeting: { text: { en: 'Questions about sizes? Ask us!' }, delaySeconds: 1 },
      buttonLabel: { en: 'Chat with us' },
      offset: { x: 24, y: 96 },
    },
  });
  phones = await make('Phone Shoes', { allowedOrigins, widget: { devices: 'phones', hidePaths: ['/checkout*'] } });
  desktops = await make('Desk Shoes', { allowedOrigins, widget: { devices: 'desktops' } });
  addressed = await make('Address Shoes', { allowedOrigins, prefill: 'About {url}' });
  spanish = await make('Zapatos', {
    allowedOrigins,
    widget: {
      greeting: { text: { en: 'Questions? Ask us', es: '¿Dudas con la talla? Escríbenos' } },
      buttonLabel: { en: 'Chat with us', es: 'Escríbenos' },
    },
  });
  // Analytics switched on as a marketer does through the API, not by data- attributes.
  tagged = await make('Tagged Shoes', { allowedOrigins });
  const patched = await fetch(`${server.url}/api/v1/apps/${tagged.name}`, {
    method: 'PATCH',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify({ widget: { analytics: { ga4: true, gtm: true, metaPixel: true } } }),
  });
  assert.equal(patched.status, 200, await patched.text());
  browser = await launchChrome();
});

after(async () => {
  await browser?.close();
  await new Promise<void>((r) => (host ? host.close(() => r()) : r()));
  await server?.close();
});

describe('widget.js, the loader', { skip: chromeSkip }, () => {
  it('draws the button at once; after the page’s load event, at idle, fetches the panel without running it; runs it on intent', async () => {
    holding = new Promise<void>((r) => (holdLoad = r));
    const s = await open({ app: plain.name, slowImage: true });
    await s.page.waitForSelector(deep('[part=button]'), { visible: true });
    // The button is the loader's own, without Lit; nothing more came while the page is loading.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await s.page.evaluate(() => document.readyState), 'interactive');
    assert.deepEqual(s.panelRequests, [], 'no panel before the load event');
    assert.equal(await s.page.evaluate(() => customElements.get('whatsapp-optin')), undefined);
    holdLoad!();
    holding = null;
    // At idle the panel comes into the HTTP cache, and is not run: no Lit on the host page's main
    // thread until the visitor shows intent (the bench's Lighthouse TBT, with and without).
    for (let i = 0; i < 200 && !s.panelRequests.length; i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(
      s.panelRequests.map((u) => new URL(u).pathname),
      ['/widget-panel.en.js'],
    );
    await s.page.waitForNetworkIdle();
    assert.equal(await s.page.evaluate(() => customElements.get('whatsapp-optin')), undefined, 'not run at idle');
    // The pointer over the button is intent: the panel runs, from the cache (no second request).
    await s.page.hover(deep('[part=button]'));
    await s.page.waitForFunction(() => !!customElements.get('whatsapp-optin'));
    await s.page.waitForNetworkIdle();
    assert.equal(s.panelFromCache.filter((c) => !c).length, 1, `one download of the panel: ${s.panelFromCache}`);
    await s.page.click(deep('[part=button]'));
    await dialogOpen(s.page);
    assert.deepEqual(s.errors, []);
    await s.page.close();
  });

  it('a click before the panel is there loads it at once and opens it', async () => {
    holding = new Promise<void>((r) => (holdLoad = r));
    const s = await open({ app: plain.name, slowImage: true });
    await s.page.waitForSelector(deep('[part=button]'), { visible: true });
    await s.page.click(deep('[part=button]'));
    await dialogOpen(s.page);
    // The first field has focus, not the close button.
    await s.page.waitForFunction(
      () => document.querySelector('whatsapp-optin')!.shadowRoot!.activeElement?.id === 'phone',
    );
    holdLoad!();
    holding = null;
    await s.page.close();
  });

  it('the prefill names the page: {title} becomes the host page’s title', async () => {
    const s = await open({ app: plain.name }, { device: 'phone' });
    await clickButton(s.page);
    await dialogOpen(s.page);
    assert.match(await s.page.$eval(deep('form small'), (e) => e.textContent ?? ''), /press Send/);
    await s.page.type(deep('input[type=tel]'), '+14155550161');
    await s.page.click(deep('input[type=checkbox]'));
    await s.page.click(deep('[part=submit]'));
    for (let i = 0; i < 100 && !s.whatsapp.length; i++) await new Promise((r) => setTimeout(r, 50));
    const text = new URL(s.whatsapp[0]!).searchParams.get('text')!;
    assert.match(text, /^Hi! About Red shoes \| Acme \(ref [A-Z2-9]{6}\)$/);
    const [c] = await server.store.read(consentsFor, plain.id, '14155550161');
    assert.equal(c?.page, pageUrl({ app: plain.name }));
    await s.page.close();
  });

  it('greets after the delay with the app’s text, beside a labelled, offset button; the bubble opens the panel, once per visitor', async () => {
    const s = await open({ app: greeter.name });
    await s.page.waitForSelector(deep('[part=button]'), { visible: true });
    assert.equal(await s.page.$(bubble('[part=bubble]')), null, 'not before the delay');
    const say = await s.page.waitForSelector(bubble('[part=greeting]'), { visible: true, timeout: 3000 });
    assert.equal(await say!.evaluate((e) => e.textContent), 'Questions about sizes? Ask us!');
    const box = await s.page.$eval(deep('[part=button]'), (b) => {
      const r = b.getBoundingClientRect();
      return { right: innerWidth - r.right, bottom: innerHeight - r.bottom, text: b.textContent?.trim() };
    });
    assert.deepEqual(box, { right: 24, bottom: 96, text: 'Chat with us' });
    await axe(s.page, 'the bubble at 1280 px');
    await say!.click();
    await dialogOpen(s.page);
    assert.equal(await s.page.$('whatsapp-optin-bubble'), null, 'opening the panel closes the bubble');
    // The same visitor comes back: no bubble again.
    await s.page.reload();
    await s.page.waitForSelector(deep('[part=button]'), { visible: true });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await s.page.$('whatsapp-optin-bubble'), null);
    assert.deepEqual(s.errors, []);
    await s.page.close();
  });

  it('greets on scroll, closes with ×, and data- attributes override the app', async () => {
    const s = await open(
      {
        app: plain.name,
        data: { greeting: 'Need help?', 'greeting-scroll': '40', 'greeting-once': 'false', label: 'Ask us' },
      },
      { width: 'phone' },
    );
    await s.page.waitForSelector(deep('[part=button]'), { visible: true });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await s.page.$('whatsapp-optin-bubble'), null, 'not before scrolling');
    await s.page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight * 0.5));
    await s.page.waitForSelector(bubble('[part=greeting]'), { visible: true });
    assert.equal(await s.page.$eval(deep('[part=button]'), (b) => b.textContent?.trim()), 'Ask us');
    await axe(s.page, 'the bubble at 320 px');
    await s.page.click(bubble('[part=close]'));
    assert.equal(await s.page.$('whatsapp-optin-bubble'), null);
    assert.deepEqual(s.errors, []);
    await s.page.close();
  });

  it('triggers: .optin-open, [data-optin-open] and links to the business’s wa.me number open the consent panel first', async () => {
    const body = `<p><button class="optin-open">Get updates</button>
      <a href="#" data-optin-open>Subscribe</a>
      <a id="ours" href="https://wa.me/14155550123?text=Hi">Chat with us</a>
      <a id="api" href="https://api.whatsapp.com/send?phone=%2B1%20415%20555%200123">Chat (api)</a>
      <a id="other" href="https://wa.me/14155550999">Someone else</a></p>`;
    const s = await open({ app: plain.name, body });
    for (const sel of ['.optin-open', '[data-optin-open]', '#ours', '#api']) {
      await s.page.click(sel);
      await dialogOpen(s.page);
      assert.deepEqual(s.whatsapp, [], `${sel} did not go to WhatsApp without consent`);
      await s.page.keyboard.press('Escape');
      await s.page.waitForFunction(
        () => !document.querySelector('whatsapp-optin')?.shadowRoot?.querySelector('dialog[open]'),
      );
      if (sel !== '#ours' && sel !== '#api')
        assert.equal(
          await s.page.evaluate(() => document.activeElement?.matches('.optin-open,[data-optin-open]')),
          true,
        );
    }
    // Another number's link is left alone.
    await Promise.all([s.page.waitForNavigation(), s.page.click('#other')]);
    assert.deepEqual(s.whatsapp, ['https://wa.me/14155550999']);
    await s.page.close();
    // Switched off by data- attributes: the page's own links work as before.
    const off = await open({ app: plain.name, body, data: { triggers: 'false', 'wa-links': 'false' } });
    await off.page.click('.optin-open');
    await Promise.all([off.page.waitForNavigation(), off.page.click('#ours')]);
    assert.deepEqual(off.whatsapp, ['https://wa.me/14155550123?text=Hi']);
    await off.page.close();
  });

  it('shows on phones only when the app says so, and hides on its paths; triggers still open the panel', async () => {
    const desk = await open({ app: phones.name, body: '<button class="optin-open">Updates</button>' });
    await desk.page.waitForNetworkIdle();
    assert.equal(await desk.page.$('whatsapp-optin[floating]'), null, 'no floating button on a desktop');
    await desk.page.click('.optin-open');
    await dialogOpen(desk.page);
    assert.equal(await desk.page.$(deep('[part=button]')), null, 'the panel’s element has no button of its own');
    await desk.page.close();

    const phone = await open({ app: phones.name }, { device: 'phone' });
    await phone.page.waitForSelector(deep('[part=button]'), { visible: true });
    await phone.page.close();

    const checkout = await open({ app: phones.name }, { device: 'phone', path: '/checkout/pay' });
    await checkout.page.waitForNetworkIdle();
    assert.equal(await checkout.page.$('whatsapp-optin'), null, 'hidden on /checkout*');
    await checkout.page.close();

    // data-devices and data-hide-paths override the app.
    const both = await open({ app: phones.name, data: { devices: 'desktops', 'hide-paths': '/cart,/account/*' } });
    await both.page.waitForSelector(deep('[part=button]'), { visible: true });
    await both.page.close();
    const cart = await open({ app: plain.name, data: { 'hide-paths': '/cart,/account/*' } }, { path: '/account/me' });
    await cart.page.waitForNetworkIdle();
    assert.equal(await cart.page.$('whatsapp-optin'), null);
    await cart.page.close();
  });

  it('analytics: nothing by default; GA4, GTM and the Meta Pixel when switched on', async () => {
    const head = `<script>window.dataLayer=[];window.fbqCalls=[];window.fbq=function(){fbqCalls.push([].slice.call(arguments))};</script>`;
    let flows = 0;
    const flow = async (data: Record<string, string>) => {
      // A desktop: the page stays (a QR code) rather than going to WhatsApp.
      const s = await open({ app: plain.name, head, data });
      await clickButton(s.page);
      await dialogOpen(s.page);
      await s.page.type(deep('input[type=tel]'), `+1415555015${flows++}`);
      await s.page.click(deep('input[type=checkbox]'));
      await s.page.click(deep('[part=submit]'));
      await s.page.waitForFunction(
        () => !!document.querySelector('whatsapp-optin')?.shadowRoot?.querySelector('#scan'),
      );
      return s;
    };
    // The page's CSP is bypassed in these sessions, so the inline head script runs.
    const off = await flow({});
    const seen = await off.page.evaluate(() => ({
      dl: (window as unknown as { dataLayer: unknown[] }).dataLayer.length,
      fb: (window as unknown as { fbqCalls: unknown[] }).fbqCalls.length,
    }));
    assert.deepEqual(seen, { dl: 0, fb: 0 });
    await off.page.close();
    const on = await flow({ gtm: '', 'meta-pixel': 'true', ga4: '' });
    await on.page.waitForFunction(() => (window as unknown as { dataLayer: unknown[] }).dataLayer.length >= 6);
    const got = await on.page.evaluate(() => ({
      dl: (window as unknown as { dataLayer: { event: string }[] }).dataLayer.map((e) => e.event),
      fb: (window as unknown as { fbqCalls: string[][] }).fbqCalls.map((c) => `${c[0]}:${c[1]}`),
    }));
    assert.deepEqual(got.dl.sort(), [
      'generate_lead',
      'optin_consent',
      'optin_open',
      'optin_open',
      'optin_redirect',
      'optin_redirect',
    ]);
    assert.deepEqual(got.fb, ['trackCustom:OptinOpen', 'track:Lead', 'trackCustom:OptinRedirect']);
    await on.page.close();
  });
  it('analytics switched on in the app’s settings: GA4 through the page’s own gtag(), GTM and the Meta Pixel; data-ga4="false" still wins', async () => {
    // A page with real tags: gtag() as GA4's snippet defines it (here it records its calls), GTM's
    // dataLayer, and fbq. The script tag says nothing about analytics: the app's settings do.
    const head = `<script>window.dataLayer=[];window.gtagCalls=[];window.gtag=function(){gtagCalls.push([].slice.call(arguments))};window.fbqCalls=[];window.fbq=function(){fbqCalls.push([].slice.call(arguments))};</script>`;
    type Tags = { gtagCalls: unknown[][]; dataLayer: { event: string }[]; fbqCalls: unknown[][] };
    const tags = (page: Page) =>
      page.evaluate(() => {
        const w = window as unknown as Tags;
        return { gtag: w.gtagCalls, dl: w.dataLayer.map((e) => e.event), fb: w.fbqCalls };
      });
    const flow = async (data: Record<string, string>, phone: string) => {
      // A desktop: the QR code shows (the redirect event) and the page stays.
      const s = await open({ app: tagged.name, head, data });
      await clickButton(s.page);
      await dialogOpen(s.page);
      await agree(s.page, phone);
      await s.page.waitForFunction(() => (window as unknown as Tags).dataLayer.length >= 3);
      return s;
    };
    const on = await flow({ campaign: 'spring' }, '+14155550172');
    // Every event names the campaign, so that opens and leads can be compared per campaign.
    const params = { method: 'whatsapp', optin_app: tagged.name, campaign: 'spring' };
    const got = await tags(on.page);
    assert.deepEqual(got.gtag, [
      ['event', 'optin_open', params],
      ['event', 'generate_lead', params],
      ['event', 'optin_redirect', params],
    ]);
    // With gtag() on the page, GA4's events go through it: the dataLayer holds GTM's events only.
    assert.deepEqual(got.dl, ['optin_open', 'optin_consent', 'optin_redirect']);
    assert.deepEqual(got.fb, [
      ['trackCustom', 'OptinOpen', { content_name: tagged.name }],
      ['track', 'Lead', { content_name: tagged.name }],
      ['trackCustom', 'OptinRedirect', { content_name: tagged.name }],
    ]);
    assert.deepEqual(on.errors, []);
    await on.page.close();

    const off = await flow({ ga4: 'false' }, '+14155550173');
    const left = await tags(off.page);
    assert.deepEqual(left.gtag, [], 'data-ga4="false" switches the app’s GA4 off');
    assert.deepEqual(left.dl, ['optin_open', 'optin_consent', 'optin_redirect']);
    assert.equal(left.fb.length, 3);
    await off.page.close();
  });

  it('desktops only: no floating button on a phone, where triggers still open the panel; the button on a desktop', async () => {
    const body = '<button class="optin-open">Updates</button>';
    const phone = await open({ app: desktops.name, body }, { device: 'phone' });
    await settled(phone);
    assert.equal(await phone.page.$('whatsapp-optin[floating]'), null, 'no floating button on a phone');
    await phone.page.click('.optin-open');
    await dialogOpen(phone.page);
    assert.equal(await phone.page.$(deep('[part=button]')), null, 'the panel’s element has no button of its own');
    assert.deepEqual(phone.errors, []);
    await phone.page.close();

    const desk = await open({ app: desktops.name, body });
    await desk.page.waitForSelector('whatsapp-optin[floating]');
    await desk.page.waitForSelector(deep('[part=button]'), { visible: true });
    await desk.page.close();
  });

  it('the prefill names the page: {url} becomes the host page’s address', async () => {
    const s = await open({ app: addressed.name }, { device: 'phone', path: '/shoes/red' });
    await clickButton(s.page);
    await dialogOpen(s.page);
    await agree(s.page, '+14155550174');
    for (let i = 0; i < 100 && !s.whatsapp.length; i++) await new Promise((r) => setTimeout(r, 50));
    const address = pageUrl({ app: addressed.name }, '/shoes/red');
    const text = new URL(s.whatsapp[0]!).searchParams.get('text')!;
    assert.equal(text.replace(/ \(ref [A-Z2-9]{6}\)$/, ''), `About ${address}`);
    assert.match(text, /\(ref [A-Z2-9]{6}\)$/);
    const [c] = await server.store.read(consentsFor, addressed.id, '14155550174');
    assert.equal(c?.page, address);
    await s.page.close();
  });

  it('speaks the page’s language: <html lang="es"> or data-lang="es" shows the app’s Spanish greeting and label, and a Spanish panel', async () => {
    for (const p of [
      { app: spanish.name, lang: 'es' },
      { app: spanish.name, data: { lang: 'es' } },
    ]) {
      const s = await open(p);
      const say = await s.page.waitForSelector(bubble('[part=greeting]'), { visible: true });
      assert.equal(await say!.evaluate((e) => e.textContent), '¿Dudas con la talla? Escríbenos');
      assert.equal(await s.page.$eval(bubble('[part=close]'), (e) => e.getAttribute('aria-label')), 'Cerrar');
      assert.equal(await s.page.$eval(deep('[part=button]'), (b) => b.textContent?.trim()), 'Escríbenos');
      await clickButton(s.page);
      await dialogOpen(s.page);
      assert.equal(await s.page.$eval(deep('h2'), (e) => e.textContent), 'Zapatos en WhatsApp');
      assert.deepEqual([...new Set(s.panelRequests.map((u) => new URL(u).pathname))], ['/widget-panel.es.js']);
      assert.deepEqual(s.errors, []);
      await s.page.close();
    }
    // The same app on an English page: its English texts.
    const en = await open({ app: spanish.name });
    const say = await en.page.waitForSelector(bubble('[part=greeting]'), { visible: true });
    assert.equal(await say!.evaluate((e) => e.textContent), 'Questions? Ask us');
    assert.equal(await en.page.$eval(deep('[part=button]'), (b) => b.textContent?.trim()), 'Chat with us');
    await en.page.close();
  });

  it('data-offset-x and data-offset-y move the button; data-greeting-delay holds the bubble back that long', async () => {
    // When the loader drew the button and when the bubble came, by the page's own clock.
    const times = `<script>window.drawn={};new MutationObserver(()=>{for(const t of ['whatsapp-optin','whatsapp-optin-bubble'])if(!drawn[t]&&document.querySelector(t))drawn[t]=performance.now()}).observe(document.documentElement,{childList:true,subtree:true});</script>`;
    type Drawn = { drawn: Record<string, number> };
    const s = await open({
      app: plain.name,
      head: times,
      data: { greeting: 'Free returns', 'greeting-delay': '3', 'offset-x': '40', 'offset-y': '120' },
    });
    await s.page.waitForSelector(deep('[part=button]'), { visible: true });
    const box = await s.page.$eval(deep('[part=button]'), (b) => {
      const r = b.getBoundingClientRect();
      return { right: innerWidth - r.right, bottom: innerHeight - r.bottom };
    });
    assert.deepEqual(box, { right: 40, bottom: 120 });
    // Inside the 3 s (a stalled machine may get here later: then the clock below still tells): no bubble yet.
    const early = await s.page.evaluate(() => ({
      since: performance.now() - (window as unknown as Drawn).drawn['whatsapp-optin']!,
      bubble: !!document.querySelector('whatsapp-optin-bubble'),
    }));
    if (early.since < 2900) assert.equal(early.bubble, false, `a bubble ${early.since} ms after the button`);
    await s.page.waitForSelector(bubble('[part=greeting]'), { visible: true, timeout: 10_000 });
    const drawn = await s.page.evaluate(() => (window as unknown as Drawn).drawn);
    const waited = drawn['whatsapp-optin-bubble']! - drawn['whatsapp-optin']!;
    assert.ok(waited >= 2900, `the bubble came ${waited} ms after the button`);
    // The bubble moves with the button: on the same side, above it (68 px above its bottom edge).
    const above = await s.page.$eval(bubble('[part=bubble]'), (e) => {
      const r = e.getBoundingClientRect();
      return { right: innerWidth - r.right, bottom: innerHeight - r.bottom };
    });
    assert.deepEqual(above, { right: 40, bottom: 188 });
    await s.page.close();

    // Without the delay, the same greeting comes at once.
    const now = await open({ app: plain.name, head: times, data: { greeting: 'Free returns' } });
    await now.page.waitForSelector(bubble('[part=greeting]'), { visible: true });
    const at = await now.page.evaluate(() => (window as unknown as Drawn).drawn);
    assert.ok(at['whatsapp-optin-bubble']! - at['whatsapp-optin']! < 1000);
    await now.page.close();
  });

  it('data-greeting-once="false": closed and reloaded, the bubble shows again; by default it does not', async () => {
    // After the button, the bubble without a delay is one timer away: one more timer is enough to know.
    const bubbleAfterReload = async (s: Session) => {
      await s.page.reload();
      await s.page.waitForSelector(deep('[part=button]'), { visible: true });
      await s.page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
      return !!(await s.page.$('whatsapp-optin-bubble'));
    };
    const every = await open({ app: plain.name, data: { greeting: 'Hello again', 'greeting-once': 'false' } });
    await every.page.waitForSelector(bubble('[part=greeting]'), { visible: true });
    await every.page.click(bubble('[part=close]'));
    assert.equal(await every.page.$('whatsapp-optin-bubble'), null);
    assert.equal(await bubbleAfterReload(every), true, 'shown again on the next page');
    await every.page.waitForSelector(bubble('[part=greeting]'), { visible: true });
    await every.page.close();

    const once = await open({ app: plain.name, data: { greeting: 'Hello once' } });
    await once.page.waitForSelector(bubble('[part=greeting]'), { visible: true });
    await once.page.click(bubble('[part=close]'));
    assert.equal(await bubbleAfterReload(once), false, 'once per visitor by default');
    await once.page.close();
  });
});
