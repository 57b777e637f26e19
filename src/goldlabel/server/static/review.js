// The review table: server-side paging, filters, sorting, multi-select, batch actions, and the
// keyboard-first resolver (W Q E N 1-9 J K Z ?). After an action on a row the next row opens.
import { ApiError, api, currentUser, fmt, h, labelText, loadProject, projectId, rowSummary, setText, showError, toast, watchJob } from "./common.js";
import { filterFromParams, filterToModel, filterToQuery, readForm, writeForm } from "./filters.js";
import { confirmDialog, topKIds, VERBS } from "./batch.js";
import { classForKey, toggleClass, predictState, renderResolver } from "./resolver.js";

const pid = projectId();
const LIMIT = 50;
const S = {
  project: null,
  filter: {},
  sort: "row_id",
  order: "asc",
  offset: 0,
  rows: [],
  total: 0,
  exact: true,
  cursor: -1,
  seen: new Set(),
  probs: {},
  selected: new Set(),
  anchor: null,
  allMatching: false,
  undo: [],
  busy: false,
  advancing: false,
  pending: 0,
  queue: Promise.resolve(),
  annotate: false, // record digit keys as the user's own annotations (multi-annotator)
  annotations: {}, // row id -> [{annotator, label}], as last read
  annotationUndo: [], // [{rowId, before}]: the user's annotation before each change
};
const ANNOTATE_KEY = `goldlabel.annotate.${pid}`;

// ------------------------------------------------------------------------------------- URL state
function readUrl() {
  const params = new URLSearchParams(location.search);
  S.filter = filterFromParams(params);
  S.sort = params.get("sort") || "row_id";
  S.order = params.get("order") === "desc" ? "desc" : "asc";
  S.offset = Math.max(0, Number(params.get("offset")) || 0);
}

function writeUrl() {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(S.filter)) {
    if (Array.isArray(v)) v.forEach((x) => params.append(k, x));
    else params.set(k, String(v));
  }
  if (S.sort !== "row_id") params.set("sort", S.sort);
  if (S.order !== "asc") params.set("order", S.order);
  if (S.offset) params.set("offset", String(S.offset));
  const q = params.toString();
  history.replaceState(null, "", q ? `?${q}` : location.pathname);
}

// ----------------------------------------------------------------------------------------- paging
async function fetchPage(offset, limit = LIMIT, withTotal = true) {
  return api(`/api/projects/${pid}/rows`, {
    params: { ...filterToQuery(S.filter), sort: S.sort, order: S.order, limit, offset, with_total: withTotal },
  });
}

async function fetchProbs(rows) {
  const missing = rows.map((r) => r.row_id).filter((id) => !(id in S.probs));
  if (!missing.length || !S.project.current_analysis_id) return;
  const res = await api(`/ui-api/projects/${pid}/probabilities`, { params: { row_id: missing } });
  for (const [id, top] of Object.entries(res.rows)) S.probs[id] = top;
}

async function load({ keepRow = null, cursor = null } = {}) {
  const page = await fetchPage(S.offset);
  if (!page.rows.length && S.offset > 0 && page.total > 0) {
    S.offset = Math.max(0, Math.floor((page.total - 1) / LIMIT) * LIMIT);
    return load({ keepRow, cursor });
  }
  S.rows = page.rows;
  S.total = page.total;
  S.exact = page.total_exact !== false;
  S.seen = new Set(S.rows.map((r) => r.row_id));
  let at = keepRow === null ? -1 : S.rows.findIndex((r) => r.row_id === keepRow);
  if (at < 0 && cursor !== null) at = Math.min(cursor, S.rows.length - 1);
  S.cursor = at;
  writeUrl();
  renderTable();
  renderCurrent();
  fetchProbs(S.rows).then(renderCurrent).catch(showError);
}

