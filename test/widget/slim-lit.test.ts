/**
 * The widget's slim Lit (scripts/slim-lit.ts): every patch still finds its text in the installed Lit,
 * and the widget's own code may not use what the patches removed. The panel's behaviour on the
 * patched Lit is covered by the component tests (`npm run test:browser`) and the built-bundle tests
 * (loader.e2e, host-page.e2e).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { build, parseAst, type Plugin } from 'vite';
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

  it('fails a build through which a patched file never came (Lit renamed or moved it), naming the file', async () => {
    // A real Vite build of an entry that bundles lit-html alone: as if Lit's other three patched
    // files had been renamed, their patches would not apply.
    const root = join(import.meta.dirname, '../..');
    // Inside the repository, so that the entry resolves Lit from its node_modules.
    const dir = mkdtempSync(join(root, '.slim-lit-test-'));
    try {
      const entry = join(dir, 'entry.js');
      writeFileSync(entry, "import { html, render } from 'lit-html';\nrender(html`<p>hi</p>`, document.body);\n");
      const run = (plugin: Plugin) =>
        build({
          configFile: false,
          logLevel: 'silent',
          root,
          resolve: { conditions: ['module', 'browser', 'production'] },
          plugins: [plugin],
          build: { write: false, lib: { entry, formats: ['es'], fileName: () => 'x.js' } },
        });
      const missed = [
        '@lit/reactive-element/css-tag.js',
        '@lit/reactive-element/reactive-element.js',
        'lit-element/lit-element.js',
      ];
      await assert.rejects(run(slimLit()), (e: Error) => {
        assert.ok(
          e.message.includes(
            `slim-lit: ${missed.map((f) => `node_modules/${f}`).join(', ')} never came through the build`,
          ),
          e.message,
        );
        assert.match(e.message, /update PATCHES in scripts\/slim-lit\.ts/);
        return true;
      });
      // What did come through was patched; a pre-bundle may opt out of the check.
      const out = await run(slimLit({ requireEveryFile: false }));
      const chunk = (Array.isArray(out) ? out : [out]).flatMap((o) => ('output' in o ? o.output : []))[0];
      assert.ok(chunk && 'code' in chunk && chunk.code.includes('<p>hi</p>'), 'the build came out');
      assert.doesNotMatch(chunk.code, /creationScope/, 'lit-html was patched');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
