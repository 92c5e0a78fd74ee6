/* Keyboard use of the claim queues (no inline script: the CSP allows only files from 'self').
   j / k      next / previous row
   o, Enter   open the current row's claim
   x          select (or unselect) the current row for bulk submission
   s          submit the selected claims
   n          next claim (the most urgent one nobody else is working)
   Keys are ignored while typing in a field, and with Ctrl, Alt or Meta held. */
(function () {
  "use strict";

  var current = -1;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-queue-rows] tr[data-row]"));
  }

  function typing(target) {
    if (!target || !target.tagName) return false;
    if (target.isContentEditable) return true;
    var tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    return tag === "INPUT" && target.type !== "checkbox" && target.type !== "radio";
  }

  function mark(index) {
    var list = rows();
    if (!list.length) return;
    current = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (row, n) {
      row.classList.toggle("current", n === current);
      row.setAttribute("aria-selected", n === current ? "true" : "false");
    });
    list[current].scrollIntoView({ block: "nearest" });
  }

  function currentRow() {
    return current >= 0 ? rows()[current] : null;
  }

  function open() {
    var row = currentRow();
    var link = row && row.querySelector("a[data-open]");
    if (!link) return false;
    window.location.assign(link.href);
    return true;
  }

  function toggle() {
    var row = currentRow();
    var box = row && row.querySelector("input[type=checkbox]");
    if (!box || box.disabled) return false;
    box.checked = !box.checked;
    row.classList.toggle("selected", box.checked);
    return true;
  }

  function press(key) {
    var button = document.querySelector("button[data-key='" + key + "']");
    if (!button || button.disabled) return false;
    button.click();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var handled;
    switch (event.key) {
      case "j": mark(current + 1); handled = true; break;
      case "k": mark(current < 0 ? 0 : current - 1); handled = true; break;
      case "o": handled = open(); break;
      case "Enter":
        if (event.target && event.target.tagName === "BUTTON") return;
        if (event.target && event.target.tagName === "A") return;
        handled = open();
        break;
      case "x": handled = toggle(); break;
      case "s": handled = press("s"); break;
      case "n": handled = press("n"); break;
      default: return;
    }
    if (handled) event.preventDefault();
  });

  // Filters swap the rows in place (htmx): start again from the top.
  document.addEventListener("htmx:afterSwap", function () { current = -1; });
})();
