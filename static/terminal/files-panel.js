/*
 * The files panel beside the terminal: the workspace's folders, uploads by drag-and-drop
 * or the file picker, downloads (a folder as a zip), delete, and the quota.
 *
 * Everything goes through the files endpoints (console/terminal/files.py, documented in
 * docs/workspace.md), which check every path as the terminal's commands do; this page
 * only shows what they answer. Uploads are chunked (the size the server names) and
 * resumable: after a dropped connection the panel asks the server for the upload's offset
 * and goes on from there, so a chunk is never counted twice and a file is never shown
 * before its last byte is in. A few files go at once; the rest wait their turn.
 *
 * The terminal (terminal.js) hands it the `files` frames of the `upload` and `download`
 * builtins (docs/protocol.md) and prints what it reports back (`window.consoleFiles`).
 * Names come from other people (a teammate, an S3 key): they are only ever set as text.
 */
(() => {
  "use strict";

  const panel = document.getElementById("files-panel");
  const toggle = document.getElementById("files-toggle");
  if (!panel || !toggle) return;

  const $ = (id) => document.getElementById(id);
  const urls = {
    list: panel.dataset.listUrl,
    download: panel.dataset.downloadUrl,
    remove: panel.dataset.deleteUrl,
    mkdir: panel.dataset.mkdirUrl,
    uploads: panel.dataset.uploadsUrl,
  };
  const csrfToken = panel.dataset.csrfToken || "";
  const PARALLEL = 3;
  const RETRIES = 8;
  const state = { path: "", writable: true, chunk: 8 * 1024 * 1024, maxBytes: 0, queue: [], active: 0 };

  // ---- small helpers --------------------------------------------------------------------
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "dataset") Object.assign(node.dataset, value);
      else if (key in node) node[key] = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  // Sizes as the AWS CLI's transfers print them (`1.2 KiB`).
  function humanBytes(size) {
    if (size < 1024) return `${size} Bytes`;
    const units = ["KiB", "MiB", "GiB", "TiB"];
    let value = size;
    let unit = -1;
    do {
      value /= 1024;
      unit += 1;
    } while (value >= 1024 && unit < units.length - 1);
    return `${value.toFixed(1)} ${units[unit]}`;
  }

  function shortDate(iso) {
    return iso ? iso.slice(0, 16).replace("T", " ") : "";
  }

  const join = (...parts) => parts.filter(Boolean).join("/");
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function showMessage(text, kind = "error") {
    const box = $("files-message");
    box.textContent = text;
    box.dataset.kind = kind;
    box.hidden = !text;
  }

  async function answer(response) {
    // An ended session is answered by the sign-in page (a redirect), not by the endpoint.
    if (response.redirected || !(response.headers.get("Content-Type") || "").includes("json")) {
      if (response.ok) throw new Error("your sign-in has ended; reload the page to sign in again");
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (response.ok) return body || {};
    const message = (body && body.error) || `the server answered ${response.status}`;
    const error = new Error(message);
    error.status = response.status;
    error.body = body || {};
    throw error;
  }

  function postJSON(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(data),
    }).then(answer);
  }

  // ---- showing a folder -------------------------------------------------------------------
  async function open(path = state.path) {
    let listing;
    try {
      listing = await fetch(`${urls.list}?${new URLSearchParams({ path })}`, { credentials: "same-origin" }).then(answer);
    } catch (error) {
      showMessage(`Could not list ${path ? "~/" + path : "~"}: ${error.message}`);
      if (path && error.status === 404) return open("");
      return;
    }
    state.path = listing.path;
    state.writable = listing.writable;
    state.chunk = listing.limits.chunk_bytes;
    state.maxBytes = listing.limits.upload_max_bytes;
    renderCrumbs(listing.path);
    renderEntries(listing.entries);
    renderQuota(listing.usage);
    for (const id of ["files-upload", "files-upload-folder", "files-mkdir"]) $(id).disabled = !listing.writable;
  }

  function renderCrumbs(path) {
    const crumbs = $("files-crumbs");
    const parts = path ? path.split("/") : [];
    const items = [el("button", { type: "button", textContent: "~", dataset: { path: "" } })];
    parts.forEach((name, i) => {
      items.push("/", el("button", { type: "button", textContent: name, dataset: { path: parts.slice(0, i + 1).join("/") } }));
    });
    items[items.length - 1].setAttribute("aria-current", "location");
    crumbs.replaceChildren(...items);
  }

  function renderEntries(entries) {
    const rows = [];
    if (state.path) rows.push(entryRow({ name: "..", kind: "folder", size: 0, modified: null }, true));
    for (const entry of entries) rows.push(entryRow(entry, false));
    $("files-list").replaceChildren(...rows);
  }

  function entryRow(entry, isParent) {
    const path = isParent ? state.path.split("/").slice(0, -1).join("/") : join(state.path, entry.name);
    const name =
      entry.kind === "folder"
        ? el("button", { type: "button", textContent: entry.name, title: entry.name, dataset: { open: path } })
        : entry.name;
    const actions = el("td", { className: "files-row-actions" });
    if (!isParent) {
      actions.append(
        el("button", { type: "button", textContent: "⤓", title: `Download ${entry.name}`, ariaLabel: `Download ${entry.name}`, dataset: { action: "download", path } }),
      );
      if (state.writable) {
        actions.append(
          el("button", { type: "button", textContent: "✕", title: `Delete ${entry.name}`, ariaLabel: `Delete ${entry.name}`, dataset: { action: "delete", path, kind: entry.kind } }),
        );
      }
    }
    return el(
      "tr",
      { dataset: { name: entry.name, kind: entry.kind } },
      el("td", { className: "files-name", title: entry.name, dataset: { kind: entry.kind } }, name),
      el("td", { className: "num", textContent: entry.kind === "file" ? humanBytes(entry.size) : "" }),
      el("td", { textContent: shortDate(entry.modified) }),
      actions,
    );
  }

  function renderQuota(usage) {
    const rows = (usage || []).map((area) =>
      el(
        "div",
        { title: `${area.label}: ${area.shown}` },
        el("span", { textContent: area.place }),
        el("meter", { min: 0, max: area.quota || 1, value: area.used, high: (area.quota || 1) * 0.9, ariaLabel: `${area.label} used` }),
        el("span", { textContent: area.shown }),
      ),
    );
    $("files-quota").replaceChildren(...rows);
  }

  // ---- downloads ------------------------------------------------------------------------
  // Asked first (HEAD), so a file that is gone is a message here, not a failed download.
  async function download(url, name) {
    try {
      const head = await fetch(url, { method: "HEAD", credentials: "same-origin" });
      if (!head.ok) await answer(await fetch(url, { credentials: "same-origin" }));
    } catch (error) {
      showMessage(`Could not download ${name}: ${error.message}`);
      return false;
    }
    const link = el("a", { href: url, download: name });
    document.body.append(link);
    link.click();
    link.remove();
    return true;
  }

  function downloadPath(path) {
    const name = path.split("/").pop() || "workspace";
    return download(`${urls.download}?${new URLSearchParams({ path })}`, name);
  }

  // ---- delete, new folder -----------------------------------------------------------------
  async function remove(path, kind) {
    const shown = "~/" + path;
    const question = kind === "folder" ? `Delete the folder ${shown} and everything in it?` : `Delete ${shown}?`;
    if (!window.confirm(question)) return;
    try {
      await postJSON(urls.remove, { path });
      showMessage("");
    } catch (error) {
      showMessage(`Could not delete ${shown}: ${error.message}`);
    }
    open();
  }

  async function makeFolder() {
    const name = window.prompt("Name of the new folder");
    if (!name) return;
    try {
      await postJSON(urls.mkdir, { path: join(state.path, name) });
      showMessage("");
    } catch (error) {
      showMessage(`Could not create the folder: ${error.message}`);
    }
    open();
  }

  // ---- uploads --------------------------------------------------------------------------
  // One row with a progress bar per file; `report` (the `upload` builtin's) prints the
  // outcome in the terminal.
  function transferRow(label, size) {
    const bar = el("progress", { max: size || 1, value: 0 });
    const status = el("span", { className: "files-transfer-state", textContent: "waiting" });
    const row = el("li", { dataset: { state: "waiting" } }, el("span", { className: "files-transfer-name", textContent: label, title: label }), status, bar);
    $("files-transfers").prepend(row);
    return {
      progress(offset) {
        bar.value = offset;
        row.dataset.state = "sending";
        status.textContent = `${Math.floor((offset * 100) / (size || 1))}%`;
      },
      done() {
        bar.value = bar.max;
        row.dataset.state = "done";
        status.textContent = humanBytes(size);
      },
      failed(message) {
        row.dataset.state = "failed";
        status.textContent = message;
        row.title = message;
      },
    };
  }

  function enqueue(items, folder, report = null) {
    const made = new Set();
    for (const { file, relative } of items) {
      state.queue.push({ file, relative, folder, report, made, row: transferRow(join(folder, relative) || file.name, file.size) });
    }
    pump();
  }

  function pump() {
    while (state.active < PARALLEL && state.queue.length) {
      const job = state.queue.shift();
      state.active += 1;
      runJob(job).finally(() => {
        state.active -= 1;
        if (!state.queue.length && !state.active) open();
        pump();
      });
    }
  }

  async function runJob(job) {
    const target = join(job.folder, job.relative);
    try {
      if (state.maxBytes && job.file.size > state.maxBytes) {
        throw new Error(`${job.relative}: File too large (the most one upload takes is ${humanBytes(state.maxBytes)})`);
      }
      await makeParents(job);
      await sendFile(job.file, target, job.row);
      job.row.done();
      if (job.report) job.report(`upload: ${job.relative} (${humanBytes(job.file.size)}) to ${job.report.shown}/${job.relative}`);
    } catch (error) {
      job.row.failed(error.message);
      showMessage(`Upload of ${job.relative} failed: ${error.message}`);
      if (job.report) job.report(`upload failed: ${job.relative}: ${error.message}`, true);
    }
  }

  // A dropped folder's subfolders, made before the files that go in them.
  async function makeParents(job) {
    const parts = job.relative.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const folder = join(job.folder, ...parts.slice(0, i));
      if (job.made.has(folder)) continue;
      try {
        await postJSON(urls.mkdir, { path: folder });
      } catch (error) {
        if (error.status !== 409) throw error; // 409: it is there already
      }
      job.made.add(folder);
    }
  }

  async function sendFile(file, target, row) {
    const started = await postJSON(urls.uploads, { path: target, size: file.size });
    if (started.done) return started;
    const uploadUrl = `${urls.uploads}/${encodeURIComponent(started.id)}`;
    let offset = started.offset;
    let failures = 0;
    row.progress(offset);
    while (true) {
      const end = Math.min(offset + state.chunk, file.size);
      let response;
      try {
        response = await fetch(uploadUrl, {
          method: "PUT",
          credentials: "same-origin",
          headers: { "Content-Range": `bytes ${offset}-${end - 1}/${file.size}`, "X-CSRFToken": csrfToken },
          body: file.slice(offset, end),
        });
      } catch {
        // The connection dropped: wait, then ask the server where it stands.
        failures += 1;
        if (failures > RETRIES) throw new Error("the connection kept dropping; try again");
        await sleep(Math.min(500 * 2 ** failures, 8000));
        offset = await serverOffset(uploadUrl, offset);
        continue;
      }
      let body;
      try {
        body = await answer(response);
      } catch (error) {
        if (error.status === 409 && Number.isInteger(error.body.offset)) {
          offset = error.body.offset; // the server has more (or less) than we thought
          continue;
        }
        throw error;
      }
      failures = 0;
      offset = body.offset;
      row.progress(offset);
      if (body.done) return body;
    }
  }

  async function serverOffset(uploadUrl, fallback) {
    try {
      const status = await fetch(uploadUrl, { credentials: "same-origin" }).then(answer);
      return status.offset;
    } catch (error) {
      if (error.status) throw error; // the upload is gone (expired, cancelled)
      return fallback; // still offline: try the same chunk again
    }
  }

  // ---- drag and drop (folders through webkitGetAsEntry) ----------------------------------
  function entryFiles(entry, prefix) {
    if (entry.isFile) {
      return new Promise((resolve, reject) => entry.file((file) => resolve([{ file, relative: prefix + file.name }]), reject));
    }
    return new Promise((resolve, reject) => {
      const reader = entry.createReader();
      const found = [];
      const more = () =>
        reader.readEntries(async (batch) => {
          if (!batch.length) {
            const nested = await Promise.all(found.map((child) => entryFiles(child, `${prefix}${entry.name}/`)));
            resolve(nested.flat());
            return;
          }
          found.push(...batch);
          more(); // readEntries answers at most 100 at a time
        }, reject);
      more();
    });
  }

  async function dropped(event) {
    event.preventDefault();
    $("files-drop").dataset.over = "false";
    if (!state.writable) return showMessage(`~/${state.path} is read-only for you`);
    // Entries must be taken while the event is being handled; they are read afterwards.
    const entries = Array.from(event.dataTransfer.items || [])
      .filter((item) => item.kind === "file")
      .map((item) => (item.webkitGetAsEntry ? item.webkitGetAsEntry() : null));
    let items;
    if (entries.length && entries.every(Boolean)) {
      try {
        items = (await Promise.all(entries.map((entry) => entryFiles(entry, "")))).flat();
      } catch (error) {
        return showMessage(`Could not read what was dropped: ${error.message}`);
      }
    } else {
      items = Array.from(event.dataTransfer.files || [], (file) => ({ file, relative: file.name }));
    }
    if (items.length) enqueue(items, state.path);
  }

  // ---- the picker, and the `upload` builtin ------------------------------------------------
  let pickerReport = null;

  function pick(input, folder, report = null) {
    pickerReport = { folder, report };
    input.value = "";
    input.click();
  }

  function picked(input) {
    const { folder, report } = pickerReport || { folder: state.path, report: null };
    pickerReport = null;
    const items = Array.from(input.files || [], (file) => ({ file, relative: file.webkitRelativePath || file.name }));
    if (items.length) enqueue(items, folder, report);
    else if (report) report("upload: nothing chosen, nothing uploaded");
  }

  // ---- showing and hiding ------------------------------------------------------------------
  function setShown(shown) {
    panel.hidden = !shown;
    toggle.setAttribute("aria-expanded", String(shown));
    document.body.dataset.files = String(shown);
    if (shown) open();
  }

  toggle.addEventListener("click", () => setShown(panel.hidden));
  $("files-refresh").addEventListener("click", () => open());
  $("files-mkdir").addEventListener("click", makeFolder);
  $("files-upload").addEventListener("click", () => pick($("files-input"), state.path));
  $("files-upload-folder").addEventListener("click", () => pick($("files-input-folder"), state.path));
  for (const id of ["files-input", "files-input-folder"]) $(id).addEventListener("change", (e) => picked(e.target));
  $("files-crumbs").addEventListener("click", (e) => {
    const button = e.target.closest("button");
    if (button) open(button.dataset.path);
  });
  $("files-list").addEventListener("click", (e) => {
    const button = e.target.closest("button");
    if (!button) return;
    if (button.dataset.open !== undefined) return open(button.dataset.open);
    if (button.dataset.action === "download") return downloadPath(button.dataset.path);
    if (button.dataset.action === "delete") return remove(button.dataset.path, button.dataset.kind);
  });
  const drop = $("files-drop");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    drop.dataset.over = "true";
  });
  drop.addEventListener("dragleave", () => (drop.dataset.over = "false"));
  drop.addEventListener("drop", dropped);

  // What terminal.js calls: `files` frames, and "a command ended" (files may have changed).
  window.consoleFiles = {
    frame(f, print) {
      if (f.action === "download" && typeof f.url === "string" && f.url.startsWith(urls.download + "?")) {
        download(f.url, typeof f.name === "string" ? f.name : "download").then((ok) => {
          if (!ok) print(`download failed: ${$("files-message").textContent}`, true);
        });
      } else if (f.action === "upload" && typeof f.folder === "string") {
        if (panel.hidden) setShown(true);
        const report = (text, failed = false) => print(text, failed);
        report.shown = typeof f.shown === "string" && f.shown ? f.shown : ".";
        // At once: the Enter that ran `upload` is what lets the page open the picker (a
        // browser allows it for a few seconds after a key press). If it still refuses, the
        // panel shows the folder, and its Upload button opens the picker there.
        pick($("files-input"), f.folder, report);
        open(f.folder);
      }
    },
    changed() {
      if (!panel.hidden && !state.active) open();
    },
    show: setShown,
  };
})();
