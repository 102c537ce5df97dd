// Progressive enhancement for a result a background job is working out: ask the job's status
// every two seconds, show its progress, and reload the page once it has finished (the page
// then shows the stored result). Without JavaScript the page has a "Refresh" link instead.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-job-status");
  var message = document.getElementById("job-message");
  function ask() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        if (!job.active) { window.location.reload(); return; }
        if (message) {
          message.textContent = "Being worked out in the background: " + job.progress + "%" +
            (job.message ? ", " + job.message : "") + ".";
        }
        window.setTimeout(ask, 2000);
      })
      .catch(function () { window.setTimeout(ask, 5000); });
  }
  window.setTimeout(ask, 1000);
})();
