// Copy the share link on the result page. Progressive enhancement: without JavaScript the
// Copy button stays hidden and the read-only field is there to select and copy by hand.
(function () {
  "use strict";

  function copyBySelection(field) {
    field.focus();
    field.select();
    field.setSelectionRange(0, field.value.length);
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value).catch(function () {
        return copyBySelection(field);
      });
    }
    return copyBySelection(field);
  }

  function announce(status, message) {
    if (!status) {
      return;
    }
    // Clear first so that a second "Copied" is announced again by screen readers.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!field) {
      return;
    }
    field.addEventListener("focus", function () {
      field.select();
    });
    button.addEventListener("click", function () {
      copy(field).then(
        function () {
          announce(status, "Copied");
        },
        function () {
          field.focus();
          field.select();
          announce(status, "Press Ctrl+C (or ⌘C) to copy the selected link");
        }
      );
    });
    button.hidden = false;
  });
})();
