// The model page: train the final model, see its metrics, deploy it, drop a file to get predictions.
import { api, fmt, h, labelText, projectId, setText, showError, toast, watchJob, when } from "./common.js";
import { parseRecords } from "./csv.js";

const pid = projectId();
const MAX_PREDICT_ROWS = 1000;

function metricsText(m) {
  return Object.entries(m || {}).map(([k, v]) => `${k}: ${typeof v === "number" ? +v.toFixed(4) : v}`).join(", ");
}

async function renderModels() {
  const models = await api(`/api/projects/${pid}/models`);
  document.querySelector("#models tbody").replaceChildren(
    ...models.map((m) =>
      h(
        "tr",
        { dataset: { modelId: String(m.id) } },
        h("td", {}, `#${m.id}`),
        h("td", {}, metricsText(m.metrics)),
        h("td", {}, when(m.created_at)),
        h("td", {}, m.deployed ? h("span", { className: "badge labeled" }, "deployed") : ""),
        h("td", {}, m.deployed ? "" : h("button", { type: "button", className: "deploy", onclick: () => deploy(m.id) }, "Deploy")),
      ),
    ),
  );
  return models;
}

async function deploy(id) {
  try {
    await api(`/api/models/${id}/deploy`, { method: "POST" });
    toast(`Model #${id} deployed.`);
    await renderModels();
  } catch (err) {
    showError(err);
  }
}

async function train() {
  const button = document.getElementById("train");
  button.disabled = true;
  try {
    const job = await api(`/api/projects/${pid}/models`, { method: "POST" });
    const done = await watchJob(job.id, (j) => setText("train-status", `training: ${Math.round((j.progress || 0) * 100)}% ${j.message || ""}`));
    setText("train-status", done.status === "succeeded" ? `trained model #${done.result.model_id}` : `training ${done.status}: ${done.error || ""}`);
    await renderModels();
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
  }
}

async function predict(file) {
  setText("predict-error", "");
  try {
    const records = parseRecords(file.name, await file.text()).slice(0, MAX_PREDICT_ROWS);
    if (!records.length) throw new Error(`${file.name} holds no rows`);
    const res = await api(`/api/projects/${pid}/predict`, { method: "POST", json: { rows: records } });
    document.querySelector("#predictions tbody").replaceChildren(
      ...res.predictions.map((p, i) =>
        h(
          "tr",
          {},
          h("td", { className: "num" }, i + 1),
          h("td", { className: "content" }, Object.values(records[i]).filter((v) => v !== null).join(" · ").slice(0, 120)),
          h("td", {}, labelText(p.label)),
          h("td", { className: "num" }, fmt(p.confidence, 3)),
        ),
      ),
    );
  } catch (err) {
    setText("predict-error", err.message);
  }
}

document.getElementById("train").addEventListener("click", train);
const input = document.getElementById("predict-file");
input.addEventListener("change", () => input.files.length && predict(input.files[0]));
const zone = document.getElementById("predict-drop");
zone.addEventListener("dragover", (e) => e.preventDefault());
zone.addEventListener("drop", (e) => {
  e.preventDefault();
  if (e.dataTransfer.files.length) predict(e.dataTransfer.files[0]);
});
renderModels().catch(showError);
