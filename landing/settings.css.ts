/**
 * Styles of the Settings page (built to dist/landing/settings.css, served from /assets with
 * immutable caching). Mobile first: everything works at 320 px; wider screens get two columns.
 */
import { globalStyle, style } from '@vanilla-extract/css';
import { control } from './base.css.js';
import { vars } from './tokens.css.js';

const wide = 'screen and (min-width: 48rem)';

globalStyle('h1, h2, h3', { lineHeight: 1.25, overflowWrap: 'anywhere' });

export const skip = style({
  position: 'absolute',
  insetInlineStart: '0.5rem',
  insetBlockStart: '-3rem',
  background: vars.color.surface,
  padding: '0.5rem 0.75rem',
  borderRadius: '8px',
  zIndex: 10,
  selectors: { '&:focus': { insetBlockStart: '0.5rem' } },
});

export const header = style({ background: vars.color.surface, borderBlockEnd: `1px solid ${vars.color.border}` });
export const headerInner = style({
  maxInlineSize: '64rem',
  marginInline: 'auto',
  padding: '0.75rem',
  display: 'flex',
  flexWrap: 'wrap',
  gap: '0.5rem 1rem',
  alignItems: 'center',
});
export const brand = style({
  display: 'flex',
  alignItems: 'center',
  gap: '0.5rem',
  fontWeight: 700,
  margin: 0,
  fontSize: '1.125rem',
  flex: '1 1 12rem',
  minInlineSize: 0,
});
export const logo = style({ inlineSize: '1.5rem', blockSize: '1.5rem', flex: 'none' });
export const appName = style({ overflowWrap: 'anywhere' });
export const badge = style({
  fontSize: '0.8125rem',
  fontWeight: 700,
  borderRadius: '999px',
  padding: '0.125rem 0.625rem',
  border: `2px solid currentColor`,
  whiteSpace: 'nowrap',
});
export const headerForms = style({ display: 'flex', flexWrap: 'wrap', gap: '0.5rem', alignItems: 'center' });
export const langs = style({
  display: 'flex',
  gap: '0.25rem',
  listStyle: 'none',
  margin: 0,
  padding: 0,
  fontSize: '0.875rem',
});
globalStyle(`${langs} a`, {
  display: 'inline-block',
  padding: '0.625rem 0.5rem',
  minInlineSize: '2.75rem',
  textAlign: 'center',
});
globalStyle(`${langs} a[aria-current]`, { fontWeight: 700, textDecorationThickness: '3px' });

export const nav = style({
  maxInlineSize: '64rem',
  marginInline: 'auto',
  paddingInline: '0.75rem',
  overflowX: 'auto',
  position: 'relative',
});
export const navList = style({ display: 'flex', gap: '0.25rem', listStyle: 'none', margin: 0, padding: 0 });
export const navLink = style({
  display: 'block',
  padding: '0.75rem 0.75rem',
  textDecoration: 'none',
  whiteSpace: 'nowrap',
  borderBlockEnd: '4px solid transparent',
  fontWeight: 600,
  selectors: { '&[aria-current="page"]': { borderBlockEndColor: vars.color.brand } },
});

export const main = style({ maxInlineSize: '64rem', marginInline: 'auto', padding: '1rem 0.75rem 3rem' });
export const h1 = style({ fontSize: '1.5rem', margin: '0.5rem 0 1rem' });
export const grid = style({ display: 'grid', gap: '1rem', '@media': { [wide]: { gridTemplateColumns: '1fr 1fr' } } });
export const section = style({
  background: vars.color.surface,
  borderRadius: vars.radius,
  padding: '1rem',
  boxShadow: '0 1px 3px rgb(0 0 0 / 0.12)',
  minInlineSize: 0,
  marginBlockEnd: '1rem',
});
export const sectionWide = style({ '@media': { [wide]: { gridColumn: '1 / -1' } } });
export const h2 = style({ fontSize: '1.1875rem', margin: '0 0 0.5rem' });
export const h3 = style({ fontSize: '1rem', margin: '1rem 0 0.25rem' });
export const muted = style({ color: vars.color.muted, margin: '0 0 0.75rem' });

export const field = style({ marginBlockEnd: '1rem' });
export const label = style({ display: 'block', fontWeight: 600, marginBlockEnd: '0.25rem' });
export const hint = style({
  display: 'block',
  color: vars.color.muted,
  fontSize: '0.875rem',
  marginBlock: '0 0.25rem',
});
export const error = style({ display: 'block', color: vars.color.error, fontWeight: 600, marginBlock: '0 0.25rem' });
export const input = style({ ...control, selectors: { '&[aria-invalid="true"]': { borderColor: vars.color.error } } });
export const textarea = style({
  ...control,
  paddingBlock: '0.5rem',
  minBlockSize: '6rem',
  resize: 'vertical',
  selectors: { '&[aria-invalid="true"]': { borderColor: vars.color.error } },
});
export const colorInput = style({ ...control, inlineSize: '5rem', padding: '0.25rem' });
export const select = style({ ...control });
export const check = style({ display: 'flex', gap: '0.75rem', alignItems: 'flex-start', marginBlockEnd: '0.75rem' });
export const checkbox = style({
  inlineSize: '1.5rem',
  blockSize: '1.5rem',
  margin: '0.125rem 0 0',
  flex: 'none',
  accentColor: vars.color.brand,
});

