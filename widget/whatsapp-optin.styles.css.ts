import { createVar, fallbackVar, globalStyle, keyframes, style } from '@vanilla-extract/css';
import { themeAccent, tokens } from './tokens.css.js';

/*
 * These rules live only inside the element's shadow root: the build turns this file into a CSS
 * string (see vite.config.ts) that the component adopts. Nothing here reaches the host page, so
 * plain element selectors are safe and keep the bundle small; the host page reaches in only
 * through the `--optin-*` tokens and `::part()`.
 */

/**
 * All of this file's CSS as text. It has no runtime value here: the `inline-vanilla-css` plugin
 * in vite.config.ts appends the export to the compiled module.
 */
export declare const cssText: string;

const dark = '(prefers-color-scheme: dark)';
const still = '(prefers-reduced-motion: reduce)';
/** Resolved once on the wrapper: the page's token, else the app's theme colour, else WhatsApp green. */
const accent = createVar();
const danger = createVar();
const muted = createVar();
const target = '44px';

// Not on [hidden], so that the attribute still hides the element.
globalStyle(':host(:not([hidden]))', { display: 'inline-block' });

/** `all: initial` shields the widget from inherited host styles (letter-spacing, text-transform…). */
export const base = style({
  all: 'initial',
  display: 'block',
  font: `16px/1.45 ${fallbackVar(tokens.font, 'system-ui, sans-serif')}`,
  color: fallbackVar(tokens.text, '#111b21'),
  vars: {
    [accent]: fallbackVar(tokens.accent, `var(${themeAccent})`, '#25d366'),
    [danger]: fallbackVar(tokens.danger, '#c5221f'),
    [muted]: fallbackVar(tokens.muted, '#54656f'),
  },
  '@media': {
    [dark]: {
      color: fallbackVar(tokens.text, '#e9edef'),
      vars: { [danger]: fallbackVar(tokens.danger, '#f28b82'), [muted]: fallbackVar(tokens.muted, '#aebac1') },
    },
  },
});

globalStyle('button, input, a', {
  boxSizing: 'border-box',
  minBlockSize: target,
  minInlineSize: target,
  margin: 0,
  font: 'inherit',
  color: 'inherit',
});

/** An accent-coloured button: the opener, Continue, Try again and the desktop link. */
export const button = style({
  display: 'inline-flex',
  alignItems: 'center',
  justifyContent: 'center',
  gap: 8,
  paddingInline: 16,
  border: 0,
  borderRadius: 999,
  background: accent,
  // Black or white, whichever reads better on the accent (the CIE lightness crossover is ~50):
  // WhatsApp green gets dark text, which white text would fail WCAG AA on.
  color: fallbackVar(tokens.onAccent, `lch(from ${accent} calc((50 - l) * 100) 0 0)`),
  fontWeight: 600,
  textDecoration: 'none',
  cursor: 'pointer',
  selectors: { '&[disabled]': { opacity: 0.6, cursor: 'progress' } },
});

export const floating = style({
  position: 'fixed',
  zIndex: fallbackVar(tokens.zIndex, '999999'),
  insetBlockEnd: fallbackVar(tokens.offset, 'var(--_optin-y, 20px)'),
  insetInlineEnd: fallbackVar(tokens.offset, 'var(--_optin-x, 20px)'),
  inlineSize: 56,
  blockSize: 56,
  padding: 0,
  boxShadow: '0 2px 10px #0004',
});

/** `position: left` in the app's theme: the start edge (left in LTR pages, right in RTL ones). */
export const start = style({
  insetInlineEnd: 'auto',
  insetInlineStart: fallbackVar(tokens.offset, 'var(--_optin-x, 20px)'),
});

/** A floating button with a visible label: a pill instead of a circle. */
export const labelled = style({ inlineSize: 'auto', paddingInline: 20 });

globalStyle(`${button} svg`, { inlineSize: 24, blockSize: 24, fill: 'currentColor' });

const pop = keyframes({ from: { opacity: 0, transform: 'translateY(8px)' } });

globalStyle('dialog', {
  boxSizing: 'border-box',
  inlineSize: 'min(380px, 100vw - 24px)',
  padding: 20,
  border: 0,
  borderRadius: fallbackVar(tokens.radius, '12px'),
  background: fallbackVar(tokens.surface, '#fff'),
  color: 'inherit',
  boxShadow: '0 12px 40px #0005',
  animation: `${pop} .2s`,
  '@media': {
    [dark]: { background: fallbackVar(tokens.surface, '#1f2c34') },
    [still]: { animation: 'none' },
  },
});

globalStyle('dialog::backdrop', { background: '#0007' });

globalStyle('dialog > div', { display: 'flex', alignItems: 'start', gap: 8 });

globalStyle('h2', { flex: 1, margin: '8px 0 12px', fontSize: 19 });

/** The close button. */
globalStyle('dialog > div button', { border: 0, borderRadius: 999, background: 'none', fontSize: 24 });

globalStyle('p', { margin: '0 0 12px' });

globalStyle('small', { display: 'block', color: muted, fontSize: 14 });

globalStyle('[type=tel]', {
  display: 'block',
  inlineSize: '100%',
  marginBlock: 4,
  paddingInline: 12,
  border: `1px solid ${muted}`,
  borderRadius: 8,
  background: 'none',
});

globalStyle('label:has([type=checkbox])', {
  display: 'flex',
  gap: 10,
  alignItems: 'start',
  minBlockSize: target,
  marginBlockStart: 12,
});

globalStyle('[type=checkbox]', {
  flex: 'none',
  inlineSize: 22,
  minInlineSize: 0,
  blockSize: 22,
  minBlockSize: 0,
  accentColor: accent,
});

globalStyle('[aria-invalid=true]', { outline: `2px solid ${danger}` });

/** Field errors and failures. */
globalStyle('[role=alert]', { color: danger, fontSize: 14, fontWeight: 600 });

globalStyle('a', { display: 'inline-flex', alignItems: 'center' });

/** Continue, Try again and the desktop link span the panel. */
export const wide = style({ inlineSize: '100%', marginBlockStart: 12, borderRadius: 8 });

globalStyle('[role=img]', { display: 'block', inlineSize: 200, margin: '0 auto 12px', padding: 8, background: '#fff' });
