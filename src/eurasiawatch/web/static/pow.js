// Solves the subscribe form's proof-of-work in the background (deliver/abuse.py):
// find n such that SHA-256(challenge + ":" + n) starts with `difficulty` zero bits.
// Without this script (or without crypto.subtle) the server asks the reader to wait instead.
(function () {
  'use strict';
  var form = document.getElementById('subscribe-form');
  if (!form || !window.crypto || !window.crypto.subtle || !window.TextEncoder) { return; }
  var token = form.getAttribute('data-challenge');
  var difficulty = parseInt(form.getAttribute('data-difficulty'), 10) || 0;
  var field = form.querySelector('input[name="solution"]');
  var status = document.getElementById('pow-status');
  var button = form.querySelector('button[type="submit"]');
  var encoder = new TextEncoder();
  var solved = null;
  var waiting = false;

  function zeroBits(bytes) {
    var bits = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { bits += 8; continue; }
      var b = bytes[i];
      while ((b & 0x80) === 0) { bits += 1; b <<= 1; }
      return bits;
    }
    return bits;
  }

  function batch(start, size) {
    var jobs = [];
    for (var n = start; n < start + size; n++) {
      jobs.push(window.crypto.subtle.digest('SHA-256', encoder.encode(token + ':' + n)));
    }
    return Promise.all(jobs).then(function (digests) {
      for (var i = 0; i < digests.length; i++) {
        if (zeroBits(new Uint8Array(digests[i])) >= difficulty) { return start + i; }
      }
      return null;
    });
  }

  function search(start) {
    return batch(start, 512).then(function (found) {
      return found === null ? search(start + 512) : found;
    });
  }

  search(0).then(function (n) {
    solved = String(n);
    field.value = solved;
    if (waiting) { form.submit(); }
  });

  form.addEventListener('submit', function (event) {
    if (solved !== null) { return; }
    event.preventDefault();
    waiting = true;
    button.disabled = true;
    status.textContent = 'Checking you are not a robot… this takes a few seconds.';
  });
})();
