// The words this script shows, in the page's language: base.html puts them in #ui-text.
var uiText = (function () {
  "use strict";
  var tag = document.getElementById("ui-text");
  var words = {};
  try { words = tag ? JSON.parse(tag.textContent) : {}; } catch (e) { words = {}; }
  return function (key, fallback) { return words[key] || fallback; };
})();

function statusText(status) {
  "use strict";
  return (uiText("statuses", {})[status]) || status.replace("_", " ");
}

// New mentions appear at the top of the queue without a reload, and the counts follow. The
// agent keeps their place: when they have scrolled down, the page scrolls by what was added.
// On later pages, or sorted otherwise than newest first, a banner offers to show them instead.
(function () {
  "use strict";
  var body = document.body;
  var team = body.getAttribute("data-team");
  var newest = parseInt(body.getAttribute("data-newest-id") || "0", 10);
  var banner = document.getElementById("new-items");
  if (!team || !banner) { return; }
  var params = new URLSearchParams(window.location.search);
  var page = parseInt(params.get("page") || "1", 10);
  var sort = params.get("sort") || "newest";
  var tbody = document.querySelector("table.queue tbody");
  var live = tbody && page === 1 && sort === "newest";
  params.delete("page");

  function updateCounts(counts) {
    Object.keys(counts || {}).forEach(function (name) {
      var tag = document.querySelector('[data-team-count="' + name + '"]');
      if (tag) { tag.textContent = counts[name]; }
    });
  }

  function addRows(html) {
    var holder = document.createElement("tbody");
    holder.innerHTML = html;
    var before = document.documentElement.scrollHeight;
    var first = tbody.firstChild;
    Array.prototype.slice.call(holder.children).forEach(function (row) {
      if (document.querySelector('tr[data-mention-id="' + row.getAttribute("data-mention-id") + '"]')) { return; }
      row.classList.add("fresh");
      tbody.insertBefore(row, first);
    });
    if (window.scrollY > 0) { window.scrollBy(0, document.documentElement.scrollHeight - before); }
  }

  function check() {
    params.set("after", String(newest));
    fetch("/queue/" + encodeURIComponent(team) + "/rows?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        updateCounts(data.counts);
        if (data.count > 0) {
          if (live) { addRows(data.html); } else { banner.hidden = false; }
        }
        newest = Math.max(newest, data.newest_id);
        body.setAttribute("data-newest-id", String(newest));
      })
      .catch(function () { /* offline for a moment: try again at the next interval */ });
  }
  setInterval(check, parseInt(body.getAttribute("data-poll-ms") || "15000", 10));
})();

// The queue by keyboard: j/k move, o/Enter open, x select, a assign to me, e resolve,
// # spam, ? help. Changes go through the JSON API and update the row in place, so the agent
// keeps their place in the list.
(function () {
  "use strict";
  function allRows() { return Array.prototype.slice.call(document.querySelectorAll("table.queue tbody tr")); }
  var rows = allRows();
  var help = document.getElementById("keys-help");
  var tokenTag = document.querySelector("meta[name=csrf-token]");
  var nameTag = document.querySelector("meta[name=user-name]");
  if (!rows.length) { return; }
  var current = -1;

  var selectAll = document.getElementById("select-all");
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      allRows().forEach(function (row) {
        var box = row.querySelector("input[name=ids]");
        if (box) { box.checked = selectAll.checked; }
      });
    });
  }

  function focusRow(index) {
    var focused = document.querySelector("table.queue tr.focused");
    rows = allRows();  // live updates may have added rows above
    if (focused) { current = rows.indexOf(focused); }
    if (index === "next") { index = current + 1; } else if (index === "previous") { index = current < 0 ? 0 : current - 1; }
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
      if (answer.ok) { done(answer.data); } else { say(row, answer.data.error || uiText("refused", "refused"), true); }
    }).catch(function () { say(row, uiText("offline", "not saved: no connection"), true); });
  }

  function setStatus(row, status) {
    post(row, "status", { status: status }, function (m) {
      row.className = row.className.replace(/status-\S+/, "status-" + m.status);
      say(row, statusText(m.status));
    });
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) && target.type !== "checkbox") { return; }
    var row = document.querySelector("table.queue tr.focused");
    switch (event.key) {
      case "j": focusRow("next"); break;
      case "k": focusRow("previous"); break;
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
            say(row, statusText(m.status) + " · " + uiText("yours", "yours"));
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
    function copied() { button.textContent = uiText("copied", "Copied"); setTimeout(function () { button.textContent = uiText("copy", "Copy"); }, 2000); }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(copied, function () { button.textContent = uiText("copy_failed", "Copy failed: select the text"); });
    } else {  // plain http on an intranet: select it, and let the browser copy the selection
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      if (document.execCommand("copy")) { copied(); } else { button.textContent = uiText("press_ctrl_c", "Press Ctrl+C"); }
    }
  });
})();

// Forms that must be sent once (a forward): a second click while the first is on its way does
// nothing. The server also treats a repeat as one forward; this spares the person the doubt.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-once")) { return; }
    if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
    form.setAttribute("data-sent", "1");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.setAttribute("aria-busy", "true"); }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-close-window]") : null;
    if (button) { window.close(); }
  });
})();
