import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { chromeSkip, launchChrome } from './support/chrome.js';
import { startTestServer, type TestServer } from './support/server.js';
import { appByName } from '../server/store/apps.js';
import { consentsFor } from '../server/store/ledger.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Lets the page go everywhere on loopback, and answers wa.me itself, so nothing leaves the machine. */
async function interceptWhatsApp(page: Page): Promise<string[]> {
  const seen: string[] = [];
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const url = req.url();
    if (url.startsWith('https://wa.me/')) {
      seen.push(url);
      void req.respond({ status: 200, contentType: 'text/html', body: '<title>WhatsApp</title>' });
    } else if (url.startsWith('http://127.0.0.1')) void req.continue();
    else void req.abort();
  });
  return seen;
}

describe('the hosted consent page in Chromium', { skip: chromeSkip }, () => {
  let s: TestServer;
  let browser: Browser;
  before(async () => {
    s = await startTestServer('sqlite');
    await s.makeApp({ name: 'Poster', displayName: 'Acme Shoes', phone: '+14155550123', live: true });
    await s.makeApp({ name: 'SandPoster', displayName: 'Sand Co' });
    browser = await launchChrome();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  const phonePage = async (js: boolean) => {
    const page = await browser.newPage();
    await page.setJavaScriptEnabled(js);
    await page.setViewport({ width: 320, height: 640, isMobile: true, hasTouch: true });
    return page;
  };

  it('Should work with JavaScript off at 320 px: refuse without the tick, focus the error summary, then reach the thread', async () => {
    const page = await phonePage(false);
    const wa = await interceptWhatsApp(page);
    await page.goto(`${s.url}/o/Poster?via=qr&c=poster-7`);
    assert.ok(await page.$eval('html', (el) => el.scrollWidth <= 320), 'no sideways scrolling at 320 px');
    assert.equal(await page.$eval('#consent', (el) => (el as HTMLInputElement).checked), false);

    await page.type('#phone', '+1 415 555 0190');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    assert.match(await page.title(), /^There is a problem/);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'alert');
    assert.equal(
      await page.$eval('#phone', (el) => (el as HTMLInputElement).value),
      '+1 415 555 0190',
      'the input is kept',
    );

    await page.click('label[for=consent]');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    assert.equal(wa.length, 1);
    assert.match(wa[0]!, /^https:\/\/wa\.me\/14155550123\?text=Hi%20Acme%20Shoes!%20\(ref%20[A-Z2-9]{6}\)$/);
    const app = (await s.store.read(appByName, 'Poster'))!;
    const [c] = await s.store.read(consentsFor, app.id, '14155550190');
    assert.equal(c?.via, 'qr');
    assert.equal(c?.campaign, 'poster-7');
    assert.equal(wa[0]!.includes(c!.ref!), true);
    await page.close();
  });

  it("Should send a sandbox app's visitor to PROXY <name>", async () => {
    const page = await phonePage(false);
    const wa = await interceptWhatsApp(page);
    await page.goto(`${s.url}/o/SandPoster`);
    await page.type('#phone', '+14155550191');
    await page.click('#consent');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    assert.deepEqual(wa, ['https://wa.me/917834811114?text=PROXY%20SandPoster']);
    await page.close();
  });

  it('Should apply its styles under the strict CSP, with no violations reported', async () => {
    const page = await phonePage(true);
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`${s.url}/o/Poster?lang=pt`);
    assert.deepEqual(problems, []);
    const bg = await page.$eval('button[type=submit]', (el) => getComputedStyle(el).backgroundColor);
    assert.equal(bg, 'rgb(7, 94, 84)');
    const box = await page.$eval('#consent', (el) => el.getBoundingClientRect().width);
    assert.ok(box >= 24, `checkbox is ${box}px`);
    const btn = await page.$eval('button[type=submit]', (el) => el.getBoundingClientRect().height);
    assert.ok(btn >= 44, `button is ${btn}px tall`);
    await page.close();
  });

  it('Should ask for the country of a number typed without its code, with JavaScript off, and read it in the country picked', async () => {
    const page = await phonePage(false);
    await page.setExtraHTTPHeaders({ 'accept-language': 'id-ID,id;q=0.9,en;q=0.5' });
    const wa = await interceptWhatsApp(page);
    await page.goto(`${s.url}/o/Poster`);
    await page.type('#phone', '812 3456 7890');
    await page.click('label[for=consent]');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    assert.match(await page.title(), /^There is a problem/);
    assert.equal(wa.length, 0, 'not sent to WhatsApp with a guessed country');
    assert.equal(await page.$eval('#phone', (el) => (el as HTMLInputElement).value), '812 3456 7890');
    assert.equal(await page.$eval('#country', (el) => (el as HTMLSelectElement).value), 'ID', 'the browser region');
    assert.match(await page.$eval('#country-error', (el) => el.textContent ?? ''), /country code/);
    assert.ok(await page.$eval('html', (el) => el.scrollWidth <= 320), 'no sideways scrolling at 320 px');
    const app = (await s.store.read(appByName, 'Poster'))!;
    assert.deepEqual(await s.store.read(consentsFor, app.id, '81234567890'), [], 'never stored as Japanese');
    // The person may pick another country; here they keep Indonesia. Their tick was kept.
    assert.equal(await page.$eval('#consent', (el) => (el as HTMLInputElement).checked), true);
    await page.select('#country', 'ID');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    assert.equal(wa.length, 1);
    const [c] = await s.store.read(consentsFor, app.id, '6281234567890');
    assert.equal(c?.action, 'opt_in');
    await page.close();
  });

  for (const [what, path] of [
    ['the consent page', '/o/Poster'],
    ['the consent page with errors', null],
    ['the consent page asking for the country', 'country'],
    ['the not-found page', '/o/NoSuchPoster'],
  ] as const) {
    it(`Should pass axe (WCAG 2.2 AA) on ${what}, light and dark`, async () => {
      for (const scheme of ['light', 'dark'] as const) {
        const page = await phonePage(true);
        await page.setBypassCSP(true); // only to inject axe
        await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
        if (path === 'country') {
          await page.goto(`${s.url}/o/Poster`);
          await page.type('#phone', '812 3456 7890');
          await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
        } else if (path) await page.goto(`${s.url}${path}`);
        else {
          await page.goto(`${s.url}/o/Poster`);
          await page.type('#phone', '12');
          await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
        }
        await page.addScriptTag({ content: AXE });
        const result = (await page.evaluate(async () => {
          const axe = (
            window as unknown as {
              axe: { run: (o: unknown) => Promise<{ violations: { id: string; nodes: unknown[] }[] }> };
            }
          ).axe;
          return axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] });
        })) as { violations: { id: string; nodes: unknown[] }[] };
        assert.deepEqual(
          result.violations.map((v) => v.id),
          [],
          `${scheme}: ${JSON.stringify(result.violations, null, 1).slice(0, 1500)}`,
        );
        await page.close();
      }
    });
  }
});
