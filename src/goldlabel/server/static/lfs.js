// Rules (labeling functions): write a keyword or regex rule and see its coverage, conflicts and accuracy
// as you type (debounced previews); save and manage rules; apply the label model's labels above a
// threshold as one undoable action; list and tag the labels the rules confidently disagree with.
// Every piece of user data is written with textContent (through h() / setText()).
import { api, fmt, h, loadProject, projectId, setText, showError, toast } from "./common.js";

const pid = projectId();
const base = `/api/projects/${pid}/lfs`;
const R = { project: null, editing: null, seq: 0, timer: null, proposal: null, lastAction: null, thresholdTimer: null };

const $ = (id) => document.getElementById(id);
const pct = (x) => (x === null || x === undefined ? "–" : `${(100 * x).toFixed(1)} %`);

function debounce(key, fn, ms) {
  clearTimeout(R[key]);
  R[key] = setTimeout(fn, ms);
}

// ---------------------------------------------------------------------------------------- editor
function draft() {
  const kind = $("lf-kind").value;
  const text = $("lf-pattern").value;
  const body = { kind, label: $("lf-class").value };
  if (kind === "keyword") body.keywords = text.split(",").map((w) => w.trim()).filter(Boolean);
  else body.pattern = text;
  return body;
}

function isEmpty(body) {
  return body.kind === "keyword" ? body.keywords.length === 0 : !body.pattern.trim();
}

function clearPreview(message = "") {
  for (const id of ["stat-coverage", "stat-overlaps", "stat-conflicts", "stat-accuracy"]) setText(id, "–");
  $("lf-examples").replaceChildren();
  $("lf-mistakes").replaceChildren();
  setText("lf-error", message);
}

function example(ex) {
  const li = h("li", {}, h("span", { className: "muted" }, `#${ex.row_id} `));
  if (ex.match) {
    const [a, b] = ex.match;
    li.append(ex.text.slice(0, a), h("mark", {}, ex.text.slice(a, b)), ex.text.slice(b));
  } else {
    li.append(ex.text);
  }
  if (ex.label !== null) li.append(h("span", { className: "chip" }, ex.label));
  return li;
}

async function preview() {
  const body = draft();
  const seq = ++R.seq;
  if (isEmpty(body)) return clearPreview();
  try {
    const res = await api(`${base}/preview`, { method: "POST", json: { ...body, lf_id: R.editing } });
    if (seq !== R.seq) return; // a newer keystroke's answer is on its way
    setText("lf-error", "");
    setText("stat-coverage", `${pct(res.coverage)} (${res.n_covered} rows)`);
    setText("stat-overlaps", `${pct(res.overlaps)} (${res.n_overlaps})`);
    setText("stat-conflicts", `${pct(res.conflicts)} (${res.n_conflicts})`);
    setText(
      "stat-accuracy",
      res.accuracy === null ? "– (no labeled match)" : `${pct(res.accuracy)} of ${res.n_correct + res.n_incorrect}`,
    );
    $("lf-examples").replaceChildren(...res.examples.map(example));
    $("lf-mistakes").replaceChildren(...res.mistakes.map(example));
  } catch (err) {
    if (seq === R.seq) clearPreview(err.message);
  }
}

function schedulePreview() {
  debounce("timer", preview, 250);
}

function setKindLabel() {
  const keyword = $("lf-kind").value === "keyword";
  setText("lf-pattern-label", keyword ? "Keywords, separated by commas" : "Regular expression (case-insensitive)");
  $("lf-pattern").placeholder = keyword ? "e.g. refund, money back" : "e.g. \\bcheck (it )?out\\b";
}

function resetForm() {
  R.editing = null;
  $("lf-pattern").value = "";
  $("lf-name").value = "";
  $("lf-cancel").hidden = true;
  setText("lf-save", "Save rule");
  clearPreview();
}

function edit(lf) {
  R.editing = lf.id;
  $("lf-kind").value = lf.kind;
  setKindLabel();
  $("lf-pattern").value = lf.kind === "keyword" ? (lf.keywords || []).join(", ") : lf.pattern || "";
  $("lf-class").value = lf.label;
  $("lf-name").value = lf.name;
  $("lf-cancel").hidden = false;
  setText("lf-save", "Save changes");
  $("lf-pattern").focus();
  preview();
}

