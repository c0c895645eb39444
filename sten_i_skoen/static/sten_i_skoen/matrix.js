/* Save matrix cells as you type. Progressive enhancement: without this file every cell is a plain
   form with a Save button. The server refuses a save made on an old version (409) and returns the
   other text, which we show next to the user's own so nothing is overwritten or lost. */
(function () {
  "use strict";
  var matrix = document.querySelector(".matrix");
  if (!matrix || !window.fetch) { return; }
  var msg = matrix.dataset;
  var dirty = new Set();
  var DELAY = 1200;

  function status(form, text, kind) {
    var el = form.querySelector(".cell-status");
    el.textContent = text;
    el.classList.toggle("text-danger", kind === "error");
    el.classList.toggle("text-body-secondary", kind !== "error");
  }

  function showConflict(form, theirs) {
    var box = form.querySelector(".conflict");
    if (!box) {
      box = document.createElement("div");
      box.className = "conflict mt-2";
      var head = document.createElement("div");
      head.className = "small fw-semibold";
      head.textContent = msg.msgTheirs;
      var body = document.createElement("div");
      body.className = "conflict-theirs";
      box.appendChild(head);
      box.appendChild(body);
      form.querySelector("textarea").after(box);
    }
    box.querySelector(".conflict-theirs").textContent = theirs;
  }

  function save(form) {
    if (form.dataset.busy === "1") { form.dataset.again = "1"; return; }
    form.dataset.busy = "1";
    var sent = form.querySelector("textarea").value;
    status(form, msg.msgSaving, "info");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        // A login page, a 404 or a server error: say so, keep the text, do not pretend to be offline.
        return { ok: false, code: response.status, data: { message: msg.msgError } };
      }
      return response.json().then(function (data) { return { ok: response.ok, code: response.status, data: data }; });
    }).then(function (result) {
      var data = result.data;
      if (result.ok) {
        form.querySelector("input[name=version]").value = data.version;
        if (form.querySelector("textarea").value === sent) { dirty.delete(form); }
        form.classList.remove("has-problem");
        form.querySelector("textarea").classList.remove("is-invalid");
        var box = form.querySelector(".conflict");
        if (box) { box.remove(); }
        status(form, data.message, "info");
      } else {
        if (data.conflict) {
          form.querySelector("input[name=version]").value = data.version;
          showConflict(form, data.theirs);
        }
        form.classList.add("has-problem");
        status(form, data.message, "error");
      }
    }).catch(function () {
      status(form, msg.msgOffline, "error");
    }).finally(function () {
      form.dataset.busy = "0";
      if (form.dataset.again === "1") { form.dataset.again = "0"; save(form); }
    });
  }

  matrix.querySelectorAll("form.cell-form").forEach(function (form) {
    var area = form.querySelector("textarea");
    var timer = null;
    area.addEventListener("input", function () {
      dirty.add(form);
      status(form, msg.msgUnsaved, "info");
      clearTimeout(timer);
      // A conflict waits for the user to merge: they save with the button or by leaving the cell.
      if (!form.classList.contains("has-problem")) { timer = setTimeout(function () { save(form); }, DELAY); }
    });
    area.addEventListener("blur", function () {
      if (dirty.has(form)) { clearTimeout(timer); save(form); }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      save(form);
    });
  });

  window.addEventListener("online", function () { dirty.forEach(save); });
  window.addEventListener("beforeunload", function (event) {
    if (dirty.size) { event.preventDefault(); event.returnValue = ""; }
  });
})();
