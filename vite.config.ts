/**
 * The widget build, three files in `dist/widget/`:
 * - `widget.js` from `widget/index.ts`: the loader a page loads first, an IIFE without Lit (the
 *   floating button, the bubble, the triggers);
 * - `widget-panel.js` from `widget/panel.ts`: the Lit component and its styles, an ES module the
 *   loader imports on the visitor's intent or when the page is idle;
 * - `widget-qr.js` from `widget/qr.ts`: the QR encoder that desktops load after consent.
 * The component tests run through the same plugins (web-test-runner.config.mjs).
 * The panels carry a slim Lit (scripts/slim-lit.ts), and terser runs over them last: together with
 * the loader they stay within the whole widget's budget (widget/size.ts).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vanillaExtractPlugin } from '@vanilla-extract/vite-plugin';
import { minify } from 'terser';
import { build, defineConfig, type Plugin, type PluginOption } from 'vite';
import { slimLit } from './scripts/slim-lit.js';

const root = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(root, 'dist/widget');

/**
 * vanilla-extract injects its CSS into `document`, which never reaches a shadow root
 * (vanilla-extract#488). Each compiled `.css.ts` module imports its `….vanilla.css`; this turns
 * that import into an `?inline` one (the CSS as a string) and exports it as `cssText`, for the
 * component's `static styles = unsafeCSS(cssText)`. No CSS file is emitted and no style is injected.
 */
function inlineVanillaCss(): Plugin {
  return {
    name: 'optin:inline-vanilla-css',
    enforce: 'post',
    transform(code, id) {
      if (!/\.css\.ts(\?|$)/.test(id)) return null;
      const names: string[] = [];
      const out = code.replace(
        /import\s*(["'])([^"']+?\.vanilla\.css)(\?[^"']*)?\1;?/g,
        (_m, _q, file: string, query?: string) => {
          const name = `__optinCss${names.length}`;
          names.push(name);
          return `import ${name} from ${JSON.stringify(`${file}${query ? `${query}&` : '?'}inline`)};`;
        },
      );
      return { code: `${out}\nexport const cssText = ${names.join(' + ') || "''"};`, map: null };
    },
  };
}

/**
 * Lit records its versions on `globalThis` and creates `globalThis.litPropertyMetadata` for
 * standard decorators. The widget promises to define no global but its element, and it uses
 * TypeScript's experimental decorators, so those lines are dropped from the bundle.
 */
function litWithoutGlobals(): Plugin {
  return {
    name: 'optin:lit-without-globals',
    apply: 'build',
    transform(code, id) {
      if (!/[\\/]node_modules[\\/](lit-html|lit-element|@lit[\\/]reactive-element)[\\/]/.test(id)) return null;
      const out = code
        .replace(/\(\w+\.(litHtml|litElement|reactiveElement)Versions\s*\?\?=\s*\[\]\)\.push\([^)]*\)/g, '0')
        .replace(/,\s*\w+\.litPropertyMetadata\s*\?\?=\s*new WeakMap/g, '')
        // Standard decorators' Symbol.metadata polyfill would change a built-in on the host page.
        .replace(/Symbol\.metadata\s*\?\?=\s*Symbol\(\s*["']metadata["']\s*\)\s*,?/g, '')
        .replace(/(?<![.\w])litPropertyMetadata\.get\(\w+\)/g, 'void 0')
        // Hooks for the ShadyDOM polyfill and SSR hydration, neither of which the widget uses.
        // (A no-op function rather than undefined: the minifier mangles `(void 0)?.()` into `0()`.)
        .replace(/\b\w+\.(litHtml|litElement|reactiveElement)(Polyfill|Hydrate)Support\b/g, '(() => {})');
      return out === code ? null : { code: out, map: null };
    },
  };
}

/**
 * Lit templates keep their source indentation. In the minified IIFE the only line breaks left are
 * inside those templates, where a line break plus indentation means the same as one space.
 */
function collapseTemplateWhitespace(): Plugin {
  return {
    name: 'optin:collapse-template-whitespace',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle))
        if (chunk.type === 'chunk') chunk.code = chunk.code.replace(/>\n\s*</g, '><').replace(/\n\s*/g, ' ');
    },
  };
}

