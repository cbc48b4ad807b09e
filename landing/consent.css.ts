import { globalStyle, style } from '@vanilla-extract/css';
import { control } from './base.css.js';
import { vars } from './tokens.css.js';

export const page = style({
  minHeight: '100vh',
  display: 'grid',
  placeItems: 'start center',
  paddingBlock: '1.5rem',
  paddingInline: '0.75rem',
});

export const card = style({
  inlineSize: '100%',
  maxInlineSize: '28rem',
  background: vars.color.surface,
  borderRadius: vars.radius,
  padding: '1.25rem',
  boxShadow: '0 1px 3px rgb(0 0 0 / 0.12)',
});

export const brand = style({
  display: 'flex',
  alignItems: 'center',
  gap: '0.5rem',
  margin: 0,
  color: vars.color.muted,
  fontSize: '0.875rem',
  fontWeight: 600,
});
export const logo = style({ inlineSize: '1.5rem', blockSize: '1.5rem', flex: 'none' });

export const title = style({
  fontSize: '1.375rem',
  lineHeight: 1.25,
  marginBlock: '0.5rem 0.75rem',
  overflowWrap: 'anywhere',
});
export const muted = style({ color: vars.color.muted, marginBlock: '0 1rem' });

export const field = style({ marginBlockEnd: '1rem' });
export const label = style({ display: 'block', fontWeight: 600, marginBlockEnd: '0.25rem' });
export const hint = style({
  display: 'block',
  color: vars.color.muted,
  fontSize: '0.875rem',
  marginBlock: '0 0.25rem',
});
export const input = style({ ...control, selectors: { '&[aria-invalid="true"]': { borderColor: vars.color.error } } });

export const fieldset = style({ border: 0, padding: 0, margin: '0 0 1rem' });
export const legend = style({ fontWeight: 600, padding: 0, marginBlockEnd: '0.25rem' });
export const check = style({ display: 'flex', gap: '0.75rem', alignItems: 'flex-start' });
export const checkbox = style({
  inlineSize: '1.75rem',
  blockSize: '1.75rem',
  margin: '0.125rem 0 0',
  flex: 'none',
  accentColor: vars.color.brand,
});
export const checkLabel = style({ overflowWrap: 'anywhere' });

export const error = style({ display: 'block', color: vars.color.error, fontWeight: 600, marginBlock: '0 0.25rem' });

export const summary = style({
  border: `3px solid ${vars.color.error}`,
  borderRadius: '8px',
  padding: '0.75rem 1rem',
  marginBlockEnd: '1rem',
});
export const summaryTitle = style({ fontSize: '1.125rem', margin: '0 0 0.25rem' });
export const summaryList = style({ margin: 0, paddingInlineStart: '1.25rem' });
globalStyle(`${summaryList} a`, { color: vars.color.error, fontWeight: 600 });

export const button = style({
  display: 'block',
  inlineSize: '100%',
  minBlockSize: '3rem',
  border: 0,
  borderRadius: '999px',
  background: vars.color.brand,
  color: vars.color.brandText,
  font: 'inherit',
  fontWeight: 700,
  fontSize: '1.0625rem',
  cursor: 'pointer',
});

export const small = style({ fontSize: '0.875rem', color: vars.color.muted, marginBlock: '1rem 0' });
export const note = style({
  fontSize: '0.875rem',
  background: vars.color.bg,
  borderRadius: '8px',
  padding: '0.5rem 0.75rem',
  marginBlock: '1rem 0',
});

/** Hidden from people and assistive technology, visible to form-filling bots. */
export const trap = style({
  position: 'absolute',
  insetInlineStart: '-10000px',
  inlineSize: '1px',
  blockSize: '1px',
  overflow: 'hidden',
});
