// The auto-labeling wizard. Step 1: the unlabeled rows by confidence with the proposed threshold and its
// promised accuracy; inspect rows above and below, move the threshold, label everything above it.
// Step 2: the most informative rows to label by hand, then retrain.
import { ApiError, api, fmt, h, labelText, loadProject, projectId, rowSummary, setText, showError, toast, watchJob } from "./common.js";
import { plot, plotText } from "./charts.js";

const pid = projectId();
const W = { project: null, proposal: null, hist: null, threshold: null, proposed: null, moved: false };

function proposedThreshold(p) {
  const finite = Object.values(p.thresholds).filter((t) => t !== null);
  return finite.length ? Math.max(...finite) : null;
}

function allFinite(p) {
  return Object.values(p.thresholds).every((t) => t !== null);
}

async function countAbove(t) {
  const res = await api(`/api/projects/${pid}/rows`, {
    params: { status: "unlabeled", min_suggested_label_confidence: t, limit: 1, exact_total: true },
  });
  return res.total;
}

function rowLine(r) {
  return h(
    "tr",
    {},
    h("td", { className: "num" }, r.row_id),
    h("td", { className: "content" }, rowSummary(r, W.project, 90)),
    h("td", {}, labelText(r.suggested_label)),
    h("td", { className: "num" }, fmt(r.suggested_label_confidence, 3)),
  );
}

async function renderNeighbours(t) {
  const [above, below] = await Promise.all([
    api(`/api/projects/${pid}/rows`, { params: { status: "unlabeled", min_suggested_label_confidence: t, sort: "suggested_label_confidence", order: "asc", limit: 8, with_total: false } }),
    api(`/api/projects/${pid}/rows`, { params: { status: "unlabeled", max_suggested_label_confidence: t, sort: "suggested_label_confidence", order: "desc", limit: 8, with_total: false } }),
  ]);
  document.querySelector("#above tbody").replaceChildren(...above.rows.map(rowLine));
  document.querySelector("#below tbody").replaceChildren(...below.rows.filter((r) => r.suggested_label_confidence < t).map(rowLine));
}

function drawHistogram() {
  const { edges, counts } = W.hist;
  const centers = counts.map((_, i) => (edges[i] + edges[i + 1]) / 2);
  const shapes = [];
  const annotations = [];
  if (W.threshold !== null) {
    shapes.push({ type: "line", x0: W.threshold, x1: W.threshold, y0: 0, y1: 1, yref: "paper", line: { color: "#c2410c", width: 3 } });
    annotations.push({ x: W.threshold, y: 1, yref: "paper", text: `threshold ${W.threshold.toFixed(2)}`, showarrow: false, xanchor: "right", font: { color: "#c2410c" } });
  }
  if (W.proposal && W.proposal.per_class) {
    for (const [cls, t] of Object.entries(W.proposal.thresholds)) {
      if (t === null) continue;
      shapes.push({ type: "line", x0: t, x1: t, y0: 0, y1: 0.85, yref: "paper", line: { color: "#64748b", width: 1, dash: "dot" } });
      annotations.push({ x: t, y: 0.85, yref: "paper", text: plotText(cls), showarrow: false, textangle: -90, xanchor: "left", font: { size: 10, color: "#64748b" } });
    }
  }
  plot(
    "histogram",
    [{ type: "bar", x: centers, y: counts, marker: { color: centers.map((c) => (W.threshold !== null && c >= W.threshold ? "#16a34a" : "#94a3b8")) }, hovertemplate: "confidence %{x:.3f}: %{y} rows<extra></extra>" }],
    { xaxis: { title: { text: "suggested-label confidence of unlabeled rows" }, range: [0, 1] }, yaxis: { title: { text: "rows" } }, shapes, annotations, bargap: 0.05 },
  );
}

// Each render and each proposal request gets a number; an answer that comes back after a newer one
// was asked for is dropped, so a slow count can never overwrite what the slider shows now.
let renderSeq = 0;
let proposalSeq = 0;

async function renderPromise() {
  const seq = ++renderSeq;
  const p = W.proposal;
  const t = W.threshold;
  const moved = W.moved;
  const n = !moved ? p.n_to_label : t === null ? 0 : await countAbove(t);
  if (seq !== renderSeq) return;
  setText("n-above", n);
  document.getElementById("apply-autolabel").disabled = n === 0;
  setText("threshold-out", t === null ? "–" : t.toFixed(2));
  let promise = "";
  let warning = "";
  if (p.promised_accuracy === null) {
    promise = `The model cannot yet vouch for ${fmt(p.target_accuracy)} accuracy: ${(p.reason || "too few labeled rows to check it on").replace(/\.+$/, "")}.`;
  } else if (!moved) {
    promise = `Proposed for ${fmt(p.target_accuracy)} target accuracy: label ${p.n_to_label} of ${p.n_unlabeled} unlabeled rows with a promised accuracy of ${fmt(p.promised_accuracy * 100, 0)} % (${fmt(p.confidence * 100, 0)} % confidence; checked on ${p.n_calibration_rows} labeled rows).`;
  } else if (t >= W.proposed && allFinite(p)) {
    promise = `Stricter than the proposal: every row above ${t.toFixed(2)} is in it (promised accuracy ${fmt(p.promised_accuracy * 100, 0)} %).`;
  } else {
    warning = `Below the proposed threshold${W.proposed === null ? "" : ` (${W.proposed.toFixed(2)})`}: no accuracy is promised for these ${n} rows.`;
  }
  setText("promise", promise);
  setText("wizard-warning", warning);
}

