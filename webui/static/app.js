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

// The queue by keyboard: j/k move, o/Enter open, x select, a assign to me, e resolve,
// # spam, ? help. Changes go through the JSON API and update the row in place, so the agent
// keeps their place in the list.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.queue tbody tr"));
  var help = document.getElementById("keys-help");
  var tokenTag = document.querySelector("meta[name=csrf-token]");
  var nameTag = document.querySelector("meta[name=user-name]");
  if (!rows.length) { return; }
  var current = -1;

  var selectAll = document.getElementById("select-all");
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      rows.forEach(function (row) {
        var box = row.querySelector("input[name=ids]");
        if (box) { box.checked = selectAll.checked; }
      });
    });
  }

  function focusRow(index) {
    if (index < 0 || index >= rows.length) { return; }
    if (current >= 0) { rows[current].classList.remove("focused"); }
    current = index;
    rows[current].classList.add("focused");
    rows[current].scrollIntoView({ block: "nearest" });
  }

  function say(row, text, failed) {
    var status = row.querySelector(".status");
    if (status) { status.textContent = text; }
    row.classList.toggle("failed", !!failed);
  }

  function post(row, path, body, done) {
    var id = row.getAttribute("data-mention-id");
    fetch("/api/v1/mentions/" + id + "/" + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": tokenTag ? tokenTag.content : "" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (answer) {
      if (answer.ok) { done(answer.data); } else { say(row, answer.data.error || "refused", true); }
    }).catch(function () { say(row, "not saved: no connection", true); });
  }

  function setStatus(row, status) {
    post(row, "status", { status: status }, function (m) {
      row.className = row.className.replace(/status-\S+/, "status-" + m.status);
      say(row, m.status.replace("_", " "));
    });
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) && target.type !== "checkbox") { return; }
    var row = current >= 0 ? rows[current] : null;
    switch (event.key) {
      case "j": focusRow(current + 1); break;
      case "k": focusRow(current < 0 ? 0 : current - 1); break;
      case "o": case "Enter":
        if (row) { window.location.href = row.querySelector("td.summary a").href; }
        break;
      case "x":
        if (row) {
          var box = row.querySelector("input[name=ids]");
          if (box) { box.checked = !box.checked; }
        }
        break;
      case "a":
        if (row && nameTag) {
          post(row, "assign", { user: nameTag.content }, function (m) {
            say(row, m.status.replace("_", " ") + " · yours");
          });
        }
        break;
      case "e": if (row) { setStatus(row, "resolved"); } break;
      case "#": if (row) { setStatus(row, "spam"); } break;
      case "?": if (help) { help.hidden = !help.hidden; } break;
      case "Escape": if (help) { help.hidden = true; } break;
      default: return;
    }
    event.preventDefault();
  });
})();

// Reply snippets: one click copies the text, ready to paste where the post was made.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-copy]") : null;
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    var text = source.textContent;
    function copied() { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy"; }, 2000); }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(copied, function () { button.textContent = "Copy failed: select the text"; });
    } else {  // plain http on an intranet: select it, and let the browser copy the selection
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      if (document.execCommand("copy")) { copied(); } else { button.textContent = "Press Ctrl+C"; }
    }
  });
})();
