import { assignVars, createGlobalTheme, createGlobalThemeContract, globalStyle } from '@vanilla-extract/css';

/**
 * Design tokens of the hosted pages, as stable `--ok-*` custom properties. Light by default; the
 * dark values apply under `prefers-color-scheme: dark`. Colours meet WCAG AA contrast for body text.
 */
export const vars = createGlobalThemeContract(
  {
    color: {
      bg: 'bg',
      surface: 'surface',
      text: 'text',
      muted: 'muted',
      brand: 'brand',
      brandText: 'brand-text',
      error: 'error',
      border: 'border',
      focus: 'focus',
    },
    radius: 'radius',
    font: 'font',
  },
  (v) => `ok-${v}`,
);

createGlobalTheme(':root', vars, {
  color: {
    bg: '#f0f2f5',
    surface: '#ffffff',
    text: '#111b21',
    muted: '#3b4a54',
    brand: '#075e54',
    brandText: '#ffffff',
    error: '#b3261e',
    border: '#667781',
    focus: '#1a56c8',
  },
  radius: '12px',
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
});

globalStyle(':root', {
  colorScheme: 'light dark',
  '@media': {
    '(prefers-color-scheme: dark)': {
      vars: assignVars(vars.color, {
        bg: '#0b141a',
        surface: '#111b21',
        text: '#e9edef',
        muted: '#c2cbd1',
        brand: '#25d366',
        brandText: '#0b141a',
        error: '#ff8a80',
        border: '#8696a0',
        focus: '#8ab4f8',
      }),
    },
  },
});
