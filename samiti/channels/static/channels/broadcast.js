// A broadcast being sent: fetch its page every few seconds and show the new progress, until it is done.
(function () {
  "use strict";
  function poll() {
    var section = document.getElementById("progress");
    if (!section || !section.dataset.pollSeconds) return;
    window.setTimeout(function () {
      fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("progress");
          if (fresh) section.replaceWith(fresh);
          poll();
        })
        .catch(function () { poll(); });
    }, Number(section.dataset.pollSeconds) * 1000);
  }
  poll();
})();