// Move past the page's end: rows may have left the filter, so re-read this page first.
async function advancePage() {
  const page = await fetchPage(S.offset);
  const fresh = page.rows.findIndex((r) => !S.seen.has(r.row_id));
  if (fresh >= 0) {
    S.rows = page.rows;
    S.total = page.total;
    S.exact = page.total_exact !== false;
    S.rows.forEach((r) => S.seen.add(r.row_id));
    S.cursor = fresh;
  } else if (page.rows.length === LIMIT && (page.total_exact === false || S.offset + LIMIT < page.total)) {
    S.offset += LIMIT;
    const next = await fetchPage(S.offset);
    S.rows = next.rows;
    S.total = next.total;
    S.exact = next.total_exact !== false;
    S.seen = new Set(S.rows.map((r) => r.row_id));
    S.cursor = 0;
  } else {
    toast("That was the last row of this view.");
    return;
  }
  writeUrl();
  renderTable();
  renderCurrent();
  fetchProbs(S.rows).then(renderCurrent).catch(showError);
}

// ------------------------------------------------------------------------------------- rendering
function scoreCell(v) {
  return h("td", { className: "num" }, v === null || v === undefined ? "" : fmt(v));
}

function rowEl(row, i) {
  const flags = [];
  if (row.is_label_issue) flags.push(h("span", { className: "chip issue" }, "label"));
  if (row.is_outlier_issue) flags.push(h("span", { className: "chip issue" }, "outlier"));
  if (row.is_near_duplicate_issue) flags.push(h("span", { className: "chip issue" }, "dup"));
  const selected = S.allMatching || S.selected.has(row.row_id);
  return h(
    "tr",
    {
      dataset: { rowId: String(row.row_id), index: String(i) },
      className: [selected ? "selected" : "", i === S.cursor ? "current" : "", row.status].join(" "),
    },
    h("td", {}, h("input", { type: "checkbox", className: "pick", checked: selected, "aria-label": `select row ${row.row_id}` })),
    h("td", { className: "num" }, row.row_id),
    h("td", { className: "content" }, rowSummary(row, S.project), ...flags),
    h("td", { className: "lbl" }, labelText(row.label)),
    h("td", {}, labelText(row.given_label)),
    h("td", {}, labelText(row.suggested_label)),
    scoreCell(row.suggested_label_confidence),
    scoreCell(row.label_issue_score),
    scoreCell(row.outlier_score),
    scoreCell(row.near_duplicate_score),
    h("td", {}, h("span", { className: `badge ${row.status}` }, row.status.replace("_", " "))),
    h("td", {}, (row.tags || []).map((t) => h("span", { className: "chip" }, t))),
  );
}

function renderTable() {
  document.querySelector("#rows tbody").replaceChildren(...S.rows.map(rowEl));
  const last = S.offset + S.rows.length;
  setText("page-info", S.rows.length ? `${S.offset + 1}–${last} of ${totalText()}` : "no rows match");
  setText("total-count", totalText());
  document.getElementById("prev-page").disabled = S.offset === 0;
  document.getElementById("next-page").disabled = S.rows.length < LIMIT || (S.exact && S.offset + LIMIT >= S.total);
  document.querySelectorAll("#rows th[data-sort]").forEach((th) => {
    th.classList.toggle("sorted", th.dataset.sort === S.sort);
    th.dataset.order = th.dataset.sort === S.sort ? S.order : "";
  });
  renderSelectionInfo();
}

function totalText() {
  return S.exact ? S.total.toLocaleString("en") : `${S.total.toLocaleString("en")}+`;
}

function renderRow(i) {
  const old = document.querySelector(`#rows tbody tr[data-index="${i}"]`);
  if (old) old.replaceWith(rowEl(S.rows[i], i));
}

function renderCurrent() {
  document.querySelectorAll("#rows tbody tr.current").forEach((tr) => tr.classList.remove("current"));
  const row = S.rows[S.cursor] || null;
  if (row) {
    const tr = document.querySelector(`#rows tbody tr[data-index="${S.cursor}"]`);
    if (tr) {
      tr.classList.add("current");
      tr.scrollIntoView({ block: "nearest" });
    }
  }
  renderResolver(row, S.project, row ? S.probs[row.row_id] : null);
  renderAnnotations(row);
  if (row && !(row.row_id in S.annotations)) {
    fetchAnnotations(row.row_id)
      .then(() => S.rows[S.cursor] === row && renderAnnotations(row))
      .catch(showError);
  }
}

// ------------------------------------------------------------------------------------ annotations
async function fetchAnnotations(rowId) {
  S.annotations[rowId] = await api(`/api/projects/${pid}/annotations`, { params: { row_id: rowId } });
}

function myAnnotation(rowId) {
  const mine = (S.annotations[rowId] || []).find((a) => a.annotator === currentUser());
  return mine ? mine.label : null;
}

