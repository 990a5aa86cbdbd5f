// Copy buttons: a button with data-copy-target copies the text of that element (the
// delegation's invitation link) and says so in its data-copy-status element. The buttons are
// hidden in the page; without this script the text stays there to select and copy by hand.
(function () {
  "use strict";

  function selectAndCopy(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  var buttons = document.querySelectorAll("button[data-copy-target]");
  Array.prototype.forEach.call(buttons, function (button) {
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!source) {
      return;
    }
    function report(copied) {
      if (status) {
        status.textContent = button.getAttribute(copied ? "data-copied" : "data-failed");
      }
    }
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { report(true); },
          function () { report(selectAndCopy(source)); }
        );
      } else {
        // Plain http on another host than localhost has no clipboard API.
        report(selectAndCopy(source));
      }
    });
    button.hidden = false;
  });
})();