async function save(event) {
  event.preventDefault();
  const body = draft();
  if (isEmpty(body)) return setText("lf-error", "Type keywords or a pattern first.");
  const name = $("lf-name").value.trim();
  try {
    if (R.editing === null) {
      const lf = await api(base, { method: "POST", json: { ...body, name: name || null } });
      toast(`Saved rule “${lf.name}”.`);
    } else {
      const lf = await api(`${base}/${R.editing}`, { method: "PATCH", json: { ...body, ...(name ? { name } : {}) } });
      toast(`Saved changes to “${lf.name}”.`);
    }
    resetForm();
    await refreshAll();
  } catch (err) {
    setText("lf-error", err.message);
  }
}

// ----------------------------------------------------------------------------------------- table
function lfRow(lf) {
  const toggle = h("input", {
    type: "checkbox",
    checked: lf.active,
    title: "use this rule in the label model",
    onchange: async () => {
      try {
        await api(`${base}/${lf.id}`, { method: "PATCH", json: { active: toggle.checked } });
        await refreshAll();
      } catch (err) {
        showError(err);
      }
    },
  });
  const remove = h("button", {
    type: "button",
    onclick: async () => {
      try {
        await api(`${base}/${lf.id}`, { method: "DELETE" });
        toast(`Deleted rule “${lf.name}”.`);
        if (R.editing === lf.id) resetForm();
        await refreshAll();
      } catch (err) {
        showError(err);
      }
    },
  }, "Delete");
  return h(
    "tr",
    { dataset: { lfId: lf.id } },
    h("td", {}, toggle),
    h("td", {}, lf.name),
    h("td", {}, lf.kind),
    h("td", { className: "pattern" }, lf.kind === "keyword" ? (lf.keywords || []).join(", ") : lf.pattern),
    h("td", {}, lf.label),
    h("td", { className: "num" }, pct(lf.coverage)),
    h("td", { className: "num" }, pct(lf.overlaps)),
    h("td", { className: "num" }, pct(lf.conflicts)),
    h("td", { className: "num" }, lf.accuracy === null ? "–" : `${pct(lf.accuracy)} (${lf.n_correct + lf.n_incorrect})`),
    h("td", { className: "num" }, lf.estimated_accuracy === null || lf.estimated_accuracy === undefined ? "–" : pct(lf.estimated_accuracy)),
    h("td", { className: "actions" }, h("button", { type: "button", onclick: () => edit(lf) }, "Edit"), " ", remove),
  );
}

async function refreshTable() {
  const res = await api(base, { params: { stats: true } });
  $("lf-table").querySelector("tbody").replaceChildren(...res.lfs.map(lfRow));
  $("lf-empty").hidden = res.lfs.length > 0;
}

// ------------------------------------------------------------------------------- label model
function threshold() {
  return Number($("weak-threshold").value);
}

async function refreshProposal() {
  const t = threshold();
  setText("weak-threshold-out", t.toFixed(2));
  const p = await api(`${base}/proposal`, { params: { threshold: t } });
  if (threshold() !== t) return;
  R.proposal = p;
  setText("weak-n", p.n_to_label);
  $("weak-apply").disabled = p.n_to_label === 0;
  const counts = Object.entries(p.counts).filter(([, n]) => n > 0).map(([c, n]) => `${c}: ${n}`).join(", ");
  setText(
    "weak-proposal",
    p.n_lfs === 0
      ? "Save an active rule to get label-model suggestions."
      : `${p.n_to_label} of ${p.n_unlabeled} unlabeled rows reach ${t.toFixed(2)} (${p.n_covered_unlabeled} are covered by a rule)` +
          (counts ? ` — ${counts}.` : "."),
  );
}

function confirmApply(p) {
  const dialog = $("confirm-apply");
  const counts = Object.entries(p.counts).filter(([, n]) => n > 0).map(([c, n]) => `${c}: ${n}`).join(", ");
  setText("confirm-text", `Label ${p.n_to_label} unlabeled rows with the label model at threshold ${p.threshold.toFixed(2)} (${counts})? You can undo it.`);
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.showModal();
  });
}

