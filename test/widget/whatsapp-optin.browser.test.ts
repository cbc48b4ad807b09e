import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import '../../widget/whatsapp-optin.js';
import type {
  OptinConsentDetail,
  OptinErrorDetail,
  OptinRedirectDetail,
  WhatsappOptin,
} from '../../widget/whatsapp-optin.js';
import { $, config, consents, focused, must, open, settle, submit, tick, typePhone, views, widget } from './support.js';

const { live, sandbox, nophone, foreign, guarded } = config.apps;
let phoneSeq = 0;
/** A fresh valid US number per test, so that consent records never mix. */
const nextPhone = () => `1415555${String(1000 + ++phoneSeq).padStart(4, '0')}`;

const rejections: unknown[] = [];
const consoleErrors: unknown[][] = [];
const originalError = console.error;

before(() => {
  window.addEventListener('unhandledrejection', (e) => rejections.push(e.reason));
  console.error = (...args: unknown[]) => {
    consoleErrors.push(args);
    originalError(...args);
  };
});

afterEach(() => {
  // Whatever a test did, the host page saw no unhandled rejection and no console error.
  expect(rejections, 'unhandled rejections').to.deep.equal([]);
  expect(consoleErrors, 'console errors').to.deep.equal([]);
  document.documentElement.lang = 'en';
});

after(() => {
  console.error = originalError;
});

/** Stubs navigation and forces the phone path. */
function asPhone(el: WhatsappOptin): string[] {
  const went: string[] = [];
  el.device = 'phone';
  el.navigate = (url) => void went.push(url);
  return went;
}

describe('<whatsapp-optin> opening the panel', () => {
  it('renders an inline button that names WhatsApp and passes axe', async () => {
    const el = await widget(live);
    const button = must<HTMLButtonElement>(el, '[part=button]');
    expect(button.textContent?.trim()).to.equal('Chat on WhatsApp');
    expect(button.getAttribute('aria-haspopup')).to.equal('dialog');
    await expect(el).to.be.accessible();
  });

  it('opens an accessible modal dialog naming the business, "on WhatsApp", the wording and the privacy link', async () => {
    const el = await widget(live);
    const opened = oneEvent(el, 'optin-open');
    const dialog = await open(el);
    expect((await opened).detail).to.deep.equal({ app: live.name });
    expect(dialog.open).to.equal(true);
    expect(dialog.matches(':modal')).to.equal(true);
    expect(dialog.getAttribute('aria-modal')).to.equal('true');
    const title = el.shadowRoot!.getElementById(dialog.getAttribute('aria-labelledby')!)!;
    expect(title.textContent).to.equal('Acme Shoes on WhatsApp');
    expect(dialog.textContent).to.contain('I agree to receive messages from Acme Shoes on WhatsApp');
    const privacy = must<HTMLAnchorElement>(el, 'a[href="https://acme.example/privacy"]');
    expect(privacy.textContent).to.equal('Privacy policy');
    expect(privacy.rel).to.contain('noopener');
    const box = must<HTMLInputElement>(el, 'input[type=checkbox]');
    expect(box.checked, 'the consent box starts unticked').to.equal(false);
    const phone = must<HTMLInputElement>(el, 'input[type=tel]');
    expect(phone.required).to.equal(true);
    expect(phone.labels?.[0]?.textContent).to.contain('Your WhatsApp number');
    await expect(el).to.be.accessible();
  });

  it('hides the phone field when the app asks for none, and marks it optional when optional', async () => {
    const none = await widget(nophone);
    await open(none);
    expect($(none, 'input[type=tel]')).to.equal(null);
    const optional = await widget(sandbox);
    await open(optional);
    const phone = must<HTMLInputElement>(optional, 'input[type=tel]');
    expect(phone.required).to.equal(false);
    expect(phone.labels?.[0]?.textContent).to.contain('(optional)');
  });
});

