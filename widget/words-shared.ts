/**
 * What `widget-panel.js` sees as `./words.js`: the loader's own copies, handed over by `define()`
 * (see widget/panel.ts), so the panel does not carry them twice. vite.config.ts points the panel's
 * build here; the component's tests and an npm import use `./words.js` itself. Only functions and
 * values read after `define()` may come from here.
 */
import type * as Words from './words.js';

export let ICON: string;
export let isPhone: typeof Words.isPhone;
export let hostedUrl: typeof Words.hostedUrl;
export let pickLang: typeof Words.pickLang;
export type { Lang } from './words.js';

/** The loader's words, before the element is defined. */
export type Shared = Pick<typeof Words, 'ICON' | 'isPhone' | 'hostedUrl' | 'pickLang'>;

export function share(w: Shared): void {
  ({ ICON, isPhone, hostedUrl, pickLang } = w);
}