async function loadProposal() {
  const target = Number(document.getElementById("target").value);
  setText("target-out", target.toFixed(2));
  const seq = ++proposalSeq;
  const proposal = await api(`/api/projects/${pid}/autolabel`, { params: { target_accuracy: target } });
  if (seq !== proposalSeq) return;
  W.proposal = proposal;
  W.proposed = proposedThreshold(W.proposal);
  if (!W.moved) W.threshold = W.proposed;
  document.getElementById("threshold").value = W.threshold === null ? 1 : W.threshold;
  drawHistogram();
  await Promise.all([renderPromise(), W.threshold === null ? null : renderNeighbours(W.threshold)]);
}

async function apply() {
  const button = document.getElementById("apply-autolabel");
  button.disabled = true;
  try {
    let n;
    if (!W.moved) {
      const res = await api(`/api/projects/${pid}/autolabel`, { method: "POST", json: { analysis_id: W.proposal.analysis_id, target_accuracy: W.proposal.target_accuracy, confidence: W.proposal.confidence } });
      n = res.action.n_rows;
    } else {
      const res = await api(`/api/projects/${pid}/actions`, { method: "POST", json: { kind: "autolabel", filter: { status: ["unlabeled"], scores: { suggested_label_confidence: [W.threshold, null] } }, note: `wizard threshold ${W.threshold}` } });
      n = res.n_rows;
    }
    setText("applied", `Labeled ${n} rows automatically (source: auto). You can undo it from the project page.`);
    toast(`Auto-labeled ${n} rows.`);
    await refresh();
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
  }
}

async function renderInformative() {
  const res = await api(`/api/projects/${pid}/rows`, { params: { status: "unlabeled", sort: "suggested_label_confidence", order: "asc", limit: 10 } });
  document.querySelector("#informative tbody").replaceChildren(...res.rows.map(rowLine));
  document.getElementById("label-informative").href = `/projects/${pid}/review?status=unlabeled&sort=suggested_label_confidence`;
}

async function refresh() {
  W.project = await loadProject();
  const unlabeled = (await api(`/api/projects/${pid}`)).counts.unlabeled || 0;
  setText("wizard-intro", `${unlabeled} of ${W.project.n_rows} rows are unlabeled. The model's suggestion for each is shown by confidence; the line is the threshold above which it promises the target accuracy.`);
  W.hist = await api(`/ui-api/projects/${pid}/confidence-histogram`, { params: { bins: 40 } });
  await Promise.all([loadProposal(), renderInformative()]);
}

function wire() {
  let timer = null;
  document.getElementById("target").addEventListener("input", () => {
    W.moved = false;
    clearTimeout(timer);
    timer = setTimeout(() => loadProposal().catch(showError), 200);
  });
  document.getElementById("threshold").addEventListener("input", (e) => {
    W.threshold = Number(e.target.value);
    W.moved = W.proposed === null || Math.abs(W.threshold - W.proposed) > 1e-9;
    drawHistogram();
    clearTimeout(timer);
    timer = setTimeout(() => Promise.all([renderPromise(), renderNeighbours(W.threshold)]).catch(showError), 150);
  });
  document.getElementById("reset-threshold").addEventListener("click", () => {
    W.moved = false;
    W.threshold = W.proposed;
    loadProposal().catch(showError);
  });
  document.getElementById("apply-autolabel").addEventListener("click", apply);
  document.getElementById("retrain").addEventListener("click", async () => {
    try {
      const job = await api(`/api/projects/${pid}/analyses`, { method: "POST" });
      const done = await watchJob(job.id, (j) => setText("retrain-status", `retraining: ${Math.round((j.progress || 0) * 100)}% ${j.message || ""}`));
      setText("retrain-status", done.status === "succeeded" ? "retrained" : `retrain ${done.status}: ${done.error || ""}`);
      W.moved = false;
      await refresh();
    } catch (err) {
      showError(err);
    }
  });
}

wire();
refresh().catch((err) => {
  if (err instanceof ApiError && err.status === 404) {
    setText("wizard-intro", "This project has no analysis yet: run one from the project page first.");
  } else showError(err);
});