describe('<whatsapp-optin> counting opens for the funnel', () => {
  it('counts each opening once, with its campaign', async () => {
    const el = await widget(sandbox, { campaign: 'open-count' });
    await open(el);
    el.hide();
    await open(el);
    await waitUntil(
      async () => (await views(sandbox)).some((v) => v === 'widget/open-count:2'),
      'two opens were never counted',
    );
    // Without a campaign it counts under none (other tests open this app too: count from here).
    const none = async () => Number((await views(sandbox)).find((v) => v.startsWith('widget/:'))?.slice(8) ?? 0);
    const before = await none();
    const bare = await widget(sandbox);
    await open(bare);
    await waitUntil(async () => (await none()) === before + 1, 'the open without a campaign was never counted');
    expect(await views(sandbox)).to.include('widget/open-count:2');
  });
});

describe('<whatsapp-optin preview>', () => {
  it('is answered like a real consent, and nothing is recorded or counted, on any allowed site', async () => {
    // The openings' posts, to wait for their answers (the counter is read after each has landed).
    const opens: Promise<Response>[] = [];
    const realFetch = window.fetch;
    window.fetch = (input, init) => {
      const p = realFetch(input, init);
      if (String(input).endsWith('/opens')) opens.push(p);
      return p;
    };
    try {
      const el = await fixture<WhatsappOptin>(
        html`<whatsapp-optin preview app=${sandbox.name} api=${config.api} campaign="preview-only"></whatsapp-optin>`,
      );
      await open(el);
      expect(opens, 'the preview posts its opening').to.have.length(1);
      expect((await opens[0]!).status).to.equal(204);
      expect(await views(sandbox), 'the preview’s opening not counted').to.not.include.members([
        'widget/preview-only:1',
      ]);
      const phone = nextPhone();
      typePhone(el, `+${phone}`);
      tick(el);
      const consented = oneEvent(el, 'optin-consent');
      submit(el);
      const consent = ((await consented) as CustomEvent<OptinConsentDetail>).detail;
      expect(consent.redirectUrl).to.match(/^https:\/\/wa\.me\//);
      expect(await consents(sandbox, phone), 'no consent recorded').to.deep.equal([]);
      // A real element with the same campaign is counted, once: the counter works, and the
      // preview's opening, answered before it, is not in it.
      const real = await widget(sandbox, { campaign: 'preview-only' });
      await open(real);
      await Promise.all(opens);
      await waitUntil(
        async () => (await views(sandbox)).some((v) => v.startsWith('widget/preview-only:')),
        'the real opening was never counted',
      );
      expect((await views(sandbox)).filter((v) => v.startsWith('widget/preview-only:'))).to.deep.equal([
        'widget/preview-only:1',
      ]);
    } finally {
      window.fetch = realFetch;
    }
  });
});

describe('<whatsapp-optin> consent is required', () => {
  it('does not post until the box is ticked, and says why, accessibly', async () => {
    const el = await widget(live);
    await open(el);
    const phone = nextPhone();
    typePhone(el, `+${phone}`);
    let consented = false;
    el.addEventListener('optin-consent', () => (consented = true));
    submit(el);
    await el.updateComplete;
    await aTimeout(50);
    const box = must<HTMLInputElement>(el, 'input[type=checkbox]');
    expect(box.getAttribute('aria-invalid')).to.equal('true');
    const reason = el.shadowRoot!.getElementById(box.getAttribute('aria-describedby')!)!;
    expect(reason.getAttribute('role')).to.equal('alert');
    expect(reason.textContent).to.equal('Tick the box to agree first.');
    expect(focused(el), 'focus moves to the box').to.equal(box);
    expect(consented).to.equal(false);
    expect(await consents(live, phone)).to.deep.equal([]);
    await expect(el).to.be.accessible();

    // Ticking clears the error.
    tick(el);
    await el.updateComplete;
    expect(box.getAttribute('aria-invalid')).to.equal('false');
    expect(reason.textContent).to.equal('');
  });

  it('asks for the number when the app requires one', async () => {
    const el = await widget(live);
    await open(el);
    tick(el);
    submit(el);
    await el.updateComplete;
    await aTimeout(50);
    const input = must<HTMLInputElement>(el, 'input[type=tel]');
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect(el.shadowRoot!.getElementById('phone-error')!.textContent).to.equal('Enter your WhatsApp number.');
    expect(focused(el)).to.equal(input);
  });

  it("shows the server's own words on a bad number, and fires optin-error", async () => {
    const el = await widget(live);
    await open(el);
    typePhone(el, '12');
    tick(el);
    const failed = oneEvent(el, 'optin-error');
    submit(el);
    const { detail } = (await failed) as CustomEvent<OptinErrorDetail>;
    expect(detail).to.deep.equal({
      app: live.name,
      code: 'invalid_phone',
      status: 422,
      message: 'Enter a valid WhatsApp number with its country code.',
    });
    await el.updateComplete;
    expect(must(el, 'input[type=tel]').getAttribute('aria-invalid')).to.equal('true');
    expect(el.shadowRoot!.getElementById('phone-error')!.textContent).to.equal(
      'Enter a valid WhatsApp number with its country code.',
    );
    // The person corrects the number only: the box they ticked stays ticked, and Continue now works.
    expect(must<HTMLInputElement>(el, 'input[type=checkbox]').checked).to.equal(true);
    typePhone(el, `+${nextPhone()}`);
    const done = oneEvent(el, 'optin-consent');
    el.navigate = () => {};
    submit(el);
    await done;
  });

  it('opens with focus on the first field, and tells a live app’s visitor to press Send', async () => {
    const el = await widget(live);
    await open(el);
    await waitUntil(() => el.shadowRoot!.activeElement?.id === 'phone', 'the phone field did not get focus');
    expect(must(el, 'form small:last-of-type').textContent).to.equal(
      'WhatsApp opens with a message ready: press Send to confirm.',
    );
    const sand = await widget(sandbox);
    await open(sand);
    expect(sand.shadowRoot!.textContent).not.to.contain('press Send');
  });

  it("shows the server's message, in the person's language, for a number typed without its country code", async () => {
    const el = await widget(live, { lang: 'es' });
    await open(el);
    typePhone(el, '812 3456 7890');
    tick(el);
    const failed = oneEvent(el, 'optin-error');
    submit(el);
    const { detail } = (await failed) as CustomEvent<OptinErrorDetail>;
    expect(detail.code).to.equal('country_required');
    await el.updateComplete;
    expect(must(el, 'input[type=tel]').getAttribute('aria-invalid')).to.equal('true');
    expect(el.shadowRoot!.getElementById('phone-error')!.textContent).to.equal(
      'Escribe tu número con + y el código de país, por ejemplo +52 55 1234 5678.',
    );
    expect(detail.message).to.equal('Escribe tu número con + y el código de país, por ejemplo +52 55 1234 5678.');
  });
});

describe('<whatsapp-optin> after consent', () => {
  it('records the consent, fires optin-consent, and on a phone navigates to the live app', async () => {
    const el = await widget(live, { campaign: 'spring_sale' });
    const went = asPhone(el);
    await open(el);
    const phone = nextPhone();
    typePhone(el, `+${phone}`);
    tick(el);
    const consented = oneEvent(el, 'optin-consent');
    const redirected = oneEvent(el, 'optin-redirect');
    submit(el);
    const consent = ((await consented) as CustomEvent<OptinConsentDetail>).detail;
    expect(consent.app).to.equal(live.name);
    expect(consent.lang).to.equal('en');
    expect(consent.campaign).to.equal('spring_sale');
    expect(consent.wordingVersion).to.equal(1);
    expect(consent.ref).to.match(/^[A-Z2-9]{6}$/);
    // The app's default prefill, then the consent's reference.
    expect(consent.redirectUrl).to.equal(
      `https://wa.me/14155550123?text=${encodeURIComponent(`Hi Acme Shoes! (ref ${consent.ref})`)}`,
    );
    const redirect = ((await redirected) as CustomEvent<OptinRedirectDetail>).detail;
    expect(redirect).to.deep.equal({ app: live.name, url: consent.redirectUrl, via: 'navigate' });
    expect(went).to.deep.equal([consent.redirectUrl]);
    // Should the navigation be blocked (an in-app browser), a link remains, worded for a phone.
    await el.updateComplete;
    expect(must(el, `a[href="${consent.redirectUrl}"]`).textContent).to.equal('Chat on WhatsApp');

    const records = await consents(live, phone);
    expect(records).to.have.length(1);
    expect(records[0]).to.include({
      action: 'opt_in',
      via: 'widget',
      locale: 'en',
      wordingVersion: 1,
      campaign: 'spring_sale',
      ref: consent.ref,
      page: location.href,
    });
  });

  it('events bubble out of the shadow root to the document', async () => {
    const el = await widget(nophone);
    asPhone(el);
    const seen: string[] = [];
    // composed and bubbles: a page whose widget sits inside its own shadow root still hears them.
    const listen = (e: Event) => seen.push(e.bubbles && e.composed ? e.type : `${e.type} (not composed)`);
    for (const t of ['optin-open', 'optin-consent', 'optin-redirect'] as const) document.addEventListener(t, listen);
    await open(el);
    tick(el);
    submit(el);
    await waitUntil(() => seen.length === 3, `saw only ${seen.join(', ')}`);
    for (const t of ['optin-open', 'optin-consent', 'optin-redirect'] as const) document.removeEventListener(t, listen);
    expect(seen).to.deep.equal(['optin-open', 'optin-consent', 'optin-redirect']);
  });

  it('on a desktop shows a QR code of the redirect and a link to WhatsApp on this computer', async () => {
    const el = await widget(sandbox);
    el.device = 'desktop';
    // The QR module from source, through Vite; the built one is tested from the real server in host-page.e2e.
    el.qrModule = '/widget/qr.ts';
    let navigated = false;
    el.navigate = () => void (navigated = true);
    await open(el);
    tick(el);
    const redirected = oneEvent(el, 'optin-redirect');
    submit(el);
    const { detail } = (await redirected) as CustomEvent<OptinRedirectDetail>;
    expect(detail.url).to.equal(`https://wa.me/917834811114?text=PROXY%20${sandbox.name}`);
    expect(detail.via).to.equal('qr');
    await waitUntil(() => $(el, 'svg[role=img] path'), 'no QR code');
    const qr = must<SVGSVGElement>(el, 'svg[role=img]');
    expect(el.shadowRoot!.getElementById(qr.getAttribute('aria-labelledby')!)!.textContent).to.equal(
      'Scan with your phone to open WhatsApp.',
    );
    expect(await decodeQr(qr)).to.equal(detail.url);
    const link = must<HTMLAnchorElement>(el, `a[href="${detail.url}"]`);
    expect(link.textContent).to.equal('Open WhatsApp on this computer');
    expect(link.target).to.equal('_blank');
    expect(navigated).to.equal(false);
    await expect(el).to.be.accessible();
  });

  it('pushes a GA4 generate_lead to dataLayer when asked', async () => {
    const w = window as unknown as { dataLayer?: Record<string, unknown>[] };
    delete w.dataLayer;
    const el = await widget(nophone, { ga4: true, campaign: 'ads' });
    asPhone(el);
    await open(el);
    tick(el);
    const consented = oneEvent(el, 'optin-consent');
    submit(el);
    await consented;
    expect(w.dataLayer).to.deep.equal([
      { event: 'generate_lead', method: 'whatsapp', optin_app: nophone.name, campaign: 'ads' },
    ]);
    delete w.dataLayer;
  });

  it('pushes nothing to dataLayer without the ga4 attribute', async () => {
    const w = window as unknown as { dataLayer?: unknown[] };
    delete w.dataLayer;
    const el = await widget(nophone);
    asPhone(el);
    await open(el);
    tick(el);
    const consented = oneEvent(el, 'optin-consent');
    submit(el);
    await consented;
    expect(w.dataLayer).to.equal(undefined);
  });
});

describe('<whatsapp-optin> keyboard and focus', () => {
  it('opens from the keyboard, traps Tab inside, closes on Escape and returns focus to the button', async () => {
    const el = await widget(live);
    const button = must<HTMLButtonElement>(el, '[part=button]');
    button.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => $(el, 'form'), 'panel did not open from Enter');
    const dialog = must<HTMLDialogElement>(el, 'dialog');
    expect(dialog.contains(focused(el)), 'focus moved into the panel').to.equal(true);

    const close = must<HTMLButtonElement>(el, 'dialog button');
    const last = must<HTMLButtonElement>(el, '[part=submit]');
    last.focus();
    await sendKeys({ press: 'Tab' });
    expect(focused(el), 'Tab on the last control wraps to the first').to.equal(close);
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ up: 'Shift' });
    expect(focused(el), 'Shift+Tab on the first wraps to the last').to.equal(last);
    // Tab walks every control without leaving the panel.
    for (let i = 0; i < 8; i++) {
      await sendKeys({ press: 'Tab' });
      expect(dialog.contains(focused(el)), `Tab ${i + 1} stayed in the panel`).to.equal(true);
    }

    await sendKeys({ press: 'Escape' });
    await waitUntil(() => !dialog.open, 'Escape did not close the panel');
    await waitUntil(() => focused(el) === button, 'focus did not return to the button');
  });

  it('the close button closes the panel and returns focus', async () => {
    const el = await widget(live);
    const dialog = await open(el);
    must<HTMLButtonElement>(el, 'dialog button').click();
    await waitUntil(() => !dialog.open);
    await waitUntil(() => focused(el) === must(el, '[part=button]'), 'focus did not return to the button');
  });

  it('a click on the backdrop closes the panel too', async () => {
    const el = await widget(live);
    const dialog = await open(el);
    await sendMouse({ type: 'click', position: [2, 2] });
    await waitUntil(() => !dialog.open, 'the backdrop click did not close the panel');
    await waitUntil(() => focused(el) === must(el, '[part=button]'), 'focus did not return to the button');
  });

  it('the consent checkbox and the phone field have labels, and controls are at least 44 px', async () => {
    const el = await widget(live);
    await open(el);
    for (const sel of ['[part=button]', 'dialog button', 'input[type=tel]', '[part=submit]', 'a[href]']) {
      const r = must(el, sel).getBoundingClientRect();
      expect(r.height, `${sel} height`).to.be.at.least(44);
      expect(r.width, `${sel} width`).to.be.at.least(44);
    }
    const label = must<HTMLInputElement>(el, 'input[type=checkbox]').closest('label')!;
    expect(label.getBoundingClientRect().height).to.be.at.least(44);
  });
});

