// Quick exit for respondent and panel pages.
//
// GOV.UK Frontend's Exit this page component navigates with location.href, which leaves the
// page in history; here we must end the server session and location.replace() instead, so
// this small script takes its place while keeping the component's markup and styles.
(function () {
  "use strict";
  var links = document.querySelectorAll("[data-quick-exit]");
  if (!links.length) return;
  var destination = document.body.getAttribute("data-exit-destination") || "https://www.bbc.co.uk/weather";
  var clearUrl = links[0].getAttribute("href");
  var overlay = document.getElementById("consult-exit-overlay");
  var status = document.getElementById("consult-exit-status");
  var exiting = false;

  function leave() {
    window.location.replace(destination);
  }

  function exitNow(event) {
    if (event) event.preventDefault();
    if (exiting) return;
    exiting = true;
    document.body.classList.add("consult-exiting");
    if (overlay) overlay.hidden = false;
    document.title = "Loading";
    // Wait briefly for the session to be ended, but never long: leaving fast matters more.
    var timer = window.setTimeout(leave, 600);
    try {
      window.fetch(clearUrl, { credentials: "same-origin", cache: "no-store", keepalive: true, redirect: "manual" })
        .then(function () { window.clearTimeout(timer); leave(); }, function () { window.clearTimeout(timer); leave(); });
    } catch (e) {
      window.clearTimeout(timer);
      leave();
    }
  }

  for (var i = 0; i < links.length; i++) links[i].addEventListener("click", exitNow);

  // Shift pressed three times, each within 5 seconds of the last, exits. Any other key resets.
  var presses = 0;
  var resetTimer = null;
  function announce(text) {
    if (status) status.textContent = text;
  }
  function reset() {
    if (presses > 0) announce("Exit this page expired.");
    presses = 0;
    if (resetTimer) window.clearTimeout(resetTimer);
    resetTimer = null;
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift" || event.repeat || event.altKey || event.ctrlKey || event.metaKey) {
      if (event.key !== "Shift") reset();
      return;
    }
    presses += 1;
    if (resetTimer) window.clearTimeout(resetTimer);
    if (presses >= 3) {
      presses = 0;
      announce("Exiting page.");
      exitNow();
      return;
    }
    var left = 3 - presses;
    announce("Shift, press " + left + " more time" + (left === 1 ? "" : "s") + " to exit.");
    resetTimer = window.setTimeout(reset, 5000);
  });

  // A page brought back from the back-forward cache must not show what was on it.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted || exiting) {
      document.body.classList.add("consult-exiting");
      var forms = document.querySelectorAll("form");
      for (var j = 0; j < forms.length; j++) forms[j].reset();
      window.location.reload();
    }
  });
})();