const buttonBase = {
  display: 'inline-flex',
  alignItems: 'center',
  justifyContent: 'center',
  minBlockSize: '2.75rem',
  minInlineSize: '2.75rem',
  paddingInline: '1rem',
  borderRadius: '999px',
  font: 'inherit',
  fontWeight: 700,
  cursor: 'pointer',
  textDecoration: 'none',
  textAlign: 'center',
} as const;
export const button = style({ ...buttonBase, border: 0, background: vars.color.brand, color: vars.color.brandText });
export const buttonSecondary = style({
  ...buttonBase,
  border: `2px solid ${vars.color.brand}`,
  background: 'transparent',
  color: vars.color.text,
});
export const buttonDanger = style({
  ...buttonBase,
  border: 0,
  background: vars.color.error,
  color: vars.color.surface,
});
export const actions = style({
  display: 'flex',
  flexWrap: 'wrap',
  gap: '0.5rem',
  alignItems: 'center',
  marginBlock: '0.5rem',
});
export const inlineForm = style({ display: 'inline' });

export const code = style({
  display: 'block',
  fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  fontSize: '0.875rem',
  background: vars.color.bg,
  border: `1px solid ${vars.color.border}`,
  borderRadius: '8px',
  padding: '0.5rem 0.75rem',
  margin: '0 0 0.5rem',
  whiteSpace: 'pre-wrap',
  overflowWrap: 'anywhere',
});
export const copyStatus = style({ fontSize: '0.875rem', color: vars.color.muted, minBlockSize: '1.25rem' });

export const notice = style({
  borderInlineStart: `6px solid ${vars.color.brand}`,
  background: vars.color.surface,
  padding: '0.75rem 1rem',
  borderRadius: '8px',
  marginBlockEnd: '1rem',
  fontWeight: 600,
});
export const summary = style({
  border: `3px solid ${vars.color.error}`,
  background: vars.color.surface,
  borderRadius: '8px',
  padding: '0.75rem 1rem',
  marginBlockEnd: '1rem',
});
export const summaryTitle = style({ fontSize: '1.125rem', margin: '0 0 0.25rem' });
globalStyle(`${summary} a`, { color: vars.color.error, fontWeight: 600 });

export const qrBox = style({ display: 'flex', flexWrap: 'wrap', gap: '1rem', alignItems: 'flex-start' });
export const qrImg = style({
  inlineSize: '10rem',
  blockSize: '10rem',
  background: '#fff',
  borderRadius: '8px',
  border: `1px solid ${vars.color.border}`,
});
/**
 * A stand-in for the marketer's page: its transform makes it the containing block of the floating
 * button (position: fixed), so the button sits in the frame's corner that the position setting names.
 */
export const preview = style({
  position: 'relative',
  transform: 'translateZ(0)',
  border: `2px dashed ${vars.color.border}`,
  borderRadius: '8px',
  padding: '1rem',
  minBlockSize: '10rem',
  overflow: 'hidden',
});

export const filters = style({
  display: 'grid',
  gap: '0 1rem',
  gridTemplateColumns: 'repeat(auto-fit, minmax(9rem, 1fr))',
  alignItems: 'end',
});
// position: relative keeps the visually hidden labels inside the scroller, so the page itself never scrolls sideways.
export const tableWrap = style({ overflowX: 'auto', marginBlock: '0.5rem', position: 'relative' });
export const table = style({ borderCollapse: 'collapse', inlineSize: '100%', fontSize: '0.9375rem' });
globalStyle(`${table} th, ${table} td`, {
  textAlign: 'start',
  padding: '0.5rem',
  borderBlockEnd: `1px solid ${vars.color.border}`,
  verticalAlign: 'top',
});
globalStyle(`${table} caption`, { textAlign: 'start', fontWeight: 600, paddingBlockEnd: '0.5rem' });
export const num = style({ textAlign: 'end', fontVariantNumeric: 'tabular-nums' });
globalStyle(`${table} th${num}, ${table} td${num}`, { textAlign: 'end' });
export const mono = style({
  fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  whiteSpace: 'nowrap',
});
export const details = style({ marginBlockStart: '0.25rem' });
globalStyle(`${details} > summary`, {
  cursor: 'pointer',
  minBlockSize: '2.75rem',
  display: 'flex',
  alignItems: 'center',
  textDecoration: 'underline',
});
export const historyList = style({
  margin: '0.25rem 0 0',
  paddingInlineStart: '1.25rem',
  fontSize: '0.875rem',
  minInlineSize: '14rem',
});
export const pager = style({ display: 'flex', flexWrap: 'wrap', gap: '1rem', marginBlock: '1rem' });

/**
 * A conversion table (also a {@link stackTable}): its names wrap anywhere (a 64-character campaign),
 * its counts under each rate; on a phone each group is a card, its rates and counts on one line.
 */