describe('<whatsapp-optin> languages', () => {
  it('speaks Spanish from the lang attribute, with the Spanish wording and version', async () => {
    const el = await widget(live, { lang: 'es' });
    expect(must(el, '[part=button]').textContent?.trim()).to.equal('Chatear por WhatsApp');
    await open(el);
    expect(must(el, 'h2').textContent).to.equal('Acme Shoes en WhatsApp');
    expect(must(el, 'form').textContent).to.contain('Acepto recibir mensajes de Acme Shoes en WhatsApp');
    expect(must(el, '[part=submit]').textContent).to.equal('Continuar');
    submit(el);
    await el.updateComplete;
    expect(el.shadowRoot!.getElementById('consent-error')!.textContent).to.equal('Marca la casilla para aceptar.');
  });

  it('speaks Portuguese from <html lang="pt-BR"> and records the locale', async () => {
    document.documentElement.lang = 'pt-BR';
    const el = await widget(nophone);
    asPhone(el);
    expect(must(el, '[part=button]').textContent?.trim()).to.equal('Conversar no WhatsApp');
    await open(el);
    expect(must(el, 'h2').textContent).to.equal('No Phone Ltd no WhatsApp');
    expect(must(el, 'form').textContent).to.contain('Concordo em receber mensagens de No Phone Ltd no WhatsApp');
    tick(el);
    const consented = oneEvent(el, 'optin-consent');
    submit(el);
    expect(((await consented) as CustomEvent<OptinConsentDetail>).detail.lang).to.equal('pt');
  });

  it("falls back to the browser's language, then English", async () => {
    document.documentElement.lang = '';
    const original = Object.getOwnPropertyDescriptor(Navigator.prototype, 'language')!;
    try {
      Object.defineProperty(Navigator.prototype, 'language', { configurable: true, get: () => 'es-MX' });
      const es = await widget(live);
      expect(must(es, '[part=button]').textContent?.trim()).to.equal('Chatear por WhatsApp');
      Object.defineProperty(Navigator.prototype, 'language', { configurable: true, get: () => 'fr-FR' });
      const en = await widget(live);
      expect(must(en, '[part=button]').textContent?.trim()).to.equal('Chat on WhatsApp');
    } finally {
      Object.defineProperty(Navigator.prototype, 'language', original);
    }
  });

  it('data-lang wins over <html lang>', async () => {
    document.documentElement.lang = 'es';
    const el = await widget(live, { lang: 'pt' });
    expect(must(el, '[part=button]').textContent?.trim()).to.equal('Conversar no WhatsApp');
  });
});

