// Home: the project list, the dataset list and the upload box.
import { api, h, setText, showError, when } from "./common.js";

async function loadProjects() {
  const projects = await api("/api/projects");
  const body = document.querySelector("#projects tbody");
  body.replaceChildren(
    ...projects.map((p) =>
      h(
        "tr",
        {},
        h("td", {}, h("a", { href: `/projects/${p.id}` }, p.name)),
        h("td", {}, p.task),
        h("td", {}, p.n_rows),
        h("td", {}, p.counts.labeled || 0),
        h("td", {}, p.counts.unlabeled || 0),
        h("td", {}, when(p.created_at)),
      ),
    ),
  );
  document.getElementById("no-projects").hidden = projects.length > 0;
}

async function loadDatasets() {
  const datasets = await api("/api/datasets");
  document.querySelector("#datasets tbody").replaceChildren(
    ...datasets.map((d) =>
      h(
        "tr",
        {},
        h("td", {}, d.name),
        h("td", {}, d.file_format),
        h("td", {}, d.n_rows),
        h("td", {}, d.columns.map((c) => (typeof c === "string" ? c : c.name)).join(", ")),
        h("td", {}, h("a", { href: `/datasets/${d.id}/setup` }, "New project")),
      ),
    ),
  );
}

async function upload(file) {
  setText("upload-status", `Uploading ${file.name} (${Math.round(file.size / 1024)} KiB)…`);
  const form = new FormData();
  form.append("file", file, file.name);
  try {
    const dataset = await api("/api/datasets", { method: "POST", form });
    setText("upload-status", `Imported ${dataset.n_rows} rows.`);
    location.assign(`/datasets/${dataset.id}/setup`);
  } catch (err) {
    setText("upload-status", err.message);
    showError(err);
  }
}

const input = document.getElementById("upload-file");
input.addEventListener("change", () => input.files.length && upload(input.files[0]));
const zone = document.getElementById("dropzone");
zone.addEventListener("dragover", (e) => {
  e.preventDefault();
  zone.classList.add("over");
});
zone.addEventListener("dragleave", () => zone.classList.remove("over"));
zone.addEventListener("drop", (e) => {
  e.preventDefault();
  zone.classList.remove("over");
  if (e.dataTransfer.files.length) upload(e.dataTransfer.files[0]);
});

Promise.all([loadProjects(), loadDatasets()]).catch(showError);
