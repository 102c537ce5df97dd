// Keyboard shortcuts for the coding queue (the page works without them): 1-9 tick or untick
// the theme with that number, F flags the answer, N saves and moves to the next answer.
// Keys typed into a text box are left alone.
(function () {
  "use strict";
  var form = document.getElementById("coding-form");
  if (!form) return;
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT" && target.type === "text" || target.tagName === "SELECT")) return;
    var key = event.key.toLowerCase();
    if (/^[1-9]$/.test(key)) {
      var box = form.querySelector('input[data-key="' + key + '"]');
      if (box) { box.checked = !box.checked; box.focus(); event.preventDefault(); }
    } else if (key === "f") {
      var flag = document.getElementById("flag");
      flag.checked = !flag.checked; event.preventDefault();
    } else if (key === "n") {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit(document.getElementById("save-next")) : form.submit();
    }
  });
})();