function setMine(rowId, label) {
  const others = (S.annotations[rowId] || []).filter((a) => a.annotator !== currentUser());
  S.annotations[rowId] = label === null ? others : [...others, { annotator: currentUser(), label }];
}

function renderAnnotations(row) {
  const line = document.getElementById("r-annotations-line");
  const list = row ? S.annotations[row.row_id] || [] : [];
  line.hidden = !row || (!S.annotate && !list.length);
  document.getElementById("r-annotations").replaceChildren(
    ...(list.length
      ? list.map((a) => h("span", { className: a.annotator === currentUser() ? "chip mine" : "chip" }, `${a.annotator}: ${labelText(a.label)}`))
      : [h("span", { className: "muted" }, "none yet")]),
  );
}

// Record (or, with null, take back) the user's annotation of the open row; like act(), the next row
// opens at once (with `stay`, this one stays open) and the request goes through the queue.
function annotate(label, { stay = false } = {}) {
  const row = S.rows[S.cursor];
  if (!row || S.advancing) return;
  const before = myAnnotation(row.row_id);
  setMine(row.row_id, label);
  S.annotationUndo.push({ rowId: row.row_id, before });
  setPending(+1);
  S.queue = S.queue.then(() => sendAnnotation(row.row_id, label));
  if (stay) renderCurrent();
  else advance();
}

async function sendAnnotation(rowId, label) {
  const path = `/api/projects/${pid}/rows/${rowId}/annotations`;
  try {
    if (label === null) await api(path, { method: "DELETE" });
    else await api(path, { method: "PUT", json: { label } });
  } catch (err) {
    delete S.annotations[rowId];
    showError(err);
  } finally {
    setPending(-1);
  }
}

async function undoAnnotation() {
  const entry = S.annotationUndo.pop();
  if (!entry) return toast("No annotation of yours to take back in this session.");
  setMine(entry.rowId, entry.before);
  setPending(+1);
  S.queue = S.queue.then(() => sendAnnotation(entry.rowId, entry.before));
  await S.queue;
  toast(entry.before === null ? `Your annotation of row ${entry.rowId} is taken back.` : `Your annotation of row ${entry.rowId} is ${labelText(entry.before)} again.`);
  const at = S.rows.findIndex((r) => r.row_id === entry.rowId);
  if (at >= 0) S.cursor = at;
  renderCurrent();
}

function setAnnotateMode(on) {
  S.annotate = on;
  localStorage.setItem(ANNOTATE_KEY, on ? "1" : "0");
  document.getElementById("annotate-mode").checked = on;
  document.getElementById("resolver").classList.toggle("annotating", on);
  renderCurrent();
}

// A key of the resolver in annotation mode; true if it was one.
function onAnnotationKey(key, row) {
  if (key === "z" || key === "Z") return undoAnnotation().catch(showError), true;
  if (!row) return false;
  const usable = (label) => label !== null && label !== undefined && !(Array.isArray(label) && !label.length);
  if (key === "w" || key === "W") {
    if (!usable(row.suggested_label)) return toast("This row has no suggestion yet: run the analysis.", { error: true }), true;
    return annotate(row.suggested_label), true;
  }
  if (key === "q" || key === "Q") {
    if (!usable(row.given_label)) return toast("This row has no given label.", { error: true }), true;
    return annotate(row.given_label), true;
  }
  if (/^[1-9]$/.test(key)) {
    const cls = classForKey(Number(key), S.project, S.probs[row.row_id]);
    if (cls === undefined) return true;
    if (S.project.task !== "multilabel") return annotate(cls), true;
    const next = toggleClass(myAnnotation(row.row_id), cls, S.project.classes);
    return annotate(next.length ? next : null, { stay: true }), true;
  }
  return false;
}

function renderSelectionInfo() {
  setText("selection-info", S.allMatching ? `all ${totalText()} matching rows selected` : `${S.selected.size} selected`);
  document.getElementById("select-page").checked = S.rows.length > 0 && S.rows.every((r) => S.allMatching || S.selected.has(r.row_id));
}

