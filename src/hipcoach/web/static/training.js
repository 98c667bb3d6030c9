/* The training dashboard, enhanced: upload files with progress, follow the import, then
   bring the page's numbers and charts up to date in place. The charts are drawn by the
   server; without JavaScript the upload form posts as a plain form. */
(function () {
  "use strict";

  function make(tag, attrs, text) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text !== undefined) el.textContent = text;
    return el;
  }

  // Pointing at or tapping a week (or a day) of a chart writes its numbers under the chart:
  // the SVG's <title> is the tooltip on a desktop, but a phone shows no tooltip.
  function enhanceCharts(root) {
    root.querySelectorAll(".chart-plot").forEach(function (plot) {
      var out = plot.parentNode.querySelector(".chart-readout");
      if (!out) return;
      function show(event) {
        var hit = event.target.closest ? event.target.closest("rect.hit") : null;
        if (!hit) return;
        var title = hit.querySelector("title");
        out.textContent = title ? title.textContent : "";
        plot.querySelectorAll("rect.hit.picked").forEach(function (r) { r.classList.remove("picked"); });
        hit.classList.add("picked");
      }
      plot.addEventListener("pointerover", show);
      plot.addEventListener("click", show);
    });
  }

  function errorOf(xhrOrResponseBody, status) {
    return (xhrOrResponseBody && xhrOrResponseBody.error) || ("the server answered " + status);
  }

  function uploadFile(file, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("PUT", "/api/uploads/" + encodeURIComponent(file.name));
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) onProgress(e.loaded); };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300) resolve(body);
        else reject(new Error(file.name + ": " + errorOf(body, xhr.status)));
      };
      xhr.onerror = function () {
        reject(new Error(file.name + ": the upload failed; is hipcoach still running?"));
      };
      xhr.send(file);
    });
  }

  async function getJSON(url, options) {
    var response = await fetch(url, options);
    var body = {};
    try { body = await response.json(); } catch (e) { /* not JSON */ }
    if (!response.ok) throw new Error(errorOf(body, response.status));
    return body;
  }

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  // Files looked at that none of the import's own counts covers: manual entries of an export
  // (no file of their own) and files whose activities were already there from another file.
  // Shown as their own row, so the rows add up to the files looked at.
  function otherFiles(s) {
    return Math.max(s.files - s.imported_files - s.duplicate_files - s.skipped.length - s.not_activities, 0);
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  // The sentence at the end of an import; the same words as _import_status.html.
  function finishMessage(s) {
    var named = [];
    if (s.duplicate_files) named.push(plural(s.duplicate_files, "file was", "files were") + " already imported");
    if (s.duplicate_activities) named.push(plural(s.duplicate_activities, "activity was", "activities were") + " already there");
    var dups = named.length ? named.join(" and ") + " (duplicates, not imported again)" : "";
    if (s.nothing_new) {
      return "Nothing new: " + (dups || "everything here was already imported") + ".";
    }
    var parts = [plural(s.imported_activities, "activity", "activities") + " imported"];
    if (dups) parts.push(dups);
    if (s.skipped.length) parts.push(plural(s.skipped.length, "file", "files") + " skipped (see below)");
    return "Import finished: " + parts.join("; ") + ".";
  }

  function summaryTable(s) {
    var table = make("table", { "class": "summary" });
    var head = make("tr");
    ["", "Files", "Activities"].forEach(function (t, i) {
      head.appendChild(make("th", i ? { scope: "col", "class": "num" } : { scope: "col" }, t));
    });
    table.appendChild(make("thead")).appendChild(head);
    var body = table.appendChild(make("tbody"));
    var rows = [["Imported", s.imported_files, s.imported_activities],
      ["Already there (duplicates)", s.duplicate_files, s.duplicate_activities]];
    var other = otherFiles(s);
    if (other) rows.push(["Manual entries, or files with activities already imported from another file", other, ""]);
    rows.push(["Skipped", s.skipped.length, ""]);
    if (s.not_activities) rows.push(["Not activities (courses, settings, monitoring)", s.not_activities, ""]);
    rows.forEach(function (row) {
      var tr = body.appendChild(make("tr"));
      tr.appendChild(make("th", { scope: "row" }, row[0]));
      tr.appendChild(make("td", { "class": "num" }, String(row[1])));
      tr.appendChild(make("td", { "class": "num" }, String(row[2])));
    });
    var total = table.appendChild(make("tfoot")).appendChild(make("tr"));
    total.appendChild(make("th", { scope: "row" }, "Files looked at"));
    total.appendChild(make("td", { "class": "num" }, String(s.files)));
    total.appendChild(make("td"));
    return table;
  }

  // The parts of the page that show the history; after an import they are fetched again.
  var DATA_SECTIONS = [".overview-bar", ".charts", "#flags", "#shoes", "#activities"];

  // Bring the page's numbers up to date without leaving it (the import summary stays where
  // it is): fetch the page again and swap its data sections in, then draw the new charts.
  async function refreshData() {
    var response = await fetch(location.pathname + location.search, { headers: { Accept: "text/html" } });
    if (!response.ok) throw new Error("the page could not be refreshed (" + response.status + ")");
    var fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    var anchor = document.querySelector(".dashboard > section.card, .dashboard > .charts");
    DATA_SECTIONS.forEach(function (sel) {
      var now = fresh.querySelector(sel);
      if (!now) return;
      var node = document.importNode(now, true);
      var old = document.querySelector(sel);
      if (old) old.replaceWith(node);
      else if (anchor) anchor.parentNode.insertBefore(node, anchor);
    });
    enhanceCharts(document);
  }

  function enhanceUpload(form) {
    var input = form.querySelector("input[type=file]");
    var button = form.querySelector("button[type=submit]");
    var live = form.querySelector(".upload-status");
    if (!input || !button || !live || !window.fetch) return;
    var box = make("div", { "class": "upload-progress" });
    live.parentNode.insertBefore(box, live);

    function say(text, cls) {
      live.textContent = "";
      live.appendChild(make("p", cls ? { "class": cls, role: cls === "error" ? "alert" : "status" } : {}, text));
    }

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length) { say("Choose at least one file to upload.", "error"); input.focus(); return; }
      button.disabled = true;
      box.textContent = "";
      var total = files.reduce(function (n, f) { return n + f.size; }, 0) || 1;
      var label = box.appendChild(make("label", { "for": "upload-bar" }, ""));
      var bar = box.appendChild(make("progress", { id: "upload-bar", max: String(total), value: "0" }));
      var sent = 0;
      var ids = [];
      try {
        say("Uploading " + files.length + (files.length === 1 ? " file…" : " files…"));
        for (var i = 0; i < files.length; i++) {
          var f = files[i];
          label.textContent = "Uploading " + f.name + " (" + (i + 1) + " of " + files.length + ")";
          var result = await uploadFile(f, function (loaded) {
            bar.value = sent + loaded;
            label.textContent = "Uploading " + f.name + ": " + Math.round(100 * (sent + loaded) / total) + "%";
          });
          sent += f.size;
          bar.value = sent;
          ids.push(result.upload);
        }
        say("Uploaded. Importing…");
        var job = await getJSON("/api/imports", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ uploads: ids })
        });
        bar.removeAttribute("value");
        label.textContent = "Importing…";
        while (job.state === "running") {
          await sleep(800);
          job = await getJSON("/api/imports/" + encodeURIComponent(job.id));
          bar.max = job.files_total;
          bar.value = job.files_done;
          label.textContent = "Files read: " + job.files_done + " of about " + job.files_total +
            " · " + job.activities + " activities imported";
        }
        if (job.state === "failed") throw new Error(job.error);
        box.textContent = "";
        var s = job.summary;
        say(finishMessage(s), "ok");
        box.appendChild(summaryTable(s));
        if (s.skipped.length) {
          box.appendChild(make("h3", {}, "Skipped, and why"));
          var ul = box.appendChild(make("ul", { "class": "skipped" }));
          s.skipped.forEach(function (o) {
            var li = ul.appendChild(make("li"));
            li.appendChild(make("b", {}, o.name));
            li.appendChild(document.createTextNode(" — " + o.reason));
          });
        }
        var p = box.appendChild(make("p"));
        p.appendChild(make("a", { "class": "button", href: "/training" }, "See your training"));
        input.value = "";
        if (s.imported_activities) {
          var note = box.insertBefore(make("p", { "class": "why refreshed" }, "Updating your charts and flags…"), p);
          try {
            await refreshData();
            note.textContent = "Your charts, flags and activities above now include this import.";
          } catch (e) {
            note.textContent = "Reload the page to see this import in your charts (" + e.message + ").";
          }
        }
      } catch (err) {
        say(err.message, "error");
      } finally {
        button.disabled = false;
      }
    });
  }

  function start() {
    enhanceCharts(document);
    var form = document.getElementById("upload-form");
    if (form) enhanceUpload(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
