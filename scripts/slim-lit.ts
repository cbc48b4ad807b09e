import type { Plugin } from 'vite';

interface Patch {
  /** What the lines did, and why the widget never needs it. */
  why: string;
  /** The file in node_modules, as it ends. */
  file: string;
  /** Exact text of Lit's published (minified) build; it must appear exactly once. */
  from: string;
  to: string;
}

const RE = '@lit/reactive-element/reactive-element.js';
const CSS = '@lit/reactive-element/css-tag.js';
const LH = 'lit-html/lit-html.js';
const LE = 'lit-element/lit-element.js';

/**
 * The patches, in the order they apply to each file. Lit's minified names (`_$AH`, `this.C`…) are
 * its published build's own; `why` says what each removes.
 */
export const PATCHES: Patch[] = [
  // ---- css-tag
  {
    why: 'adoptedStyleSheets everywhere (widget.js needs it too): no <style> fallback',
    file: CSS,
    from: 'e=t.ShadowRoot&&(void 0===t.ShadyCSS||t.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype',
    to: 'e=!0',
  },
  {
    why: 'adoptedStyleSheets everywhere: no <style> fallback',
    file: CSS,
    from: 'S=(s,o)=>{if(e)s.adoptedStyleSheets=o.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(const e of o){const o=document.createElement("style"),n=t.litNonce;void 0!==n&&o.setAttribute("nonce",n),o.textContent=e.cssText,s.appendChild(o)}},c=e?t=>t:t=>t instanceof CSSStyleSheet?(t=>{let e="";for(const s of t.cssRules)e+=s.cssText;return r(e)})(t):t',
    to: 'S=(s,o)=>{s.adoptedStyleSheets=o.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet)},c=t=>t',
  },
  // ---- reactive-element: initializers (decorators), controllers
  {
    why: 'addInitializer: for decorators, which the widget does not use',
    file: RE,
    from: 'static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}',
    to: '',
  },
  { why: 'addInitializer', file: RE, from: 'void 0!==t.l&&(this.l=[...t.l]),', to: '' },
  { why: 'addInitializer', file: RE, from: ',this.constructor.l?.forEach(t=>t(this))', to: '' },
  {
    why: 'reactive controllers: the widget has none',
    file: RE,
    from: 'addController(t){(this._$EO??=new Set).add(t),void 0!==this.renderRoot&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}',
    to: '',
  },
  { why: 'controllers', file: RE, from: ',this._$EO?.forEach(t=>t.hostConnected?.())', to: '' },
  {
    why: 'controllers',
    file: RE,
    from: 'disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}',
    to: 'disconnectedCallback(){}',
  },
  { why: 'controllers', file: RE, from: 'this._$EO?.forEach(t=>t.hostUpdate?.()),', to: '' },
  { why: 'controllers', file: RE, from: 'this._$EO?.forEach(t=>t.hostUpdated?.()),', to: '' },
  // ---- reactive-element: reflection, converters, useDefault, wrapped accessors
  {
    why: 'attribute converters: the widget has String and Boolean properties only, none reflected',
    file: RE,
    from: 'c=a.trustedTypes,l=c?c.emptyScript:"",',
    to: '',
  },
  {
    why: 'converters',
    file: RE,
    from: 'u={toAttribute(t,s){switch(s){case Boolean:t=t?l:null;break;case Object:case Array:t=null==t?t:JSON.stringify(t)}return t},fromAttribute(t,s){let i=t;switch(s){case Boolean:i=null!==t;break;case Number:i=null===t?null:Number(t);break;case Object:case Array:try{i=JSON.parse(t)}catch(t){i=null}}return i}}',
    to: 'u={fromAttribute:(t,s)=>s===Boolean?null!==t:t}',
  },
  {
    why: 'reflect: no property is reflected',
    file: RE,
    from: '_$ET(t,s){const i=this.constructor.elementProperties.get(t),e=this.constructor._$Eu(t,i);if(void 0!==e&&!0===i.reflect){const h=(void 0!==i.converter?.toAttribute?i.converter:u).toAttribute(s,i.type);this._$Em=t,null==h?this.removeAttribute(e):this.setAttribute(e,h),this._$Em=null}}',
    to: '',
  },
  {
    why: 'reflect',
    file: RE,
    from: 'update(t){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}',
    to: 'update(t){this._$EM()}',
  },
  {
    why: 'custom converters and useDefault: none',
    file: RE,
    from: 'h="function"==typeof t.converter?{fromAttribute:t.converter}:void 0!==t.converter?.fromAttribute?t.converter:u;this._$Em=e;const r=h.fromAttribute(s,t.type);this[e]=r??this._$Ej?.get(e)??r,this._$Em=null',
    to: 'h=u;this._$Em=e,this[e]=h.fromAttribute(s,t.type),this._$Em=null',
  },
  {
    why: 'useDefault',
    file: RE,
    from: 'if(!1===e&&(h=this[t]),i??=r.getPropertyOptions(t),!((i.hasChanged??f)(h,s)||i.useDefault&&i.reflect&&h===this._$Ej?.get(t)&&!this.hasAttribute(r._$Eu(t,i))))return;this.C(t,s,i)',
    to: 'if(!1===e&&(h=this[t]),i??=r.getPropertyOptions(t),!(i.hasChanged??f)(h,s))return;this.C(t,s,i)',
  },
  {
    why: 'useDefault, reflect, wrapped accessors',
    file: RE,
    from: 'C(t,s,{useDefault:i,reflect:e,wrapped:h},r){i&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,r??s??this[t]),!0!==h||void 0!==r)||(this._$AL.has(t)||(this.hasUpdated||i||(s=void 0),this._$AL.set(t,s)),!0===e&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}',
    to: 'C(t,s){this._$AL.has(t)||(this.hasUpdated||(s=void 0),this._$AL.set(t,s))}',
  },
  {
    why: 'wrapped accessors: the widget declares no accessor of its own for a reactive property',
    file: RE,
    from: 'const t=this.constructor.elementProperties;if(t.size>0)for(const[s,i]of t){const{wrapped:t}=i,e=this[s];!0!==t||this._$AL.has(s)||void 0===e||this.C(s,void 0,i,e)}',
    to: '',
  },
  {
    why: 'wrapped accessors',
    file: RE,
    from: 'this.prototype.hasOwnProperty(t)&&((s=Object.create(s)).wrapped=!0),',
    to: '',
  },
  {
    why: 'standard decorators metadata (no decorators)',
    file: RE,
    from: 'const t=this[Symbol.metadata];if(null!==t){const s=litPropertyMetadata.get(t);if(void 0!==s)for(const[t,i]of s)this.elementProperties.set(t,i)}',
    to: '',
  },
  // ---- lit-html: svg/mathml templates, raw-text elements, element parts, directives
  { why: 'svg`` and mathml`` templates: unused', file: LH, from: 'l=2===i?"<svg>":3===i?"<math>":""', to: 'l=""' },
  { why: 'svg/mathml', file: LH, from: '+(2===i?"</svg>":3===i?"</math>":"")', to: '' },
  {
    why: 'svg/mathml',
    file: LH,
    from: ',2===i||3===i){const t=this.el.content.firstChild;t.replaceWith(...t.childNodes)}',
    to: ',0);',
  },
  {
    why: 'directives: the widget uses none, so a value resolves to itself',
    file: LH,
    from: 'function M(t,i,s=t,e){if(i===E)return i;let h=void 0!==e?s._$Co?.[e]:s._$Cl;const o=a(i)?void 0:i._$litDirective$;return h?.constructor!==o&&(h?._$AO?.(!1),void 0===o?h=void 0:(h=new o(t),h._$AT(t,s,e)),void 0!==e?(s._$Co??=[])[e]=h:s._$Cl=h),void 0!==h&&(i=M(t,h._$AS(t,i.values),h,e)),i}',
    to: 'function M(t,i){return i}',
  },
  {
    why: 'element parts (<div ${ref()}>): directives only',
    file: LH,
    from: 'else t.startsWith(o)&&(d.push({type:6,index:l}),r.removeAttribute(t))',
    to: '',
  },
  { why: 'element parts', file: LH, from: ':6===r.type&&(i=new Z(h,this,t))', to: ':0' },
  {
    why: 'element parts',
    file: LH,
    from: 'class Z{constructor(t,i,s){this.element=t,this.type=6,this._$AN=void 0,this._$AM=i,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(t){M(this,t)}}',
    to: '',
  },
  { why: 'element parts', file: LH, from: ',F:Z}', to: '}' },
  {
    why: 'async directives: connection tracking',
    file: LH,
    from: 'for(this._$AP?.(!1,!0,s);t!==this._$AB;)',
    to: 'for(;t!==this._$AB;)',
  },
  {
    why: 'async directives',
    file: LH,
    from: 'setConnected(t){void 0===this._$AM&&(this._$Cv=t,this._$AP?.(t))}',
    to: '',
  },
  {
    why: 'async directives',
    file: LE,
    from: 'connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}',
    to: '',
  },
  {
    why: 'async directives',
    file: LE,
    from: 'this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),',
    to: '',
  },
  {
    why: 'compiled templates (@lit-labs/compiler): unused',
    file: LH,
    from: 'e="number"==typeof s?this._$AC(t):(void 0===s.el&&(s.el=S.createElement(V(s.h,s.h[0]),this.options)),s)',
    to: 'e=this._$AC(t)',
  },
  {
    why: 'the part API for directives',
    file: LH,
    from: 'get parentNode(){let t=this._$AA.parentNode;const i=this._$AM;return void 0!==i&&11===t?.nodeType&&(t=i.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}',
    to: '',
  },
  {
    why: 'raw-text elements (<script>, <style>, <textarea>, <title>): no template has one',
    file: LH,
    from: 'y.test(u[2])&&(n=RegExp("</"+u[2],"g")),',
    to: '',
  },
  {
    why: 'raw-text elements',
    file: LH,
    from: 'if(y.test(r.tagName)){const t=r.textContent.split(o),i=t.length-1;if(i>0){r.textContent=s?s.emptyScript:"";for(let s=0;s<i;s++)r.append(t[s],c()),P.nextNode(),d.push({type:2,index:++l});r.append(t[i],c())}}',
    to: '',
  },
  { why: 'raw-text elements', file: LH, from: 'y=/^(?:script|style|textarea|title)$/i,', to: '' },
  {
    why: 'async directives: connection state of parts',
    file: LH,
    from: 'get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}',
    to: '',
  },
  { why: 'async directives', file: LH, from: 'this._$AV=[],this._$AN=void 0,', to: 'this._$AV=[],' },
  { why: 'async directives', file: LH, from: 'get _$AU(){return this._$AM?._$AU??this._$Cv}', to: '' },
  {
    why: 'async directives',
    file: LH,
    from: 'this.type=2,this._$AH=A,this._$AN=void 0,',
    to: 'this.type=2,this._$AH=A,',
  },
  { why: 'async directives', file: LH, from: ',this._$Cv=e?.isConnected??!0', to: '' },
  {
    why: 'async directives, and the part API for directives',
    file: LH,
    from: 'get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}',
    to: '',
  },
  {
    why: 'async directives',
    file: LH,
    from: 'this.type=1,this._$AH=A,this._$AN=void 0,',
    to: 'this.type=1,this._$AH=A,',
  },
  {
    why: 'render option creationScope: unused',
    file: LH,
    from: '(t?.creationScope??l).importNode',
    to: 'l.importNode',
  },
  {
    why: 'iterables in child parts: no template renders an array',
    file: LH,
    from: ':d(t)?this.k(t):this._(t)',
    to: ':this._(t)',
  },
  {
    why: 'iterables',
    file: LH,
    from: 'k(t){u(this._$AH)||(this._$AH=[],this._$AR());const i=this._$AH;let s,e=0;for(const h of t)e===i.length?i.push(s=new k(this.O(c()),this.O(c()),this,this.options)):s=i[e],s._$AI(h),e++;e<i.length&&(this._$AR(s&&s._$AB.nextSibling,e),i.length=e)}',
    to: '',
  },
  { why: 'iterables', file: LH, from: 'd=t=>u(t)||"function"==typeof t?.[Symbol.iterator],', to: '' },
  { why: 'iterables (a private export that named it)', file: LH, from: ',D:d,', to: ',' },
];