// --------------------------------------------------------------------------------------- actions
// Act on the open row. The next row opens at once (the row shows its predicted state); the action is
// sent in order through a queue, and a refusal (409: someone changed the row) restores the row's state.
// Act on the current row and open the next one (with `stay`, keep this row open: multi-label toggles).
function act(kind, label = null, { stay = false } = {}) {
  const row = S.rows[S.cursor];
  if (!row || S.advancing) return;
  const i = S.cursor;
  S.rows[i] = predictState(row, kind, label);
  renderRow(i);
  setPending(+1);
  S.queue = S.queue.then(() => send(row, kind, label));
  if (stay) renderCurrent();
  else advance();
}

// Open the next row (past the page's end: once the queued requests are through).
function advance() {
  if (S.cursor < S.rows.length - 1) {
    S.cursor += 1;
    renderCurrent();
  } else {
    S.advancing = true;
    S.queue
      .then(() => advancePage())
      .catch(showError)
      .finally(() => (S.advancing = false));
  }
}

async function send(row, kind, label) {
  try {
    const res = await api(`/api/projects/${pid}/actions`, {
      method: "POST",
      json: { kind, row_ids: [row.row_id], label, expected_versions: { [row.row_id]: row.version } },
    });
    S.undo.push({ id: res.action_id, rowId: row.row_id });
    refreshRow(row.row_id);
  } catch (err) {
    const at = S.rows.findIndex((r) => r.row_id === row.row_id);
    const current = err instanceof ApiError && err.status === 409 && Array.isArray(err.body.current)
      ? err.body.current.find((r) => r.row_id === row.row_id)
      : null;
    if (at >= 0) {
      S.rows[at] = current ? { ...row, ...current } : row;
      renderRow(at);
      if (at === S.cursor) renderCurrent();
    }
    if (current) toast(`Someone changed row ${row.row_id} meanwhile; it shows their version now — act on it again.`, { error: true });
    else showError(err);
  } finally {
    setPending(-1);
  }
}

function setPending(delta) {
  S.pending += delta;
  const el = document.getElementById("save-state");
  el.dataset.pending = String(S.pending);
  el.textContent = S.pending ? `saving ${S.pending}…` : "all saved";
  if (!S.pending) document.dispatchEvent(new CustomEvent("gl:saved"));
}

async function refreshRow(rowId) {
  try {
    const fresh = await api(`/api/projects/${pid}/rows/${rowId}`);
    const i = S.rows.findIndex((r) => r.row_id === rowId);
    if (i >= 0) {
      S.rows[i] = fresh;
      renderRow(i);
      if (i === S.cursor) renderCurrent();
    }
  } catch (err) {
    showError(err);
  }
}

async function undoLast() {
  if (S.busy) return;
  S.busy = true;
  try {
    await S.queue;
    let entry = S.undo.pop();
    if (!entry) {
      const log = await api(`/api/projects/${pid}/actions`, { params: { limit: 50 } });
      const last = log.find((a) => a.kind !== "undo" && !a.undone_by);
      if (!last) return toast("Nothing to undo.");
      entry = { id: last.id, rowId: null };
    }
    const res = await api(`/api/projects/${pid}/actions/${entry.id}/undo`, { method: "POST" });
    toast(`Undone: ${res.n_rows} row(s) restored${res.n_skipped ? `, ${res.n_skipped} changed since and left alone` : ""}.`);
    await load({ keepRow: entry.rowId, cursor: S.cursor });
  } catch (err) {
    showError(err);
  } finally {
    S.busy = false;
  }
}

function toggleNeedsReview() {
  const row = S.rows[S.cursor];
  if (!row) return;
  if (row.status !== "needs_review") return act("needs_review");
  return row.label == null ? act("clear") : act("label", row.label);
}

function move(delta) {
  if (!S.rows.length) return;
  const next = S.cursor + delta;
  if (next >= S.rows.length) {
    if (S.advancing) return;
    S.advancing = true;
    return S.queue
      .then(() => advancePage())
      .catch(showError)
      .finally(() => (S.advancing = false));
  }
  if (next < 0) {
    if (S.offset === 0) return;
    S.offset = Math.max(0, S.offset - LIMIT);
    return load({ cursor: LIMIT - 1 }).catch(showError);
  }
  S.cursor = next;
  renderCurrent();
}

