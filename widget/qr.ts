/**
 * The QR module, built into `widget-qr.js` and imported by the widget only on a desktop, after
 * consent, so the QR encoder never weighs on the first load.
 */
// The core encoder alone: the package's renderers (canvas, PNG, terminal) are not needed.
// @ts-expect-error -- qrcode ships no types for its internal modules.
import { create } from 'qrcode/lib/core/qrcode.js';

interface Matrix {
  size: number;
  get(row: number, col: number): number | boolean;
}

/**
 * Encodes `text` (error correction M) as one SVG path: a unit square per dark module, with
 * horizontal runs merged. Draw it in a `viewBox` of `size` plus a quiet zone.
 *
 * @example
 * const { size, d } = qrPath('https://wa.me/14155550123?text=Hi')
 * // <svg viewBox="-2 -2 ${size + 4} ${size + 4}"><path d="${d}"/></svg>
 */
export function qrPath(text: string): { size: number; d: string } {
  const m = (create(text, { errorCorrectionLevel: 'M' }) as { modules: Matrix }).modules;
  let d = '';
  for (let y = 0; y < m.size; y++) {
    for (let x = 0; x < m.size; x++) {
      if (!m.get(y, x)) continue;
      let run = 1;
      while (x + run < m.size && m.get(y, x + run)) run++;
      d += `M${x} ${y}h${run}v1h-${run}z`;
      x += run - 1;
    }
  }
  return { size: m.size, d };
}
