// Keeps the "now and next" page current on a screen at the venue: every so often it fetches
// the page again and swaps in its content, so nothing flickers and a network hiccup leaves
// the last good content on screen. Without this script the page still works: it has a
// "Refresh" link.
(function () {
  "use strict";
  var root = document.getElementById("now-content");
  if (!root || !window.fetch || !window.DOMParser) {
    return;
  }
  var seconds = parseInt(root.dataset.refreshSeconds, 10) || 60;

  function refresh() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("now-content");
        var current = document.getElementById("now-content");
        // Only when something changed, and not under a keyboard user's focus.
        if (fresh && current && fresh.innerHTML !== current.innerHTML && !current.contains(document.activeElement)) {
          current.innerHTML = fresh.innerHTML;
        }
      })
      .catch(function () {})
      .then(function () {
        window.setTimeout(refresh, seconds * 1000);
      });
  }

  window.setTimeout(refresh, seconds * 1000);
})();
