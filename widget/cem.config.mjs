/**
 * custom-elements.json from the component's JSDoc:
 *
 *   npx cem analyze --config widget/cem.config.mjs
 *
 * The plugin drops what the analyzer reads wrongly from this file: internal reactive state
 * (declared in `static properties` with `state: true`) listed as attributes, the generic `type`
 * of the private `#emit` helper listed as an event, and local variables listed as declarations.
 */
const INTERNAL = new Set(['stage', 'info', 'invalid', 'busy', 'qr']);

export default {
  globs: ['widget/whatsapp-optin.component.ts', 'widget/whatsapp-optin.ts'],
  outdir: '.',
  litelement: true,
  plugins: [
    {
      name: 'optin:tidy',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules) {
          mod.declarations = (mod.declarations ?? []).filter(
            (d) => d.kind !== 'variable' || mod.exports?.some((e) => e.name === d.name),
          );
          for (const d of mod.declarations) {
            if (d.attributes) d.attributes = d.attributes.filter((a) => !INTERNAL.has(a.name));
            if (d.events) d.events = d.events.filter((e) => e.name !== 'type');
            if (d.members) d.members = d.members.filter((m) => m.privacy !== 'private' && !m.name.startsWith('#'));
          }
        }
      },
    },
  ],
};
