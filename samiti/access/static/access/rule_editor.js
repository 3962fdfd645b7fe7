// The rule editor's live count: as the admin types, ask access:rule_check (debounced) how many
// members the rule finds likely eligible, or where and why it does not parse. Without this file
// the page still works: its "Check" button renders the same answer on the server.
(function () {
  "use strict";
  var form = document.getElementById("rule-form");
  if (!form || !window.fetch) return;
  var text = form.querySelector("textarea[name=text]");
  var day = form.querySelector("input[name=valid_from]");
  var counts = document.getElementById("rule-counts");
  var problem = document.getElementById("rule-error");
  var timer = null;
  var asked = 0;

  function fill(box, attribute, values) {
    box.querySelectorAll("[" + attribute + "]").forEach(function (element) {
      var value = values[element.getAttribute(attribute)];
      element.textContent = value === undefined ? "" : value;
    });
  }

  function show(ok, answer) {
    if (ok) {
      fill(counts, "data-count", answer.shown || answer);
    } else {
      fill(problem, "data-error", answer);
    }
    counts.hidden = !ok;
    problem.hidden = ok;
    text.setAttribute("aria-invalid", ok ? "false" : "true");
  }

  function check() {
    var mine = ++asked;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    body.append("text", text.value);
    if (day && day.value) body.append("on", day.value);
    fetch(form.dataset.checkUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (answer) { return [response.ok, answer]; });
      })
      .then(function (result) {
        if (mine === asked) show(result[0], result[1]);  // an older answer arriving late is dropped
      })
      .catch(function () { /* offline: the Check button still works */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 350);
  }

  text.addEventListener("input", later);
  if (day) day.addEventListener("change", later);
  check();
})();
