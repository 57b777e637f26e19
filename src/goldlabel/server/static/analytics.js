// Analytics: issues by type and class, label health, overlapping classes, progress over time.
// Clicking a bar opens the review table filtered to those rows.
import { api, fmt, h, projectId, showError, toQuery } from "./common.js";
import { plot, plotText } from "./charts.js";

const pid = projectId();
const TYPES = { label: "label issues", outlier: "outliers", near_duplicate: "near duplicates" };
const COLORS = { label: "#dc2626", outlier: "#d97706", near_duplicate: "#7c3aed", given: "#64748b", human: "#2563eb", auto: "#16a34a", weak: "#a855f7" };

function openReview(params) {
  location.assign(`/projects/${pid}/review?${toQuery(params)}`);
}

function card(label, value) {
  return h("div", { className: "card" }, h("div", { className: "value" }, value), h("div", { className: "label" }, label));
}

function cumulative(progress, key) {
  const whens = [...new Set(progress.map((p) => p.when))].sort();
  const groups = [...new Set(progress.map((p) => p[key]))].sort();
  return groups.map((g) => {
    let total = 0;
    const y = whens.map((w) => {
      total += progress.filter((p) => p.when === w && p[key] === g).reduce((a, p) => a + p.n_rows, 0);
      return total;
    });
    return { group: g, x: whens, y };
  });
}

async function main() {
  const a = await api(`/ui-api/projects/${pid}/analytics`);
  document.getElementById("health-cards").replaceChildren(
    card("label health", a.label_health_score === null ? "–" : `${fmt(a.label_health_score * 100, 1)} %`),
    card("labeled rows", a.n_labeled),
    card("unlabeled rows", a.counts.unlabeled || 0),
    ...Object.entries(TYPES).map(([k, name]) => card(name, a.issues_by_type[k])),
    card("label ≠ suggestion", a.disagreements),
  );
  const types = Object.keys(TYPES);
  plot(
    "chart-types",
    [{ type: "bar", x: types.map((t) => TYPES[t]), y: types.map((t) => a.issues_by_type[t]), customdata: types.map((t) => ({ issue: t })), marker: { color: types.map((t) => COLORS[t]) } }],
    {},
    openReview,
  );
  const classes = Object.keys(a.issues_by_class).sort();
  plot(
    "chart-classes",
    types.map((t) => ({
      type: "bar",
      name: TYPES[t],
      x: classes.map(plotText),
      y: classes.map((c) => a.issues_by_class[c][t] || 0),
      customdata: classes.map((c) => (c === "(unlabeled)" ? { issue: t, unlabeled: true } : { issue: t, label: c })),
      marker: { color: COLORS[t] },
    })),
    { barmode: "group", legend: { orientation: "h" }, xaxis: { type: "category" } },
    openReview,
  );
  const pairs = a.overlapping_classes.slice().reverse();
  plot(
    "chart-overlap",
    [{
      type: "bar",
      orientation: "h",
      y: pairs.map((p) => `${plotText(p.a)} ↔ ${plotText(p.b)}`),
      x: pairs.map((p) => p.n_rows),
      customdata: pairs.map((p) => ({ label: [p.a, p.b], suggested_label: [p.a, p.b], disagrees: true })),
      hovertemplate: "%{x} rows<extra></extra>",
      marker: { color: "#0ea5e9" },
    }],
    { margin: { l: 160, r: 20, t: 10, b: 40 } },
    openReview,
  );
  plot(
    "chart-source",
    cumulative(a.progress, "source").map((s) => ({
      type: "bar",
      name: s.group,
      x: s.x,
      y: s.y,
      customdata: s.x.map(() => ({ source: s.group })),
      marker: { color: COLORS[s.group] },
    })),
    { barmode: "stack", legend: { orientation: "h" }, xaxis: { type: "category" }, yaxis: { title: { text: "labeled rows (cumulative)" } } },
    openReview,
  );
  const people = cumulative(a.progress, "user");
  plot(
    "chart-person",
    [{
      type: "bar",
      x: people.map((p) => plotText(p.group)),
      y: people.map((p) => p.y[p.y.length - 1] || 0),
      customdata: people.map((p) => ({ updated_by: p.group, status: ["labeled", "needs_review"] })),
      marker: { color: "#2563eb" },
    }],
    { xaxis: { type: "category" }, yaxis: { title: { text: "labeled rows (current)" } } },
    openReview,
  );
}

main().catch(showError);
