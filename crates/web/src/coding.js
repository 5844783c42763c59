// dangjian interview coding: optional enhancement. Accepting, rejecting or adding a code
// posts the same form the page has without JavaScript, then replaces only that passage
// with the one in the page the server answers, so the reader keeps their place.
(function () {
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var passage = form.closest && form.closest('div.passage[id]');
    if (!passage || !window.fetch || !window.DOMParser) return;
    e.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    if (e.submitter && e.submitter.name) body.append(e.submitter.name, e.submitter.value);
    passage.setAttribute('aria-busy', 'true');
    fetch(form.action, { method: 'POST', body: body, credentials: 'same-origin' })
      .then(function (r) { return r.text().then(function (t) { return { ok: r.ok, text: t }; }); })
      .then(function (r) {
        var doc = new DOMParser().parseFromString(r.text, 'text/html');
        var fresh = doc.getElementById(passage.id);
        if (r.ok && fresh) {
          passage.replaceWith(document.importNode(fresh, true));
        } else {
          // Refused or unexpected: show the server's page, as without JavaScript.
          document.open();
          document.write(r.text);
          document.close();
        }
      })
      .catch(function () { form.submit(); });
  });
})();
