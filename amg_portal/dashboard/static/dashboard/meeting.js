// Meeting mode: move between the dashboard's panels with the keyboard (one panel per screen).
(function () {
  "use strict";
  var panels = Array.prototype.slice.call(document.querySelectorAll(".meeting-panel"));
  if (!panels.length) { return; }

  function current() {
    // The focused panel wins: a smooth scroll may still be under way after the last key press.
    var focused = panels.indexOf(document.activeElement);
    if (focused !== -1) { return focused; }
    var mid = window.innerHeight / 2;
    for (var i = 0; i < panels.length; i++) {
      var box = panels[i].getBoundingClientRect();
      if (box.top <= mid && box.bottom > mid) { return i; }
    }
    return 0;
  }

  function show(index) {
    var target = panels[Math.max(0, Math.min(panels.length - 1, index))];
    target.scrollIntoView({ block: "start", behavior: "instant" });
    target.focus({ preventScroll: true });
    if (history.replaceState) { history.replaceState(null, "", "#" + target.id); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") { return; }
    var keys = {
      ArrowRight: 1, ArrowDown: 1, PageDown: 1, " ": 1,
      ArrowLeft: -1, ArrowUp: -1, PageUp: -1
    };
    if (event.key === "Home") { show(0); event.preventDefault(); return; }
    if (event.key === "End") { show(panels.length - 1); event.preventDefault(); return; }
    var step = keys[event.key];
    if (event.key === " " && event.shiftKey) { step = -1; }
    if (step) { show(current() + step); event.preventDefault(); }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-panel-next], [data-panel-prev]");
    if (!link) { return; }
    event.preventDefault();
    show(current() + (link.hasAttribute("data-panel-next") ? 1 : -1));
  });
})();
