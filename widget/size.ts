import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** The widget's budget: `widget.js`, gzip level 9, Lit and styles included. */
export const WIDGET_GZIP_BUDGET = 10_240;

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