describe('<whatsapp-optin> when the server fails', () => {
  async function expectFailure(el: WhatsappOptin, code: string, status: number, message: string, retry = 'Try again') {
    const failed = oneEvent(el, 'optin-error');
    must(el, '[part=button]').click();
    const { detail } = (await failed) as CustomEvent<OptinErrorDetail>;
    expect(detail).to.deep.equal({ app: el.app, code, status, message });
    await el.updateComplete;
    expect(must(el, '[role=alert]').textContent).to.equal(message);
    expect(must(el, '[part=submit]').textContent).to.equal(retry);
    await settle(el);
    await expect(el).to.be.accessible();
  }

  it('down: a translated error with Try again', async () => {
    // Port 9 (discard) has nothing listening on a test machine: the connection is refused.
    const el = await widget(live, { api: 'http://127.0.0.1:9', lang: 'es' });
    await expectFailure(el, 'network', 0, 'No se pudo conectar. Revisa tu conexión.', 'Reintentar');
    const again = oneEvent(el, 'optin-error');
    must(el, '[part=submit]').click();
    expect(((await again) as CustomEvent<OptinErrorDetail>).detail.code).to.equal('network');
  });

  it('slow: gives up after the timeout', async () => {
    const el = await widget(live, { api: `${location.origin}/__fault/hang`, timeout: 300 });
    await expectFailure(el, 'timeout', 0, 'Could not connect. Check your connection.');
  });

  it('5xx from a proxy in front of the server', async () => {
    const el = await widget(live, { api: `${location.origin}/__fault/503` });
    await expectFailure(el, 'http_503', 503, 'Could not connect. Check your connection.');
  });

  // The two 4xx cases call the real server from this page's own (other) origin: its refusals carry
  // CORS headers, so the widget can tell the person what is wrong rather than "could not connect".
  it('4xx: an unknown app', async () => {
    const el = await widget({ name: 'NoSuchApp', id: '' });
    await expectFailure(el, 'app_not_found', 404, 'Not available on this website.');
  });

  it('4xx at open: this origin is not allowed: the hosted consent page offered before anything is typed, one console warning naming the fix', async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => warnings.push(m);
    try {
      for (let i = 0; i < 2; i++) {
        const el = await widget(foreign, { campaign: 'spring' });
        const failed = oneEvent(el, 'optin-error');
        // The answer to the open itself (POST …/opens) says so: no number typed, nothing posted.
        await open(el, 'a[part=submit]');
        const { detail } = (await failed) as CustomEvent<OptinErrorDetail>;
        expect(detail.code).to.equal('origin_not_allowed');
        expect(detail.status).to.equal(403);
        await el.updateComplete;
        expect($(el, 'form'), 'no form that cannot succeed').to.equal(null);
        expect(must(el, '[role=alert]').textContent).to.equal(
          'Continue on the secure consent page (it opens in a new tab).',
        );
        const link = must<HTMLAnchorElement>(el, 'a[part=submit]');
        const url = new URL(link.href);
        expect(`${url.origin}${url.pathname}`).to.equal(`${config.api}/o/${foreign.name}`);
        expect(url.searchParams.get('via')).to.equal('widget');
        expect(url.searchParams.get('page')).to.equal(location.href);
        expect(url.searchParams.get('c')).to.equal('spring');
        expect(link.target).to.equal('_blank');
        expect(focused(el), 'focus stays in the panel').to.not.equal(null);
        await expect(el).to.be.accessible();
        // Opened again, it shows the hosted link at once: never a form, not even for a round trip.
        el.hide();
        const forms: boolean[] = [];
        const watch = new MutationObserver(() => forms.push(!!$(el, 'form')));
        watch.observe(el.shadowRoot!, { subtree: true, childList: true });
        await el.show();
        await el.updateComplete;
        await aTimeout(50);
        watch.disconnect();
        expect(forms.includes(true), 'no form on the second opening').to.equal(false);
        expect($(el, 'a[part=submit]'), 'the hosted link').to.not.equal(null);
        el.hide();
      }
    } finally {
      console.warn = warn;
    }
    expect(warnings.length, 'one warning, however many refusals').to.equal(1);
    expect(warnings[0]).to.contain(`add ${location.origin} to "Allowed origins" on the Settings page`);
    expect(await views(foreign), 'a refused open is not counted').to.deep.equal([]);
  });

  it('4xx on submit: the app asks for a proof of work: nothing recorded, the hosted consent page (which solves it) offered', async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => warnings.push(m);
    try {
      const el = await widget(guarded);
      await open(el);
      const phone = nextPhone();
      typePhone(el, `+${phone}`);
      tick(el);
      const failed = oneEvent(el, 'optin-error');
      submit(el);
      const { detail } = (await failed) as CustomEvent<OptinErrorDetail>;
      expect(detail.code).to.equal('challenge_failed');
      expect(detail.status).to.equal(422);
      await el.updateComplete;
      const link = must<HTMLAnchorElement>(el, 'a[part=submit]');
      const url = new URL(link.href);
      expect(`${url.origin}${url.pathname}`).to.equal(`${config.api}/o/${guarded.name}`);
      expect(url.searchParams.get('via')).to.equal('widget');
      expect(await consents(guarded, phone)).to.deep.equal([]);
      await expect(el).to.be.accessible();
    } finally {
      console.warn = warn;
    }
    expect(warnings.join('\n')).to.not.contain('Allowed origins');
  });

  it('never hands a person to anything but wa.me, whatever an answer says', async () => {
    // A proxy between page and server rewrites the redirect of a recorded consent.
    const el = await widget(live, { api: `${location.origin}/__fault/evil` });
    const navigated: string[] = [];
    el.navigate = (url) => void navigated.push(url);
    el.device = 'phone';
    await open(el);
    typePhone(el, `+${nextPhone()}`);
    tick(el);
    const failed = oneEvent(el, 'optin-error');
    submit(el);
    await failed;
    await el.updateComplete;
    expect(navigated).to.deep.equal([]);
    expect(el.shadowRoot!.innerHTML).to.not.contain('evil.example');
    expect(must(el, '[role=alert]').textContent).to.equal('Could not connect. Check your connection.');
  });

  it('Try again recovers once the server answers, keeping what was typed', async () => {
    const el = await widget(live, { api: `${location.origin}/__fault/broken-retry` });
    asPhone(el);
    const failed = oneEvent(el, 'optin-error');
    must(el, '[part=button]').click();
    await failed;
    await el.updateComplete;
    await fetch('/__optin/heal?id=retry');
    must(el, '[part=submit]').click();
    await waitUntil(() => $(el, 'form'), 'Try again did not bring the form');
    expect(focused(el), 'focus stays in the panel after Try again').to.not.equal(null);
    const phone = nextPhone();
    typePhone(el, `+${phone}`);
    tick(el);
    const consented = oneEvent(el, 'optin-consent');
    submit(el);
    await consented;
    expect(await consents(live, phone)).to.have.length(1);
  });
});

/** Rasterises the widget's QR SVG and decodes it with jsQR. */
async function decodeQr(svg: SVGSVGElement): Promise<string | null> {
  // A CommonJS module: Vite hands over the function as the default export.
  const mod = await import('jsqr');
  type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
  const jsQR = ((mod.default as unknown as { default?: Decode }).default ?? mod.default) as unknown as Decode;
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', '400');
  copy.setAttribute('height', '400');
  const img = new Image();
  img.src = `data:image/svg+xml,${encodeURIComponent(copy.outerHTML)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 400;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, 400, 400);
  ctx.drawImage(img, 0, 0, 400, 400);
  const data = ctx.getImageData(0, 0, 400, 400);
  return jsQR(data.data, 400, 400)?.data ?? null;
}
