// Tells the agent when new mentions arrived, without moving the page under them.
(function () {
  "use strict";
  var body = document.body;
  var team = body.getAttribute("data-team");
  var newest = parseInt(body.getAttribute("data-newest-id") || "0", 10);
  var banner = document.getElementById("new-items");
  if (!team || team === "mine" || !banner) { return; }
  function check() {
    var scope = team === "review" ? "" : "&team=" + encodeURIComponent(team);
    fetch("/api/v1/mentions?status=all&per_page=1" + scope, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.items.length && data.items[0].id > newest) { banner.hidden = false; }
      })
      .catch(function () { /* offline for a moment: try again at the next interval */ });
  }
  setInterval(check, 15000);
})();
