/**
 * The Settings page in Debian's Chromium, against the real server on loopback: sign-in, the snippet
 * pasted into a host page on a second loopback origin, the QR download decoded, a setting seen on
 * the consent page, opt-out and erasure, and axe on every screen at phone and desktop width.
 * Needs `npm run build` first (`npm test` does it). Nothing leaves the machine.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import type { Browser, Page } from 'puppeteer-core';
import { chromeSkip, launchChrome } from './support/chrome.js';
import { startTestServer, type TestServer } from './support/server.js';
import { appByName } from '../server/store/apps.js';
import { consentsFor } from '../server/store/ledger.js';
import { getUser } from '../server/store/users.js';
import { recordConsent } from './support/ledger.js';

type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as unknown as Decode;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const WIDTHS = {
  phone: { width: 320, height: 720, isMobile: true, hasTouch: true },
  desktop: { width: 1280, height: 900 },
} as const;

let s: TestServer;
let browser: Browser;
let host: Server;
let hostOrigin: string;
let snippetOnHost = '';
let app: { id: string; name: string; apiKey: string };

/** A page that may reach loopback only; wa.me is answered here. Errors of the page are collected. */
async function newPage(
  width: keyof typeof WIDTHS = 'desktop',
  permissions: Parameters<import('puppeteer-core').BrowserContext['overridePermissions']>[1] = [],
  downloadPath?: string,
): Promise<Page & { errors: string[]; whatsapp: string[] }> {
  // A context of its own: no cookie of another test's session.
  const context = await browser.createBrowserContext(
    downloadPath ? { downloadBehavior: { policy: 'allow', downloadPath } } : {},
  );
  if (permissions.length) await context.overridePermissions(s.url, permissions);
  const page = (await context.newPage()) as Page & { errors: string[]; whatsapp: string[] };
  page.errors = [];
  page.whatsapp = [];
  await page.setViewport(WIDTHS[width]);
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const url = req.url();
    if (url.startsWith('https://wa.me/')) {
      page.whatsapp.push(url);
      void req.respond({ status: 200, contentType: 'text/html', body: '<title>WhatsApp</title>' });
    } else if (/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) void req.continue();
    else void req.abort();
  });
  page.on('console', (m) => {
    // A 401 answer to a wrong key is the page working; the browser's favicon request is not ours.
    if (
      m.type() === 'error' &&
      !(
        /Failed to load resource/.test(m.text()) &&
        /\b(401|422)\b|favicon/.test(`${m.text()} ${m.location().url ?? ''}`)
      )
    )
      page.errors.push(`${m.text()} ${m.location().url ?? ''}`);
  });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  return page;
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.goto(`${s.url}/settings`);
  await page.type('#api-key', key);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

async function axe(page: Page, what: string): Promise<void> {
  await page.addScriptTag({ content: AXE });
  const result = (await page.evaluate(async () => {
    const a = (
      window as unknown as {
        axe: { run: (o: unknown) => Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> };
      }
    ).axe;
    // The WCAG rules, and that no two landmarks of a kind share a name.
    const wcag = await a.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] });
    const unique = await a.run({ runOnly: { type: 'rule', values: ['landmark-unique'] } });
    return { violations: [...wcag.violations, ...unique.violations] };
  })) as { violations: { id: string; nodes: { target: unknown }[] }[] };
  assert.deepEqual(
    result.violations.map((v) => v.id),
    [],
    `${what}: ${JSON.stringify(result.violations.map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 3).map((n) => n.target) })))}`,
  );
}