export const rates = style({});
export const rateCounts = style({ display: 'block', fontSize: '0.8125rem', color: vars.color.muted });

export const chart = style({ inlineSize: '100%', blockSize: 'auto', maxInlineSize: '48rem', display: 'block' });
export const legend = style({
  display: 'flex',
  flexWrap: 'wrap',
  gap: '0.25rem 1rem',
  listStyle: 'none',
  padding: 0,
  margin: '0.5rem 0',
  fontSize: '0.875rem',
});
export const swatch = style({
  display: 'inline-block',
  inlineSize: '0.875rem',
  blockSize: '0.875rem',
  borderRadius: '3px',
  marginInlineEnd: '0.375rem',
  verticalAlign: '-0.125rem',
});

export const visuallyHidden = style({
  position: 'absolute',
  inlineSize: '1px',
  blockSize: '1px',
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
});

export const signin = style({ maxInlineSize: '28rem', marginInline: 'auto', marginBlockStart: '2rem' });

/** The poster: one printed page with the business name, the call to action and the QR code. */
export const poster = style({
  background: '#fff',
  color: '#111b21',
  maxInlineSize: '42rem',
  marginInline: 'auto',
  padding: '2rem 1rem',
  textAlign: 'center',
  '@media': { print: { padding: 0, maxInlineSize: 'none' } },
});
export const posterBusiness = style({ fontSize: '2.5rem', margin: '0 0 0.5rem', overflowWrap: 'anywhere' });
export const posterCta = style({ fontSize: '1.75rem', margin: '0 0 1.5rem', color: '#075e54' });
export const posterQr = style({
  inlineSize: 'min(100%, 26rem)',
  blockSize: 'auto',
  display: 'block',
  marginInline: 'auto',
});
export const posterSub = style({ fontSize: '1.25rem', margin: '1rem 0' });
export const posterUrl = style({ fontSize: '1rem', overflowWrap: 'anywhere' });
export const noPrint = style({ '@media': { print: { display: 'none' } } });

/** The funnel chart's five series: 3:1 against the card in light and dark (WCAG 1.4.11). */
const series = (light: string, dark: string) =>
  style({
    fill: light,
    background: light,
    '@media': { '(prefers-color-scheme: dark)': { fill: dark, background: dark } },
  });
export const s1 = series('#075e54', '#25d366');
export const s2 = series('#1a56c8', '#8ab4f8');
export const s3 = series('#8a4b00', '#fbbc04');
export const s4 = series('#6b3fa0', '#d7aefb');
export const s5 = series('#b3261e', '#ff8a80');
export const chartText = style({ fill: 'currentColor', fontSize: '12px' });
export const chartGrid = style({ stroke: vars.color.border, strokeWidth: 1 });

/** Origins refused lately, each with its one-click "Allow". */
export const refusedList = style({ listStyle: 'none', margin: 0, padding: 0 });
globalStyle(`${refusedList} > li`, { borderBlockStart: `1px solid ${vars.color.border}`, paddingBlock: '0.5rem' });
globalStyle(`${refusedList} form`, { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: '0.5rem' });
globalStyle(`${refusedList} code`, { overflowWrap: 'anywhere', whiteSpace: 'normal' });

/** A group of checkboxes under one legend (the widget's analytics). */
export const fieldset = style({ border: 0, margin: '0 0 1rem', padding: 0, minInlineSize: 0 });

/**
 * The opt-ins table on a phone (up to 40rem, 640 px): each person is a card whose cells carry their
 * column's name (data-label), so nothing scrolls sideways at 320 or 360 px.
 */
export const stackTable = style({});
const narrow = '(max-width: 40rem)';
globalStyle(`${stackTable} thead`, {
  '@media': {
    [narrow]: { position: 'absolute', inlineSize: '1px', blockSize: '1px', overflow: 'hidden', clipPath: 'inset(50%)' },
  },
});
globalStyle(`${stackTable}, ${stackTable} tbody, ${stackTable} tr, ${stackTable} th, ${stackTable} td`, {
  '@media': { [narrow]: { display: 'block', inlineSize: '100%' } },
});
globalStyle(`${stackTable} tr`, {
  '@media': { [narrow]: { borderBlockEnd: `2px solid ${vars.color.border}`, paddingBlock: '0.5rem' } },
});
globalStyle(`${stackTable} td, ${stackTable} th`, {
  '@media': { [narrow]: { borderBlockEnd: 0, paddingBlock: '0.125rem' } },
});
globalStyle(`${stackTable} td[data-label]::before`, {
  '@media': { [narrow]: { content: 'attr(data-label) ": "', fontWeight: 600 } },
});
globalStyle(`${rates} th[scope=row]`, { overflowWrap: 'anywhere' });
globalStyle(`${rates} caption, ${rates} tfoot, ${rates} tfoot tr`, {
  '@media': { [narrow]: { display: 'block', inlineSize: '100%' } },
});
globalStyle(`${table}${rates} td${num}`, { '@media': { [narrow]: { textAlign: 'start' } } });
globalStyle(`${rates} ${rateCounts}`, {
  '@media': { [narrow]: { display: 'inline', marginInlineStart: '0.375rem' } },
});
