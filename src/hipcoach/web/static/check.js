// The hip check and its result, beyond what plain HTML does:
// * after Next or Back, keyboard focus goes to the new question's heading, so a keyboard or
//   screen-reader user starts on the question rather than at the top of the page;
// * the result's Print button prints; Share uses the system share sheet where the browser has
//   one (phones), else copies a short summary to the clipboard, else shows it to copy by hand.
// Nothing here talks to a server, so it all works offline. Without script, the buttons stay
// hidden and the page works as before.
(function () {
  "use strict";
  var form = document.querySelector("form[data-focus]");
  var heading = form && form.querySelector("#question-h");
  if (heading) heading.focus();

  function say(status, text) {
    if (status) status.textContent = text;
  }

  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  document.querySelectorAll("button[data-share]").forEach(function (button) {
    var text = button.getAttribute("data-summary") || "";
    var status = document.getElementById(button.getAttribute("aria-controls") || "");
    var box = document.querySelector("textarea.share-text");
    function showText() {
      if (!box) return;
      box.value = text;
      box.hidden = false;
      box.select();
      say(status, "Copy the summary below.");
    }
    function copy() {
      if (!(navigator.clipboard && navigator.clipboard.writeText)) return showText();
      navigator.clipboard.writeText(text).then(function () {
        say(status, "Summary copied: paste it into a message or an e-mail.");
      }, showText);
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (!navigator.share) return copy();
      navigator.share({ title: document.title, text: text }).catch(function (err) {
        if (!err || err.name !== "AbortError") copy();  // cancelled by the runner: nothing to do
      });
    });
  });
})();