before(async () => {
  if (chromeSkip) return;
  s = await startTestServer('sqlite');
  // A callback URL, so that the user-events screen has rows (no worker runs here: they stay due).
  const made = await s.makeApp({
    name: 'Bistro',
    displayName: 'Bistro Café',
    phone: '+14155550123',
    settings: { callbackUrl: 'https://business.example/hook' },
  });
  app = { id: made.app.id, name: made.name, apiKey: made.apiKey };
  for (const [i, via] of (['qr', 'url', 'widget'] as const).entries()) {
    await recordConsent(s.store, {
      id: randomUUID(),
      appId: app.id,
      phone: `1415555020${i}`,
      action: 'opt_in',
      via,
      wording: null,
      locale: 'en',
      at: Date.now() - 3600_000,
      ip: null,
      userAgent: null,
      page: null,
      campaign: i === 0 ? 'menu' : null,
      ref: null,
      actor: null,
      verified: i === 0,
    });
  }
  // The marketer's site: a page with whatever snippet they pasted, on another loopback origin.
  host = createServer((_req, res) => {
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bistro</title></head><body><h1>Bistro</h1>${snippetOnHost}</body></html>`,
      );
  });
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  hostOrigin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  browser = await launchChrome();
});

after(async () => {
  await browser?.close();
  await new Promise<void>((r) => (host ? host.close(() => r()) : r()));
  await s?.close();
});

describe('the Settings page in Chromium', { skip: chromeSkip }, () => {
  it('Should refuse a wrong key, then sign in with the right one into an HttpOnly session', async () => {
    const page = await newPage('phone');
    await signIn(page, 'okk_wrongwrongwr_wrongwrongwrongwrongwrongwrongwr');
    assert.match(await page.title(), /Sign in/);
    assert.equal(await page.$eval('#api-key-error', (el) => el.textContent), 'That API key is not valid');
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('role')),
      'alert',
      'the error summary takes focus',
    );
    await page.type('#api-key', app.apiKey);
    await submit(page, 'button[type=submit]');
    assert.match(await page.title(), /^Opt-in tools · Bistro Café/);
    assert.equal(await page.evaluate(() => document.cookie), '', 'the session cookie is HttpOnly');
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    assert.ok(!stored.includes(app.apiKey), 'the key is not kept in the browser');
    assert.ok(await page.$eval('html', (el) => el.scrollWidth <= 320), 'no sideways scrolling at 320 px');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it("Should copy the snippet, and the pasted snippet should work on the marketer's site", async () => {
    const page = await newPage('desktop', ['clipboard-read', 'clipboard-write', 'clipboard-sanitized-write']);
    await signIn(page, app.apiKey);
    const code = await page.$eval('#snippet', (el) => el.textContent ?? '');
    assert.equal(code, `<script src="${s.url}/widget.js" data-app="Bistro" async></script>`);
    await page.click('button[data-copy=snippet]');
    await page.waitForFunction(() => document.getElementById('snippet-status')?.textContent === 'Copied');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, code);
    // The preview on the settings page is the real widget.
    await page.waitForSelector('#widget-preview whatsapp-optin >>> [part=button]', { visible: true });

    // Allow the site, through the Settings form, as the widget section says.
    await page.goto(`${s.url}/settings/options`);
    await page.type('#origins', hostOrigin);
    await submit(page, '#form-origins button[type=submit]');
    assert.equal(await page.$eval('#form-origins [role=status]', (el) => el.textContent), 'Saved.');
    assert.equal(
      await page.evaluate(
        () => document.activeElement?.closest('#form-origins') && document.activeElement.getAttribute('role'),
      ),
      'status',
      'the notice takes focus',
    );
    await page.close();

    snippetOnHost = copied;
    const site = await newPage();
    await site.goto(hostOrigin);
    // The loader draws the button, and the panel module takes it over when it loads: click what is
    // there, again if it was swapped under the click, until the panel opens.
    for (let i = 0; ; i++) {
      await site.waitForSelector('whatsapp-optin >>> [part=button]', { visible: true });
      try {
        await site.click('whatsapp-optin >>> [part=button]');
        await site.waitForSelector('whatsapp-optin >>> form', { visible: true, timeout: 3000 });
        break;
      } catch (e) {
        if (i >= 4) throw e;
      }
    }
    assert.match(await site.$eval('whatsapp-optin >>> form', (el) => el.textContent ?? ''), /Bistro Café/);
    await site.type('whatsapp-optin >>> input[type=tel]', '+14155550299');
    await site.click('whatsapp-optin >>> input[type=checkbox]');
    await site.click('whatsapp-optin >>> [part=submit]');
    for (let i = 0; i < 100 && (await s.store.read(consentsFor, app.id, '14155550299')).length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    const [record] = await s.store.read(consentsFor, app.id, '14155550299');
    assert.equal(record?.via, 'widget');
    assert.equal(record?.page, `${hostOrigin}/`);
    assert.deepEqual(site.errors, []);
    await site.close();
  });

  it('Should preview the widget in the colour being picked, and follow the campaign as it is typed', async () => {
    const page = await newPage();
    await signIn(page, app.apiKey);
    await page.type('#campaign', 'flyer');
    assert.equal(await page.$eval('#optin-url', (el) => el.textContent), `${s.url}/o/Bistro?c=flyer`);
    await page.goto(`${s.url}/settings/options`);
    await page.waitForSelector('#form-theme whatsapp-optin >>> [part=button]', { visible: true });
    await page.$eval('#theme-color', (el) => {
      (el as HTMLInputElement).value = '#aa0000';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const bg = await page.$eval(
      '#form-theme whatsapp-optin >>> [part=button]',
      (el) => getComputedStyle(el).backgroundColor,
    );
    assert.equal(bg, 'rgb(170, 0, 0)');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it('Should download the QR code as a 1024 px PNG that decodes to the consent page', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'optin-qr-'));
    try {
      const page = await newPage('desktop', [], dir);
      await signIn(page, app.apiKey);
      await page.type('#campaign', 'menu-2');
      await submit(page, '#url-title ~ form button[type=submit]');
      assert.equal(await page.$eval('#optin-url', (el) => el.textContent), `${s.url}/o/Bistro?c=menu-2`);
      await page.click('#qr-png');
      let file: string | undefined;
      for (let i = 0; i < 100 && !file; i++) {
        await new Promise((r) => setTimeout(r, 50));
        file = readdirSync(dir).find((f) => f.endsWith('.png'));
      }
      assert.equal(file, 'Bistro-menu-2-qr.png');
      const png = PNG.sync.read(readFileSync(join(dir, file!)));
      assert.equal(png.width, 1024);
      assert.equal(
        jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data,
        `${s.url}/o/Bistro?via=qr&c=menu-2`,
      );
      await page.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Should change the wording and the phone without JavaScript, and the consent page should show them', async () => {
    const page = await newPage('phone');
    await page.setJavaScriptEnabled(false);
    await signIn(page, app.apiKey);
    await page.goto(`${s.url}/settings/options`);
    await page.$eval('#wording-en', (el) => ((el as HTMLTextAreaElement).value = ''));
    await page.type('#wording-en', 'Yes, {business} may send me the weekly menu on WhatsApp.');
    await submit(page, '#form-wording button[type=submit]');
    assert.equal(await page.$eval('#form-wording [role=status]', (el) => el.textContent), 'Saved.');
    assert.equal(
      await page.evaluate(() => document.activeElement?.textContent),
      'Saved.',
      'the notice takes focus, without JavaScript too',
    );
    assert.match(await page.$eval('label[for=wording-en]', (el) => el.textContent ?? ''), /version 2/);
    // An invalid value comes back beside its field, and focus goes to the summary.
    await page.$eval('#phone', (el) => ((el as HTMLInputElement).value = ''));
    await page.type('#phone', '12');
    await submit(page, '#form-status button[type=submit]');
    assert.equal(
      await page.$eval('#phone-error', (el) => el.textContent),
      'Enter a valid phone number with its country code',
    );
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'alert');
    assert.equal((await s.store.read(appByName, 'Bistro'))!.phone, '14155550123', 'the refused number changed nothing');
    // A valid number, typed as people type it, is saved and shown back in its stored form.
    await page.$eval('#phone', (el) => ((el as HTMLInputElement).value = ''));
    await page.type('#phone', '+1 (415) 555-0124');
    await submit(page, '#form-status button[type=submit]');
    assert.equal(await page.$eval('#form-status [role=status]', (el) => el.textContent), 'Saved.');
    assert.equal(await page.$eval('#phone', (el) => (el as HTMLInputElement).value), '+14155550124');
    assert.equal(await page.$$eval('#phone-error', (els) => els.length), 0);
    assert.equal((await s.store.read(appByName, 'Bistro'))!.phone, '14155550124');

    await page.goto(`${s.url}/o/Bistro`);
    assert.equal(
      await page.$eval('label[for=consent]', (el) => el.textContent),
      'Yes, Bistro Café may send me the weekly menu on WhatsApp.',
    );

    // Live with the new number: the consent page sends people to it.
    await page.goto(`${s.url}/settings/options`);
    await page.click('#live');
    await submit(page, '#form-status button[type=submit]');
    assert.equal(await page.$eval('#form-status [role=status]', (el) => el.textContent), 'Saved.');
    await page.goto(`${s.url}/o/Bistro`);
    await page.type('#phone', '+14155550298');
    await page.click('#consent');
    await submit(page, 'form button[type=submit]');
    assert.ok(
      page.whatsapp.some((u) => u.startsWith('https://wa.me/14155550124?')),
      page.whatsapp.join(' '),
    );
    // Back to the sandbox, as the other tests expect.
    await page.goto(`${s.url}/settings/options`);
    await page.click('#live');
    await submit(page, '#form-status button[type=submit]');
    assert.equal((await s.store.read(appByName, 'Bistro'))!.live, false);
    await page.close();
  });

  it('Should opt out a user and erase another, each after a confirmation, without JavaScript', async () => {
    const page = await newPage('phone');
    await page.setJavaScriptEnabled(false);
    await signIn(page, app.apiKey);
    await page.goto(`${s.url}/settings/users?reveal=1`);
    const row = (phone: string) => `//tr[th[contains(., "${phone}")]]`;
    const [optout] = await page.$$(`xpath/${row('+14155550200')}//a[starts-with(., "Opt out")]`);
    assert.ok(optout);
    await Promise.all([page.waitForNavigation(), optout.click()]);
    assert.match(await page.title(), /^Opt out \+14155550200\?/);
    await submit(page, 'form[action="/settings/users/optout"] button[type=submit]');
    assert.equal(await page.$eval('[role=status]', (el) => el.textContent), '+14155550200 is opted out.');
    assert.equal((await s.store.read(getUser, app.id, '14155550200'))?.optin, 'opted_out');

    const [erase] = await page.$$(`xpath/${row('+14155550201')}//a[starts-with(., "Erase")]`);
    await Promise.all([page.waitForNavigation(), erase!.click()]);
    await submit(page, 'form[action="/settings/users/erase"] button[type=submit]');
    assert.match(await page.$eval('[role=status]', (el) => el.textContent ?? ''), /^Erased/);
    assert.equal(await s.store.read(getUser, app.id, '14155550201'), null);
    assert.equal((await page.$$(`xpath/${row('+14155550201')}`)).length, 0);
    await page.close();
  });

  for (const width of ['phone', 'desktop'] as const) {
    it(`Should pass axe (WCAG 2.2 AA) on every screen at ${width} width`, async () => {
      const page = await newPage(width);
      await page.setBypassCSP(true); // only to inject axe
      await page.goto(`${s.url}/settings`);
      await axe(page, 'sign-in');
      await signIn(page, 'okk_wrongwrongwr_wrongwrongwrongwrongwrongwrongwr');
      await axe(page, 'sign-in with an error');
      await page.type('#api-key', app.apiKey);
      await submit(page, 'button[type=submit]');
      for (const [what, path] of [
        ['tools', '/settings?c=spring'],
        ['settings', '/settings/options'],
        ['opt-ins', '/settings/users'],
        ['opt-ins revealed and filtered', '/settings/users?reveal=1&optin=opted_in'],
        ['confirmation', 'confirm'],
        ['funnel', '/settings/funnel?days=30'],
        ['user-events', '/settings/events'],
        ['poster', '/settings/poster?paper=a4'],
      ] as const) {
        if (path === 'confirm') {
          // The row's own link: people are named by a reference only this session can read.
          await page.goto(`${s.url}/settings/users`);
          await Promise.all([page.waitForNavigation(), page.click('a[href^="/settings/users/confirm?action=erase"]')]);
        } else await page.goto(`${s.url}${path}`);
        if (width === 'phone')
          assert.ok(
            await page.$eval('html', (el) => el.scrollWidth <= 320),
            `${what}: no sideways scrolling at 320 px`,
          );
        await axe(page, what);
      }
      await page.goto(`${s.url}/settings/options`);
      await page.type('#callback-url', 'not a url');
      await submit(page, '#form-callback button[type=submit]');
      await axe(page, 'settings with an error');
      assert.deepEqual(page.errors, []);
      await page.close();
    });
  }
});
