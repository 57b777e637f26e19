// Confirm an uploaded dataset's inferred schema (column roles, task, classes) and create its project.
import { api, h, setText, showError } from "./common.js";

const ROLES = ["id", "text", "label", "feature", "image", "ignore"];
const datasetId = Number(document.body.dataset.datasetId);
let preview = null;

function roleSelect(column, role) {
  return h(
    "select",
    { name: `role:${column}`, dataset: { column } },
    ...ROLES.map((r) => h("option", { value: r, selected: r === role }, r)),
  );
}

function classesFrom(values, task) {
  const found = new Set();
  for (const { value } of values) {
    if (value === null || value === undefined || String(value).trim() === "") continue;
    if (task === "multilabel") String(value).split(/[;|,]/).map((s) => s.trim()).filter(Boolean).forEach((s) => found.add(s));
    else found.add(String(value).trim());
  }
  return [...found].sort();
}

function task() {
  return document.querySelector('input[name="task"]:checked').value;
}

function renderClasses() {
  const values = preview.label_values.filter((v) => v.value !== null && v.value !== "");
  document.getElementById("classes").value = classesFrom(values, task()).join("\n");
  const unlabeled = preview.label_values.filter((v) => v.value === null || v.value === "").reduce((a, v) => a + v.count, 0);
  setText(
    "label-values",
    values.length
      ? `Found: ${values.map((v) => `${v.value} (${v.count})`).join(", ")}; ${unlabeled} rows have no label.`
      : "The label column is empty: list the classes yourself.",
  );
}

async function load() {
  preview = await api(`/ui-api/datasets/${datasetId}/preview`);
  setText("dataset-name", preview.name);
  setText("dataset-rows", preview.n_rows);
  document.getElementById("project-name-input").value = preview.name.replace(/\.[^.]+$/, "");
  const names = preview.columns.map((c) => (typeof c === "string" ? c : c.name));
  document.querySelector("#columns tbody").replaceChildren(
    ...names.map((c) =>
      h(
        "tr",
        {},
        h("td", {}, c),
        h("td", {}, roleSelect(c, preview.column_roles[c] || "ignore")),
        h("td", { className: "sample" }, preview.sample.slice(0, 3).map((r) => (r[c] === null || r[c] === undefined ? "∅" : String(r[c]))).join(" | ")),
      ),
    ),
  );
  renderClasses();
}

async function onLabelColumnChange() {
  const label = [...document.querySelectorAll("#columns select")].find((s) => s.value === "label");
  preview = await api(`/ui-api/datasets/${datasetId}/preview`, { params: { label_column: label ? label.dataset.column : undefined } });
  renderClasses();
}

document.getElementById("columns").addEventListener("change", () => onLabelColumnChange().catch(showError));
document.querySelectorAll('input[name="task"]').forEach((r) => r.addEventListener("change", renderClasses));

document.getElementById("setup-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  setText("setup-error", "");
  const roles = {};
  document.querySelectorAll("#columns select").forEach((s) => (roles[s.dataset.column] = s.value));
  const of = (role) => Object.keys(roles).filter((c) => roles[c] === role);
  const classes = document.getElementById("classes").value.split("\n").map((s) => s.trim()).filter(Boolean);
  const button = document.getElementById("create-project");
  button.disabled = true;
  try {
    const project = await api("/api/projects", {
      method: "POST",
      json: {
        dataset_id: datasetId,
        name: document.getElementById("project-name-input").value.trim(),
        task: task(),
        label_column: of("label")[0] || null,
        text_columns: of("text"),
        feature_columns: of("feature"),
        image_column: of("image")[0] || null,
        classes: classes.length ? classes : null,
        instructions: document.getElementById("instructions").value,
      },
    });
    if (document.getElementById("run-analysis").checked) {
      await api(`/api/projects/${project.id}/analyses`, { method: "POST" });
    }
    location.assign(`/projects/${project.id}`);
  } catch (err) {
    setText("setup-error", err.message);
    button.disabled = false;
  }
});

load().catch(showError);
