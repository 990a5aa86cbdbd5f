// Follows a background export on its progress page, so staff see it move and get the link.
// Without this script the page still works: it shows a "Check again" link.
(function () {
  "use strict";
  var root = document.querySelector(".export-job[data-status-url]");
  if (!root || !window.fetch) {
    return;
  }
  var bar = document.getElementById("export-bar");
  var status = document.getElementById("export-status");
  var count = document.getElementById("export-count");
  var error = document.getElementById("export-error");
  var download = document.getElementById("export-download");
  var refresh = document.getElementById("export-refresh");
  var countTemplate = count.textContent.replace(/\d+/, "{done}").replace(/\d+/, "{total}");

  function show(state) {
    bar.max = Math.max(state.total, 1);
    bar.value = state.ready ? bar.max : state.done;
    bar.textContent = state.percent + " %";
    count.textContent = countTemplate.replace("{done}", state.done).replace("{total}", state.total);
    if (status.textContent !== state.label) {
      status.textContent = state.label;
    }
    error.textContent = state.error;
    error.hidden = !state.error;
    download.hidden = !state.ready;
    refresh.hidden = state.finished;
  }

  function poll() {
    fetch(root.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.ok ? response.json() : Promise.reject(response.status);
      })
      .then(function (state) {
        show(state);
        if (!state.finished) {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  if (refresh.hidden === false) {
    poll();
  }
})();