function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) return;
  if (document.querySelector("dialog[open]")) return;
  const key = e.key;
  const row = S.rows[S.cursor];
  const handled = () => e.preventDefault();
  if (key === "j" || key === "ArrowDown") return handled(), move(S.cursor < 0 ? 1 : 1);
  if (key === "k" || key === "ArrowUp") return handled(), move(-1);
  if (key === "?") return handled(), document.getElementById("help").showModal();
  if (S.annotate && onAnnotationKey(key, row)) return handled();
  if (key === "z" || key === "Z") return handled(), undoLast();
  if (!row) return;
  if (key === "w" || key === "W") {
    handled();
    if (row.suggested_label == null) return toast("This row has no suggestion yet: run the analysis.", { error: true });
    return act("autofix");
  }
  if (key === "q" || key === "Q") {
    handled();
    if (row.given_label == null) return toast("This row has no given label to keep.", { error: true });
    return act("keep");
  }
  if (key === "e" || key === "E") return handled(), act(row.status === "excluded" ? "include" : "exclude");
  if (key === "n" || key === "N") return handled(), toggleNeedsReview();
  if (/^[1-9]$/.test(key)) {
    handled();
    const cls = classForKey(Number(key), S.project, S.probs[row.row_id]);
    if (cls === undefined) return;
    if (S.project.task !== "multilabel") return act("label", cls);
    // Multi-label: the key adds the class to the row's set or takes it out (an empty set is no
    // label) and the row stays open for the next class; J moves on.
    const next = toggleClass(row.label, cls, S.project.classes);
    return next.length ? act("label", next, { stay: true }) : act("clear", null, { stay: true });
  }
}

// ----------------------------------------------------------------------------------- selection
function onTableClick(e) {
  const tr = e.target.closest("tr[data-index]");
  if (!tr) return;
  const i = Number(tr.dataset.index);
  const id = S.rows[i].row_id;
  const onBox = e.target.classList.contains("pick");
  if (e.shiftKey && S.anchor !== null) {
    const a = S.rows.findIndex((r) => r.row_id === S.anchor);
    const [lo, hi] = a < 0 ? [i, i] : [Math.min(a, i), Math.max(a, i)];
    for (let j = lo; j <= hi; j++) S.selected.add(S.rows[j].row_id);
    S.allMatching = false;
  } else if (onBox || e.ctrlKey || e.metaKey) {
    S.allMatching = false;
    if (S.selected.has(id)) S.selected.delete(id);
    else S.selected.add(id);
    S.anchor = id;
  } else {
    S.anchor = id;
  }
  S.cursor = i;
  renderTable();
  renderCurrent();
  if (e.shiftKey) document.getSelection().removeAllRanges();
}

// --------------------------------------------------------------------------------- batch actions
async function batchTarget() {
  if (document.getElementById("batch-target").value === "topk") {
    const ids = await topKIds(fetchPage, Number(document.getElementById("top-k").value));
    return { body: { row_ids: ids }, what: `the top ${ids.length} rows of this view` };
  }
  if (S.allMatching) return { body: { filter: filterToModel(S.filter) }, what: `all ${totalText()} rows matching the filter` };
  if (!S.selected.size) throw new Error("Select rows first (click the boxes, shift-click a range, or select all matching), or choose the top K.");
  return { body: { row_ids: [...S.selected] }, what: `the ${S.selected.size} selected rows` };
}

async function batch(kind, label = null, tag = null) {
  try {
    await S.queue;
    const { body, what } = await batchTarget();
    const count = await api(`/ui-api/projects/${pid}/count`, { method: "POST", json: { kind, ...body } });
    const verb = kind === "label" ? `Label as “${label}”` : tag !== null ? `${VERBS[kind]} “${tag}”` : VERBS[kind];
    if (!count.n_rows) return toast(`${verb}: none of ${what} would change.`);
    const ok = await confirmDialog(`${verb} on ${what}: ${count.n_rows} row${count.n_rows === 1 ? "" : "s"} will change.`);
    if (!ok) return;
    const res = await api(`/api/projects/${pid}/actions`, { method: "POST", json: { kind, label, tag, ...body } });
    S.undo.push({ id: res.action_id, rowId: null });
    S.selected.clear();
    S.allMatching = false;
    toast(`${verb}: ${res.n_rows} rows changed.`, { action: { label: "Undo", run: () => undoLast() } });
    await load({ cursor: S.cursor });
  } catch (err) {
    showError(err);
  }
}

