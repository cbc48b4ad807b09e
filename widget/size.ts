import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** The loader's budget: `widget.js`, the only script a host page loads at first, gzip level 9. */
export const LOADER_GZIP_BUDGET = 3_072;

/**
 * The whole widget's budget: the loader and the panel of one language (Lit, styles, strings), gzip
 * level 9 each, summed. The QR module (desktops, after consent) comes on top.
 */
export const WIDGET_GZIP_BUDGET = 12_288;

/** The panels the build makes, one per language. */
export const PANEL_FILES = ['widget-panel.en.js', 'widget-panel.es.js', 'widget-panel.pt.js'];

export interface Sizes {
  raw: number;
  gzip: number;
  brotli: number;
}

/**
 * Measures a built file the way CDNs serve it: raw, gzip -9 and brotli at quality 11.
 *
 * @example
 * reportSizes('dist/widget/widget.js') // { raw: 27814, gzip: 9630, brotli: 8512 }
 */
export function reportSizes(file: string): Sizes {
  const buf = readFileSync(file);
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** One line for build and bench output, e.g. `widget.js  27.2 KiB raw · 9.40 KiB gzip · 8.31 KiB brotli`. */
export function formatSizes(name: string, s: Sizes): string {
  const k = (n: number) => `${(n / 1024).toFixed(2)} KiB`;
  return `${name}  ${k(s.raw)} raw · ${k(s.gzip)} gzip · ${k(s.brotli)} brotli`;
}
