import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import '../../widget/whatsapp-optin.js';
import type { WhatsappOptin } from '../../widget/whatsapp-optin.js';
import { config, must, open, settle, widget } from './support.js';

const { live, sandbox, rtl } = config.apps;

/** Where one character of `find` (at `offset` in it) sits on screen, in the first text node of `el` that holds `find`. */
function box(el: Element, find: string, offset = 0): DOMRect {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const i = n.textContent!.indexOf(find);
    if (i < 0) continue;
    const r = document.createRange();
    r.setStart(n, i + offset);
    r.setEnd(n, i + offset + 1);
    return r.getBoundingClientRect();
  }
  throw new Error(`"${find}" is not in ${el.outerHTML.slice(0, 200)}`);
}

/** An sRGB colour as `#rrggbb`, through the canvas (computed colours come in several syntaxes). */
function hex(color: string): string {
  // The on-accent colour is computed in LCH: black or white.
  const lch = /^lch\((0|100) 0 0\)$/.exec(color);
  if (lch) return lch[1] === '0' ? '#000000' : '#ffffff';
  const ctx = document.createElement('canvas').getContext('2d')!;
  ctx.fillStyle = '#123456';
  ctx.fillStyle = color;
  return ctx.fillStyle;
}

const style = (el: Element) => getComputedStyle(el);

/** Waits for the app's settings (and so its theme) to arrive. */
async function themed(el: WhatsappOptin, background: string): Promise<void> {
  await waitUntil(
    () => hex(style(must(el, '[part=button]')).backgroundColor) === background,
    `button never became ${background}`,
  );
}

function addPageStyle(css: string): HTMLStyleElement {
  const s = document.createElement('style');
  s.textContent = css;
  document.head.append(s);
  return s;
}