async function improve() {
  const info = document.getElementById("job-info");
  try {
    const job = await api(`/api/projects/${pid}/analyses`, { method: "POST" });
    const done = await watchJob(job.id, (j) => setText(info, `retraining: ${Math.round((j.progress || 0) * 100)}% ${j.message || ""}`));
    if (done.status !== "succeeded") throw new Error(`the retrain ${done.status}: ${done.error || ""}`);
    setText(info, "retrained: suggestions updated");
    S.project = await api(`/api/projects/${pid}`);
    S.probs = {};
    await load({ keepRow: S.rows[S.cursor] ? S.rows[S.cursor].row_id : null });
  } catch (err) {
    setText(info, "");
    showError(err);
  }
}

// ------------------------------------------------------------------------------------------ wire
function wire() {
  const form = document.getElementById("filters");
  writeForm(form, S.filter);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    S.filter = readForm(form);
    S.offset = 0;
    S.selected.clear();
    S.allMatching = false;
    load({ cursor: 0 }).catch(showError);
  });
  document.getElementById("clear-filters").addEventListener("click", () => {
    S.filter = {};
    writeForm(form, S.filter);
    S.offset = 0;
    load({ cursor: 0 }).catch(showError);
  });
  document.querySelectorAll("#rows th[data-sort]").forEach((th) =>
    th.addEventListener("click", () => {
      const field = th.dataset.sort;
      S.order = S.sort === field && S.order === "desc" ? "asc" : S.sort === field ? "desc" : field === "row_id" ? "asc" : "desc";
      S.sort = field;
      S.offset = 0;
      load({ cursor: 0 }).catch(showError);
    }),
  );
  document.querySelector("#rows tbody").addEventListener("click", onTableClick);
  document.getElementById("select-page").addEventListener("change", (e) => {
    S.allMatching = false;
    S.rows.forEach((r) => (e.target.checked ? S.selected.add(r.row_id) : S.selected.delete(r.row_id)));
    renderTable();
  });
  document.getElementById("select-matching").addEventListener("click", () => {
    S.allMatching = !S.allMatching;
    if (!S.allMatching) S.selected.clear();
    renderTable();
  });
  document.getElementById("prev-page").addEventListener("click", () => {
    S.offset = Math.max(0, S.offset - LIMIT);
    load({ cursor: 0 }).catch(showError);
  });
  document.getElementById("next-page").addEventListener("click", () => {
    S.offset += LIMIT;
    load({ cursor: 0 }).catch(showError);
  });
  document.querySelectorAll("[data-batch]").forEach((b) => b.addEventListener("click", () => batch(b.dataset.batch)));
  const batchLabel = document.getElementById("batch-label");
  batchLabel.addEventListener("change", () => {
    const v = batchLabel.value;
    batchLabel.value = "";
    if (v) batch("label", v);
  });
  document.getElementById("improve").addEventListener("click", improve);
  for (const [id, kind] of [["batch-tag-add", "tag"], ["batch-tag-remove", "untag"]]) {
    document.getElementById(id).addEventListener("click", () => {
      const tag = document.getElementById("batch-tag").value.trim();
      if (!tag) return toast("Type a tag first.", { error: true });
      batch(kind, null, tag);
    });
  }
  document.querySelectorAll("#resolver [data-key]").forEach((b) =>
    b.addEventListener("click", () => onKey({ key: b.dataset.key, target: document.body, preventDefault() {} })),
  );
  document.getElementById("r-top").addEventListener("click", (e) => {
    const li = e.target.closest("li[data-label]");
    if (!li) return;
    if (S.annotate) onKey({ key: li.dataset.key, target: document.body, preventDefault() {} });
    else act("label", li.dataset.label);
  });
  document.getElementById("annotate-mode").addEventListener("change", (e) => {
    setAnnotateMode(e.target.checked);
    e.target.blur(); // the resolver's keys work at once
  });
  document.addEventListener("keydown", onKey);
}

async function main() {
  S.project = await loadProject();
  for (const sel of document.querySelectorAll(".class-select")) {
    sel.append(...S.project.classes.map((c) => h("option", { value: c }, c)));
  }
  readUrl();
  wire();
  setAnnotateMode(localStorage.getItem(ANNOTATE_KEY) === "1");
  await load({ cursor: 0 });
}

main().catch(showError);