async function applyModel() {
  const p = R.proposal;
  if (!p || p.n_to_label === 0) return;
  if (!(await confirmApply(p))) return;
  try {
    const res = await api(`${base}/apply`, { method: "POST", json: { threshold: p.threshold, fingerprint: p.fingerprint } });
    if (!res.action) {
      toast("No row reached the threshold; nothing changed.");
    } else {
      R.lastAction = res.action.action_id;
      setText("weak-applied", `Labeled ${res.action.n_rows} rows (action #${res.action.action_id}).`);
      $("weak-undo").hidden = false;
      toast(`Labeled ${res.action.n_rows} rows.`, { action: { label: "Undo", run: undo } });
    }
  } catch (err) {
    showError(err);
  }
  await refreshAll();
}

async function undo() {
  if (R.lastAction === null) return;
  try {
    const res = await api(`/api/projects/${pid}/actions/${R.lastAction}/undo`, { method: "POST" });
    setText("weak-applied", `Undone: ${res.n_rows} rows are unlabeled again${res.n_skipped ? ` (${res.n_skipped} changed since and were left alone)` : ""}.`);
    toast("Undone.");
    R.lastAction = null;
    $("weak-undo").hidden = true;
  } catch (err) {
    showError(err);
  }
  await refreshAll();
}

// ------------------------------------------------------------------------------------ issues
async function refreshIssues() {
  const t = threshold();
  const res = await api(`${base}/issues`, { params: { min_confidence: t, limit: 10 } });
  setText(
    "issues-summary",
    res.n_flagged === 0
      ? `No labeled row disagrees with the rules at confidence ${t.toFixed(2)} or more.`
      : `${res.n_flagged} labeled rows disagree with the rules at confidence ${t.toFixed(2)} or more; the worst:`,
  );
  $("issues-table").querySelector("tbody").replaceChildren(
    ...res.rows.map((r) =>
      h("tr", {}, h("td", { className: "num" }, r.row_id), h("td", { className: "content" }, r.text), h("td", {}, r.label), h("td", {}, r.lf_label), h("td", { className: "num" }, fmt(r.confidence, 3))),
    ),
  );
  $("issues-tag").disabled = res.n_flagged === 0;
}

async function tagIssues() {
  try {
    const res = await api(`${base}/issues/tag`, { method: "POST", json: { min_confidence: threshold() } });
    if (!res.action) toast(`All ${res.n_flagged} rows already carry “${res.tag}”.`);
    else {
      const id = res.action.action_id;
      toast(`Tagged ${res.action.n_rows} rows “${res.tag}”.`, {
        action: { label: "Undo", run: () => api(`/api/projects/${pid}/actions/${id}/undo`, { method: "POST" }).then(() => toast("Undone.")).catch(showError) },
      });
    }
  } catch (err) {
    showError(err);
  }
}

// --------------------------------------------------------------------------------------- wiring
async function refreshAll() {
  try {
    await Promise.all([refreshTable(), refreshProposal(), refreshIssues()]);
  } catch (err) {
    showError(err);
  }
}

async function init() {
  R.project = await loadProject();
  $("lf-class").replaceChildren(...R.project.classes.map((c) => h("option", { value: c }, c)));
  $("issues-review").href = `/projects/${pid}/review?tag=lf-conflict`;
  $("lf-form").addEventListener("submit", save);
  $("lf-pattern").addEventListener("input", schedulePreview);
  $("lf-class").addEventListener("change", schedulePreview);
  $("lf-kind").addEventListener("change", () => {
    setKindLabel();
    schedulePreview();
  });
  $("lf-cancel").addEventListener("click", resetForm);
  $("weak-threshold").addEventListener("input", () => {
    setText("weak-threshold-out", threshold().toFixed(2));
    debounce("thresholdTimer", () => Promise.all([refreshProposal(), refreshIssues()]).catch(showError), 200);
  });
  $("weak-apply").addEventListener("click", applyModel);
  $("weak-undo").addEventListener("click", undo);
  $("issues-tag").addEventListener("click", tagIssues);
  await refreshAll();
}

init().catch(showError);
