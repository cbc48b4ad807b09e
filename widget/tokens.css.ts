import { createGlobalThemeContract } from '@vanilla-extract/css';

/**
 * The widget's design tokens: stable `--optin-*` custom properties that a host page may set on
 * `whatsapp-optin` or any ancestor. Custom properties inherit through the shadow boundary, so
 * this contract is the only styling channel that crosses it besides `::part()`.
 *
 * The contract emits no CSS: the component reads each token with a fallback, so an unset token
 * never blanks a colour.
 *
 * @example
 * whatsapp-optin { --optin-accent: #128c7e; --optin-radius: 4px; }
 */
export const tokens = createGlobalThemeContract(
  {
    accent: 'accent',
    onAccent: 'on-accent',
    surface: 'surface',
    text: 'text',
    muted: 'muted',
    danger: 'danger',
    radius: 'radius',
    font: 'font',
    offset: 'offset',
    zIndex: 'z-index',
  },
  (value) => `optin-${value}`,
);

/** Set by the component from the app's theme; a page's `--optin-accent` still wins. */
export const themeAccent = '--_optin-theme';
