import { globalStyle } from '@vanilla-extract/css';
import { vars } from './tokens.css.js';

/** What every hosted page shares: box model, body text, links and a visible focus ring. */
globalStyle('*, *::before, *::after', { boxSizing: 'border-box' });
globalStyle('body', {
  margin: 0,
  background: vars.color.bg,
  color: vars.color.text,
  font: `1rem/1.5 ${vars.font}`,
  WebkitTextSizeAdjust: '100%',
});
globalStyle('a', { color: 'inherit', textUnderlineOffset: '0.2em' });
globalStyle(':focus-visible', { outline: `3px solid ${vars.color.focus}`, outlineOffset: '2px' });

/** The look of a text field, shared by the consent page and the Settings page. */
export const control = {
  inlineSize: '100%',
  minBlockSize: '2.75rem',
  font: 'inherit',
  color: vars.color.text,
  background: vars.color.surface,
  border: `2px solid ${vars.color.border}`,
  borderRadius: '8px',
  paddingInline: '0.75rem',
} as const;