/**
 * The whole bundle runs once per page, and never throws into it: a second copy of the snippet stops
 * before anything runs (Lit would otherwise try to create its Trusted Types policy twice), and a page
 * whose CSP refuses the widget (Trusted Types without `lit-html`) is left as it was: no exception.
 */
function runOnceQuietly(): Plugin {
  return {
    name: 'optin:run-once-quietly',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunk = bundle['widget.js'];
      // The loader defines <whatsapp-optin-bubble> first thing: a second copy finds it and stops.
      if (chunk?.type === 'chunk')
        chunk.code = `if(!customElements.get("whatsapp-optin-bubble"))try{${chunk.code}}catch{}`;
    },
  };
}

/**
 * terser over the minified panel: its compressor and mangler find what oxc's leave (the panel is
 * 124 B gzip smaller, measured on widget-panel.es.js). Default options only: no `unsafe` transform,
 * and no property is renamed (Lit's `_$` names are its own).
 */
function terserPass(): Plugin {
  return {
    name: 'optin:terser-pass',
    apply: 'build',
    async generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle))
        if (chunk.type === 'chunk') {
          const out = await minify(chunk.code, { module: true, ecma: 2020, compress: { passes: 2 } });
          chunk.code = out.code!;
        }
    },
  };
}

/** In the panel's build, `./words.js` is the loader's copy, handed over at run time (widget/words-shared.ts). */
function wordsFromLoader(): Plugin {
  return {
    name: 'optin:words-from-loader',
    enforce: 'pre',
    async resolveId(source, importer) {
      if (source === './words.js' && importer && !importer.endsWith('words-shared.ts'))
        return resolve(root, 'widget/words-shared.ts');
      return null;
    },
  };
}

/** After the loader, builds the ES modules it imports: `widget-panel.js` (Lit) and `widget-qr.js`. */
function lazyModules(): Plugin {
  const module = (entry: string, file: string, plugins: PluginOption[], lang?: string) =>
    build({
      configFile: false,
      root,
      logLevel: 'warn',
      plugins,
      define: lang ? { __OPTIN_LANG__: JSON.stringify(lang) } : {},
      build: {
        outDir,
        emptyOutDir: false,
        copyPublicDir: false,
        target: 'es2022',
        minify: true,
        reportCompressedSize: false,
        lib: { entry: resolve(root, entry), formats: ['es'], fileName: () => file },
        // Vite keeps whitespace in ES libraries for their consumers' bundlers; these are served as they are.
        rolldownOptions: { output: { minify: true } },
      },
    });
  return {
    name: 'optin:widget-lazy-modules',
    apply: 'build',
    async closeBundle() {
      // One panel per language: the loader imports the one its page speaks.
      for (const lang of ['en', 'es', 'pt'])
        await module(
          'widget/panel.ts',
          `widget-panel.${lang}.js`,
          [
            vanillaExtractPlugin(),
            inlineVanillaCss(),
            slimLit(),
            litWithoutGlobals(),
            collapseTemplateWhitespace(),
            wordsFromLoader(),
            terserPass(),
          ],
          lang,
        );
      await module('widget/qr.ts', 'widget-qr.js', []);
    },
  };
}

export default defineConfig({
  root,
  // The component tests (web-test-runner.config.mjs) run on the same slim Lit as the panel. A
  // pre-bundle of dependencies may hold no Lit at all (a page without the widget): only the panel's
  // build requires every patched file.
  optimizeDeps: { rolldownOptions: { plugins: [slimLit({ requireEveryFile: false })] } },
  plugins: [
    vanillaExtractPlugin(),
    inlineVanillaCss(),
    litWithoutGlobals(),
    collapseTemplateWhitespace(),
    runOnceQuietly(),
    lazyModules(),
  ],
  build: {
    outDir,
    // outDir is dist/widget: only the widget's own files are cleaned, never the rest of dist/.
    emptyOutDir: true,
    copyPublicDir: false,
    target: 'es2022',
    minify: true,
    reportCompressedSize: false,
    lib: {
      entry: resolve(root, 'widget/index.ts'),
      formats: ['iife'],
      // Required by Vite for IIFE; the entry exports nothing, so no global is created.
      name: 'optinKitWidget',
      fileName: () => 'widget.js',
    },
  },
});
