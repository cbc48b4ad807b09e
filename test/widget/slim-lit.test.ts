/**
 * The widget's slim Lit (scripts/slim-lit.ts): every patch still finds its text in the installed Lit,
 * and the widget's own code may not use what the patches removed. The panel's behaviour on the
 * patched Lit is covered by the component tests (`npm run test:browser`) and the built-bundle tests
 * (loader.e2e, host-page.e2e).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAst } from 'vite';
import { PATCHES, slimLit } from '../../scripts/slim-lit.js';

/** Lit's published browser build, as the panel's bundler reads it (not its `node` export). */
const installed = (file: string) => join(import.meta.dirname, '../../node_modules', file);
/** The plugin's transform hook, called as the bundler calls it (it needs no plugin context). */
const transform = (code: string, id: string) => {
  const hook = slimLit().transform as unknown as (code: string, id: string) => { code: string } | null;
  return hook.call({}, code, id);
};

describe('slim Lit', () => {
  for (const file of new Set(PATCHES.map((p) => p.file))) {
    it(`patches ${file} as installed: each patch once, and the result still parses`, async () => {
      const path = installed(file);
      const out = transform(readFileSync(path, 'utf8'), path);
      assert.ok(out, `${file} was left as it was`);
      for (const p of PATCHES.filter((q) => q.file === file))
        assert.ok(!out.code.includes(p.from), `"${p.why}" still in ${file}`);
      assert.doesNotThrow(() => parseAst(out.code), `${file} no longer parses after the patches`);
    });
  }

  it('fails on a patch whose text Lit no longer has (an upgrade), naming it', () => {
    const path = installed('lit-html/lit-html.js');
    const changed = readFileSync(path, 'utf8').replace('creationScope', 'creationRoot');
    assert.throws(() => transform(changed, path), /render option creationScope.*found it 0 times/);
  });

  it('refuses widget code that needs what was removed, and lets the component as it is through', () => {
    const component = '/repo/widget/whatsapp-optin.component.ts';
    const lit = "import { LitElement, html } from 'lit';\n";
    for (const [code, what] of [
      ["import { repeat } from 'lit/directives/repeat.js';", /directives/],
      ['static properties = { n: { type: Number } };', /Number, Object or Array/],
      ['static properties = { open: { reflect: true } };', /reflected properties/],
      ['html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`', /arrays rendered/],
      ['html`<textarea>${text}</textarea>`', /<textarea>/],
      ['svg`<circle r="1"/>`', /svg``/],
      ['this.addController(c);', /controllers/],
    ] as const)
      assert.throws(() => transform(lit + code, component), what, code);
    // Other files, and files without Lit (the loader), are not checked.
    assert.equal(transform(`${lit}[1].map(String);`, '/repo/server/x.ts'), null);
    assert.equal(transform('[1].map(String);', '/repo/widget/index.ts'), null);
    const real = new URL('../../widget/whatsapp-optin.component.ts', import.meta.url);
    assert.equal(transform(readFileSync(real, 'utf8'), real.pathname), null);
  });
});
