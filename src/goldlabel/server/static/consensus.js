// Annotators and consensus: CROWDLAB's consensus of everyone's annotations, each annotator's quality,
// the rows sorted most doubtful first, and accepting the consensus as labels (logged, undoable).
import { api, fmt, h, labelText, loadProject, projectId, rowSummary, setText, showError, toast } from "./common.js";
import { plot, plotText } from "./charts.js";

const pid = projectId();
const MAX_SHOWN = 500;
const C = { project: null, consensus: null, rows: new Map() };

function same(a, b) {
  return JSON.stringify(Array.isArray(a) ? [...a].sort() : a) === JSON.stringify(Array.isArray(b) ? [...b].sort() : b);
}

function card(label, value) {
  return h("div", { className: "card" }, h("div", { className: "value" }, value), h("div", { className: "label" }, label));
}

function qualifying() {
  const min = Number(document.getElementById("min-quality").value);
  // an empty consensus set (multi-label) is never given as a label: the backend skips it
  return C.consensus.rows.filter((r) => (r.consensus_quality_score ?? 0) >= min && !(Array.isArray(r.consensus_label) && r.consensus_label.length === 0));
}

// "gave World where the consensus says Sports (4 rows)", or for sets "adds travel (3), leaves out food (2)".
function disagreementText(list) {
  if (!list.length) return "–";
  return list
    .slice(0, 3)
    .map((d) => ("gave" in d ? `${d.gave} → ${d.consensus} ×${d.rows}` : [d.extra ? `adds ${d.class} ×${d.extra}` : "", d.missing ? `leaves out ${d.class} ×${d.missing}` : ""].filter(Boolean).join(", ")))
    .join("; ");
}

function renderAnnotators() {
  const people = C.consensus.annotators;
  document.querySelector("#annotators tbody").replaceChildren(
    ...people.map((p) =>
      h(
        "tr",
        { dataset: { annotator: p.annotator } },
        h("td", {}, p.annotator),
        h("td", { className: "num" }, p.num_examples_labeled),
        h("td", { className: "num" }, fmt(p.annotator_quality, 3)),
        h("td", { className: "num" }, p.agreement_with_consensus === null ? "–" : `${fmt(p.agreement_with_consensus * 100, 0)} %`),
        h("td", {}, labelText(p.worst_class)),
        h("td", { className: "num" }, fmt(p.weight, 3)),
        h("td", { className: "disagreements" }, disagreementText(p.disagreements || [])),
      ),
    ),
  );
  const rated = people.filter((p) => p.annotator_quality !== null);
  if (!rated.length) {
    setText("chart-annotators", "No annotator shares a row with another yet: quality needs rows labeled by two people or more.");
    return;
  }
  plot(
    "chart-annotators",
    [
      {
        type: "bar",
        orientation: "h",
        y: rated.map((p) => plotText(p.annotator)),
        x: rated.map((p) => p.annotator_quality),
        text: rated.map((p) => fmt(p.annotator_quality, 2)),
        textposition: "auto",
        marker: { color: rated.map((p) => (p.annotator_quality < 0.7 ? "#dc2626" : p.annotator_quality < 0.85 ? "#d97706" : "#16a34a")) },
        hovertemplate: "%{y}: quality %{x:.3f}<extra></extra>",
      },
    ],
    { xaxis: { range: [0, 1], title: { text: "annotator quality" } }, yaxis: { autorange: "reversed" }, margin: { l: 120 } },
  );
}

function shownRows() {
  const show = document.getElementById("show").value;
  const rows = [...C.consensus.rows].sort((a, b) => (a.consensus_quality_score ?? 0) - (b.consensus_quality_score ?? 0));
  return rows.filter((r) => {
    if (show === "disagree") return (r.annotator_agreement ?? 1) < 1;
    if (show === "differs") {
      const row = C.rows.get(r.row_id);
      return !row || !same(row.label, r.consensus_label);
    }
    return true;
  });
}

function renderRows() {
  const rows = shownRows();
  document.querySelector("#consensus-rows tbody").replaceChildren(
    ...rows.slice(0, MAX_SHOWN).map((r) => {
      const row = C.rows.get(r.row_id);
      const votes = Object.entries(r.labels).map(([who, label]) =>
        h("div", { className: same(label, r.consensus_label) ? "" : "error" }, `${who}: ${labelText(label)}`),
      );
      return h(
        "tr",
        { dataset: { rowId: String(r.row_id) } },
        h("td", { className: "num" }, h("a", { href: `/projects/${pid}/review?row_id=${r.row_id}`, title: "open this row in the review table" }, String(r.row_id))),
        h("td", { className: "content" }, row ? rowSummary(row, C.project, 90) : ""),
        h("td", {}, ...votes),
        h("td", { className: "consensus" }, labelText(r.consensus_label)),
        h("td", { className: "num" }, fmt(r.consensus_quality_score, 3)),
        h("td", { className: "num" }, r.annotator_agreement === null ? "–" : `${fmt(r.annotator_agreement * 100, 0)} %`),
        h("td", { className: "current" }, row ? labelText(row.label) : "–"),
      );
    }),
  );
  setText("rows-note", rows.length > MAX_SHOWN ? `Showing the ${MAX_SHOWN} most doubtful of ${rows.length} rows.` : `${rows.length} rows.`);
  const n = qualifying().length;
  const min = Number(document.getElementById("min-quality").value);
  setText("min-quality-out", min.toFixed(2));
  setText("accept-note", `labels ${n} rows with their consensus (one logged action per label, undoable from the project page)`);
  document.getElementById("accept").disabled = n === 0;
}

