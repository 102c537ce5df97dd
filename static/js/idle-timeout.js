/* Idle timeout for respondent pages (WCAG 2.2.1): warn before the server session ends, let the
   respondent stay, and otherwise go to a route that purges the session. External file: the CSP
   forbids inline script. Reads data-idle-timeout (seconds), data-keep-alive and data-timed-out
   from <body>; does nothing when the timeout is 0. */
(function () {
  "use strict";
  var body = document.body;
  var timeout = parseInt(body.getAttribute("data-idle-timeout") || "0", 10);
  var dialog = document.getElementById("consult-idle");
  if (!timeout || !dialog) { return; }
  var keepAliveUrl = body.getAttribute("data-keep-alive") || "/keep-alive";
  var timedOutUrl = body.getAttribute("data-timed-out") || "/timed-out";
  // Warn a minute ahead (at least 20 s, never more than half the timeout).
  var warnAhead = Math.max(20, Math.min(60, Math.floor(timeout / 2)));
  var countdown = dialog.querySelector("[data-idle-countdown]");
  var stay = dialog.querySelector("[data-idle-stay]");
  var warnTimer, endTimer, tick, deadline, lastFocus;

  function seconds() { return Math.max(0, Math.round((deadline - Date.now()) / 1000)); }
  function showCount() { if (countdown) { countdown.textContent = seconds() + " seconds"; } }

  function warn() {
    lastFocus = document.activeElement;
    dialog.hidden = false;
    showCount();
    tick = window.setInterval(showCount, 1000);
    (stay || dialog).focus();
  }

  function end() {
    window.location.replace(timedOutUrl);
  }

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    window.clearInterval(tick);
    deadline = Date.now() + timeout * 1000;
    warnTimer = window.setTimeout(warn, (timeout - warnAhead) * 1000);
    endTimer = window.setTimeout(end, timeout * 1000);
  }

  function extend() {
    var request = new XMLHttpRequest();
    request.open("GET", keepAliveUrl, true);
    request.onload = function () {
      if (request.status === 204) {
        dialog.hidden = true;
        schedule();
        if (lastFocus && lastFocus.focus) { lastFocus.focus(); }
      } else {
        end();
      }
    };
    request.onerror = end;
    request.send();
  }

  if (stay) { stay.addEventListener("click", extend); }
  dialog.addEventListener("keydown", function (event) {
    // Keep focus inside the dialog while it is open: it has one control.
    if (event.key === "Tab" && stay) { event.preventDefault(); stay.focus(); }
  });
  schedule();
})();
