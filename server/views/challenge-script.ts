import { createHash } from 'node:crypto';

/**
 * The consent page's only script, for apps that ask for a proof of work: on submit it fetches a fresh
 * challenge (same origin), finds the number with Web Crypto SHA-256, puts the solution in the form's
 * `altcha` field and submits. Inlined and allowed by its hash, so the page still has no script
 * file and no `unsafe-inline`. Without JavaScript (or Web Crypto, which needs HTTPS or localhost)
 * the form posts without it, and the server answers with the page explaining why.
 */
export const CHALLENGE_SCRIPT = `(function () {
  var f = document.querySelector('form[data-challenge]');
  if (!f || !window.crypto || !crypto.subtle || !window.TextEncoder) return;
  var enc = new TextEncoder();
  function hex(buf) {
    var a = new Uint8Array(buf), s = '';
    for (var i = 0; i < a.length; i++) s += (a[i] < 16 ? '0' : '') + a[i].toString(16);
    return s;
  }
  async function solve(url) {
    var c = await (await fetch(url, { credentials: 'omit', cache: 'no-store' })).json();
    for (var start = 0; start <= c.maxnumber; start += 500) {
      var batch = [];
      for (var n = start; n < start + 500 && n <= c.maxnumber; n++)
        batch.push(crypto.subtle.digest('SHA-256', enc.encode(c.salt + n)));
      var hashes = await Promise.all(batch);
      for (var i = 0; i < hashes.length; i++)
        if (hex(hashes[i]) === c.challenge)
          return btoa(JSON.stringify({ algorithm: c.algorithm, challenge: c.challenge, number: start + i, salt: c.salt, signature: c.signature }));
    }
    return '';
  }
  f.addEventListener('submit', function (e) {
    if (f.getAttribute('data-solved')) return;
    e.preventDefault();
    var b = f.querySelector('button[type=submit]'), s = document.getElementById('challenge-status');
    b.disabled = true;
    if (s) s.hidden = false;
    solve(f.getAttribute('data-challenge'))
      .then(function (v) { f.elements.altcha.value = v; }, function () {})
      .then(function () { f.setAttribute('data-solved', '1'); b.disabled = false; f.submit(); });
  });
})();`;

/** Its CSP source: `'sha256-…'` of the exact text. */
export const CHALLENGE_SCRIPT_HASH = `'sha256-${createHash('sha256').update(CHALLENGE_SCRIPT, 'utf8').digest('base64')}'`;
