// The resolver panel: one row's content, its label state, the top suggestions with probabilities.
import { fmt, h, labelText, setText } from "./common.js";

const SAFE_IMAGE = /^(data:image\/(png|jpe?g|gif|webp|bmp);base64,|https?:\/\/|\/)/i;

function cell(v) {
  if (v === null || v === undefined) return "∅";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

// Render `row` into the panel; `top` is [[class, probability], ...] most likely first (or null).
export function renderResolver(row, project, top) {
  const body = document.getElementById("resolver-body");
  document.getElementById("resolver-empty").hidden = !!row;
  body.hidden = !row;
  if (!row) {
    delete body.dataset.rowId;
    return;
  }
  const data = row.data || {};
  const textCols = project.text_columns || [];
  setText("r-row-id", row.row_id);
  setText("r-status", row.status.replace("_", " "));
  document.getElementById("r-status").className = `badge ${row.status}`;
  document.getElementById("r-text").replaceChildren(
    ...textCols.map((c) => h("div", { className: "r-field" }, h("div", { className: "r-col" }, c), h("p", {}, cell(data[c])))),
  );
  const img = document.getElementById("r-image");
  const src = project.image_column ? data[project.image_column] : null;
  if (typeof src === "string" && SAFE_IMAGE.test(src)) {
    img.src = src;
    img.alt = `image of row ${row.row_id}`;
    img.hidden = false;
  } else {
    img.removeAttribute("src");
    img.hidden = true;
  }
  const shown = Object.keys(data).filter((c) => !textCols.includes(c));
  document.querySelector("#r-values tbody").replaceChildren(
    ...shown.map((c) => h("tr", {}, h("th", {}, c), h("td", {}, cell(data[c])))),
  );
  setText("r-label", labelText(row.label));
  setText("r-given", labelText(row.given_label));
  setText("r-source", row.source || "–");
  setText("r-suggested", labelText(row.suggested_label));
  setText("r-confidence", row.suggested_label_confidence == null ? "" : `confidence ${fmt(row.suggested_label_confidence)}`);
  const issues = [];
  if (row.is_label_issue) issues.push(`label issue (score ${fmt(row.label_issue_score)})`);
  if (row.is_outlier_issue) issues.push(`outlier (${fmt(row.outlier_score)})`);
  if (row.is_near_duplicate_issue) issues.push(`near duplicate (${fmt(row.near_duplicate_score)})`);
  document.getElementById("r-issues").replaceChildren(...issues.map((t) => h("span", { className: "chip issue" }, t)));
  const list = top || project.classes.slice(0, 9).map((c) => [c, null]);
  document.getElementById("r-top").replaceChildren(
    ...list.slice(0, 9).map(([c, p], i) =>
      h(
        "li",
        { dataset: { key: String(i + 1), label: c } },
        h("kbd", {}, String(i + 1)),
        h("span", { className: "cls" }, c),
        h("span", { className: "prob" }, p === null ? "" : fmt(p, 3)),
        h("span", { className: "pbar", style: `width:${p === null ? 0 : Math.round(p * 100)}%` }),
      ),
    ),
  );
  body.dataset.rowId = String(row.row_id);
  body.dataset.version = String(row.version);
}

// The class the digit key `n` (1-9) stands for on this row.
export function classForKey(n, project, top) {
  const list = top ? top.map(([c]) => c) : project.classes;
  return list[n - 1];
}

// A multi-label row's label set with `cls` added, or taken out if it holds it, in the project's class order.
export function toggleClass(label, cls, classes) {
  const have = new Set(Array.isArray(label) ? label : []);
  if (have.has(cls)) have.delete(cls);
  else have.add(cls);
  return classes.filter((c) => have.has(c));
}

// The row's state after an action, as the server will have it (refreshed from the server afterwards).
export function predictState(row, kind, label) {
  const r = { ...row, version: row.version + 1 };
  if (kind === "label") Object.assign(r, { label, status: "labeled", source: "human" });
  else if (kind === "keep") Object.assign(r, { label: row.given_label, status: "labeled", source: "given" });
  else if (kind === "autofix") Object.assign(r, { label: row.suggested_label, status: "labeled", source: "auto" });
  else if (kind === "exclude") r.status = "excluded";
  else if (kind === "include") r.status = row.label == null ? "unlabeled" : "labeled";
  else if (kind === "needs_review") r.status = "needs_review";
  else if (kind === "clear") Object.assign(r, { label: null, status: "unlabeled", source: null });
  return r;
}