/**
 * What the patches above removed, as it would show in the widget's own sources: a file under
 * widget/ that imports Lit and matches one of these fails the build, rather than ship a component
 * that relies on a part of Lit the panel no longer carries.
 */
export const UNSUPPORTED: { what: string; pattern: RegExp }[] = [
  { what: 'directives', pattern: /from\s*['"](lit|lit-html)\/(directives?|async-directive|directive-helpers)/ },
  { what: 'decorators', pattern: /from\s*['"]lit\/decorators/ },
  { what: 'svg`` or mathml`` templates', pattern: /\b(svg|mathml)`/ },
  { what: 'reflected properties, converters or useDefault', pattern: /\b(reflect|converter|useDefault)\s*:/ },
  { what: 'Number, Object or Array properties', pattern: /\btype:\s*(Number|Object|Array)\b/ },
  { what: 'controllers, initializers or creationScope', pattern: /\b(addController|addInitializer|creationScope)\b/ },
  { what: '<script>, <style>, <textarea> or <title> in a template', pattern: /<(script|style|textarea|title)[\s>]/i },
  { what: 'arrays rendered in a template', pattern: /\.map\(|\bArray\.from\(|\brepeat\(/ },
];

/**
 * Lit, less what the widget never uses. Lit is over half of the panel (about 5.6 KB of its 10 KB
 * gzip), and it ships features for every app: decorators, controllers, reflected attributes and
 * converters, directives and element parts, arrays in templates, svg`` and mathml`` templates,
 * raw-text elements, a <style> fallback for browsers without adoptedStyleSheets (widget.js needs
 * them anyway). Each patch removes exact text of Lit's published build and must match exactly once,
 * so a Lit upgrade fails the build instead of silently keeping or breaking a patch; the widget's
 * own code is checked against {@link UNSUPPORTED}. The component tests run on the same patched
 * Lit (vite.config.ts, web-test-runner.config.mjs). A file of the patches that never comes through
 * the build fails it too (at the end of the build), unless `requireEveryFile: false` (a dependency
 * pre-bundle that may hold only part of Lit).
 *
 * @example
 * build({ plugins: [slimLit(), litWithoutGlobals()], … }) // before other plugins that edit Lit
 */
export function slimLit(o: { requireEveryFile?: boolean } = {}): Plugin {
  /** The files of {@link PATCHES} this build has patched. */
  const patched = new Set<string>();
  return {
    name: 'optin:slim-lit',
    buildEnd(error) {
      // A Lit upgrade that renames or moves a patched file would otherwise leave its patches
      // unapplied without a word, and the panel would ship (and grow by) what they remove.
      if (error || o.requireEveryFile === false) return;
      const missed = [...new Set(PATCHES.map((p) => p.file))].filter((f) => !patched.has(f));
      if (missed.length)
        throw new Error(
          `slim-lit: ${missed.map((f) => `node_modules/${f}`).join(', ')} never came through the build, so ${missed.length === 1 ? 'its' : 'their'} patches did not apply; if Lit renamed or moved ${missed.length === 1 ? 'it' : 'them'}, update PATCHES in scripts/slim-lit.ts`,
        );
    },
    transform(code, id) {
      const path = id.replace(/\\/g, '/').replace(/\?.*$/, '');
      if (!path.includes('/node_modules/')) {
        if (/\/widget\/[^/]+\.ts$/.test(path) && /from\s*['"]lit['"/]/.test(code))
          for (const u of UNSUPPORTED)
            if (u.pattern.test(code))
              throw new Error(
                `slim-lit: ${path} uses ${u.what}, which the widget's slim Lit leaves out (scripts/slim-lit.ts)`,
              );
        return null;
      }
      const mine = PATCHES.filter((p) => path.endsWith(`/node_modules/${p.file}`));
      if (!mine.length) return null;
      let out = code;
      for (const p of mine) {
        const n = out.split(p.from).length - 1;
        if (n !== 1)
          throw new Error(`slim-lit: the patch "${p.why}" expects its text once in ${p.file}, found it ${n} times`);
        out = out.replace(p.from, () => p.to);
      }
      patched.add(mine[0]!.file);
      return { code: out, map: null };
    },
  };
}