describe('<whatsapp-optin> styles', () => {
  afterEach(async () => {
    await emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
    document.documentElement.dir = '';
  });

  it('the vanilla-extract styles apply inside the shadow root, and nothing is injected into the page', async () => {
    const el = await widget(sandbox);
    const button = must(el, '[part=button]');
    const s = style(button);
    expect(hex(s.backgroundColor), 'WhatsApp green by default').to.equal('#25d366');
    expect(hex(s.color), 'dark text on the green, for contrast').to.equal('#000000');
    expect(s.display).to.equal('inline-flex');
    expect(s.fontWeight).to.equal('600');
    expect(parseFloat(s.minHeight)).to.equal(44);
    expect(style(el).display).to.equal('inline-block');
    // Nothing of ours reached the document.
    const pageCss = [...document.styleSheets].flatMap((sheet) => [...sheet.cssRules].map((r) => r.cssText)).join('\n');
    expect(pageCss).to.not.contain('optin');
    expect(el.shadowRoot!.adoptedStyleSheets.length).to.equal(1);
  });

  it("takes the app's theme colour, and a page's --optin-accent wins over it", async () => {
    const el = await widget(live);
    await themed(el, '#ff0000');
    el.style.setProperty('--optin-accent', '#0b5394');
    expect(hex(style(must(el, '[part=button]')).backgroundColor)).to.equal('#0b5394');
    expect(hex(style(must(el, '[part=button]')).color), 'white text on a dark accent').to.equal('#ffffff');
  });

  it('inherits tokens from any ancestor, through the shadow boundary', async () => {
    const wrap = await fixture<HTMLDivElement>(
      html`<div style="--optin-accent: #6a1b9a; --optin-radius: 3px"><whatsapp-optin app=${sandbox.name} api=${config.api}></whatsapp-optin></div>`,
    );
    const el = wrap.querySelector('whatsapp-optin')!;
    await el.updateComplete;
    expect(hex(style(must(el, '[part=button]')).backgroundColor)).to.equal('#6a1b9a');
    const dialog = await open(el);
    expect(style(dialog).borderTopLeftRadius).to.equal('3px');
  });

  it('exposes parts to the page', async () => {
    const sheet = addPageStyle(
      'whatsapp-optin::part(button) { border-radius: 2px } whatsapp-optin::part(dialog) { border-radius: 0 } whatsapp-optin::part(submit) { text-transform: uppercase }',
    );
    try {
      const el = await widget(sandbox);
      expect(style(must(el, '[part=button]')).borderTopLeftRadius).to.equal('2px');
      const dialog = await open(el);
      expect(style(dialog).borderTopLeftRadius).to.equal('0px');
      expect(style(must(el, '[part=submit]')).textTransform).to.equal('uppercase');
      expect(must(el, '[part=consent]').tagName).to.equal('FORM');
      expect(must(el, '[part=base]')).to.exist;
    } finally {
      sheet.remove();
    }
  });

  it('floats at the end corner by default and at the start for position left, mirrored in RTL', async () => {
    const right = await fixture<WhatsappOptin>(
      html`<whatsapp-optin floating app=${sandbox.name} api=${config.api}></whatsapp-optin>`,
    );
    const rb = must(right, '[part=button]');
    expect(style(rb).position).to.equal('fixed');
    expect(Math.round(innerWidth - rb.getBoundingClientRect().right)).to.equal(20);
    expect(Math.round(innerHeight - rb.getBoundingClientRect().bottom)).to.equal(20);
    expect(rb.getAttribute('aria-label')).to.equal('Chat on WhatsApp');

    // The live app's theme says left.
    const left = await fixture<WhatsappOptin>(
      html`<whatsapp-optin floating app=${live.name} api=${config.api}></whatsapp-optin>`,
    );
    await themed(left, '#ff0000');
    expect(Math.round(must(left, '[part=button]').getBoundingClientRect().left)).to.equal(20);

    document.documentElement.dir = 'rtl';
    const rtl = await fixture<WhatsappOptin>(
      html`<whatsapp-optin floating position="right" app=${sandbox.name} api=${config.api}></whatsapp-optin>`,
    );
    expect(
      Math.round(must(rtl, '[part=button]').getBoundingClientRect().left),
      'inline end is the left in RTL',
    ).to.equal(20);
    // The panel speaks en, es or pt: left to right on an RTL page, so "(optional)" keeps its brackets.
    await rtl.show();
    expect(style(must(rtl, 'dialog')).direction).to.equal('ltr');
    expect(style(must(rtl, '[part=button]')).direction).to.equal('rtl');
    rtl.hide();
  });

  it('keeps a right-to-left business name from reordering the punctuation around it, in the title and the wording', async () => {
    const el = await widget(rtl);
    await open(el);
    const name = 'مطعم الورد!';
    for (const where of [must(el, '#title'), must(el, 'label span')]) {
      // In a right-to-left name its first letter is at the right and its final "!" at the left;
      // without isolation the "!" would follow the name to its right, as in left-to-right text.
      const first = box(where, name, 0);
      const bang = box(where, name, name.length - 1);
      const on = box(where, ' on WhatsApp', 1);
      expect(Math.abs(first.top - bang.top) < 4, 'name on one line').to.equal(true);
      expect(bang.right <= first.left + 1, `"!" at the name's start (left): ${where.textContent}`).to.equal(true);
      if (Math.abs(on.top - first.top) < 4)
        expect(on.left >= first.right - 1, '"on WhatsApp" after the name').to.equal(true);
    }
    el.hide();
  });

  it('survives hostile page CSS: * { all: unset } and button { display: none }', async () => {
    const sheet = addPageStyle(
      '* { all: unset !important; } button { display: none !important; } html { font-size: 4px !important; letter-spacing: 9px; }',
    );
    try {
      const el = await fixture<WhatsappOptin>(
        html`<whatsapp-optin floating app=${sandbox.name} api=${config.api}></whatsapp-optin>`,
      );
      const button = must(el, '[part=button]');
      const r = button.getBoundingClientRect();
      expect(style(button).display, 'fixed, so blockified').to.equal('flex');
      expect(r.width).to.be.at.least(44);
      expect(r.height).to.be.at.least(44);
      // Really on top, where a finger would land.
      expect(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)).to.equal(el);
      expect(style(must(el, '[part=base]')).letterSpacing).to.equal('normal');
      const dialog = await open(el);
      expect(style(dialog).display).to.equal('block');
      expect(style(must(el, 'h2')).fontSize).to.equal('19px');
    } finally {
      sheet.remove();
    }
  });

  it('follows prefers-color-scheme: dark', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const el = await widget(sandbox);
    const dialog = await open(el);
    expect(hex(style(dialog).backgroundColor)).to.equal('#1f2c34');
    expect(hex(style(must(el, 'h2')).color)).to.equal('#e9edef');
    await expect(el).to.be.accessible();
  });

  it('animates the panel, except under prefers-reduced-motion', async () => {
    const moving = await widget(sandbox);
    await open(moving);
    expect(style(must(moving, 'dialog')).animationName).to.not.equal('none');
    await emulateMedia({ reducedMotion: 'reduce' });
    const still = await widget(sandbox);
    const dialog = await open(still);
    await settle(still);
    expect(style(dialog).animationName).to.equal('none');
  });
});