async function loadRows(ids) {
  C.rows = new Map();
  for (let i = 0; i < ids.length; i += 200) {
    const page = await api(`/api/projects/${pid}/rows`, { params: { row_id: ids.slice(i, i + 200), limit: 200, with_total: false } });
    for (const row of page.rows) C.rows.set(row.row_id, row);
  }
}

async function refresh() {
  C.project = await loadProject();
  const useModel = document.getElementById("use-model").checked;
  C.consensus = await api(`/api/projects/${pid}/consensus`, { params: { use_model: useModel } });
  const c = C.consensus;
  await loadRows(c.rows.map((r) => r.row_id));
  const people = c.annotators.length;
  setText("model-note", useModel && c.method && !c.analysis_id ? "(no analysis yet: run one on the project page)" : "(current analysis)");
  if (!c.method) {
    setText("consensus-intro", "No annotations yet. Annotators record their own labels in the review table's annotation mode, or import them here (a table of row_id, annotator, label, or a Label Studio export of this project's tasks); rows keep their labels until the consensus is accepted here.");
  } else {
    const how = c.method === "crowdlab"
      ? `CROWDLAB, weighing each annotator by agreement with the others${c.analysis_id ? ` and the model of analysis #${c.analysis_id} (weight ${fmt(c.model_weight, 2)})` : ""}`
      : "the majority vote (no row has two annotations yet, so there is nothing to weigh annotators by)";
    setText("consensus-intro", `${c.rows.length} rows carry annotations from ${people} annotators. Consensus by ${how}.${C.project.task === "multilabel" ? " Each class is decided on its own; the consensus is the set of classes decided yes." : ""}`);
  }
  const disagree = c.rows.filter((r) => (r.annotator_agreement ?? 1) < 1).length;
  const quality = c.rows.length ? c.rows.reduce((a, r) => a + (r.consensus_quality_score ?? 0), 0) / c.rows.length : null;
  const alpha = c.agreement ? c.agreement.krippendorff_alpha : null;
  document.getElementById("consensus-cards").replaceChildren(
    card("annotated rows", c.rows.length),
    card("annotators", people),
    card("rows with disagreement", disagree),
    card("mean consensus quality", fmt(quality, 3)),
    card("agreement (Krippendorff's α)", fmt(alpha, 3)),
  );
  const perClass = c.agreement ? Object.entries(c.agreement.per_class).filter(([, a]) => a !== null).sort((a, b) => a[1] - b[1]) : [];
  setText(
    "agreement-note",
    perClass.length
      ? `Agreement per class (α of "is it this class?"), least agreed first: ${perClass.map(([cls, a]) => `${cls} ${fmt(a, 2)}`).join(" · ")}. 1 is perfect agreement, 0 is chance; below about 0.67 the guidelines for that class deserve a look.`
      : "",
  );
  renderAnnotators();
  renderRows();
}

async function accept() {
  const button = document.getElementById("accept");
  button.disabled = true;
  try {
    const min = Number(document.getElementById("min-quality").value);
    const useModel = document.getElementById("use-model").checked;
    const res = await api(`/api/projects/${pid}/consensus/accept`, { method: "POST", params: { min_quality: min, use_model: useModel } });
    toast(`Labeled ${res.n_rows} rows with their consensus.`);
    await refresh();
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
  }
}

async function importFile(file) {
  setText("import-note", `importing ${file.name}…`);
  try {
    const form = new FormData();
    form.append("file", file);
    const res = await api(`/api/projects/${pid}/annotations/import`, { method: "POST", form });
    setText("import-note", `imported ${res.n_annotations} annotations of ${res.n_rows} rows by ${res.annotators.length} annotator${res.annotators.length === 1 ? "" : "s"}${res.n_replaced ? ` (${res.n_replaced} replaced earlier ones)` : ""}`);
    await refresh();
  } catch (err) {
    setText("import-note", "");
    showError(err);
  }
}

const importInput = document.getElementById("import-file");
importInput.addEventListener("change", () => importInput.files.length && importFile(importInput.files[0]).finally(() => (importInput.value = "")));
document.getElementById("use-model").addEventListener("change", () => refresh().catch(showError));
document.getElementById("show").addEventListener("change", renderRows);
document.getElementById("min-quality").addEventListener("input", renderRows);
document.getElementById("accept").addEventListener("click", accept);
refresh().catch(showError);
