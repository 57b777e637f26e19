// The export dialog: every format the backend writes, with or without the excluded rows.
import { api, loadProject, projectId, setText, showError, toQuery } from "./common.js";

const pid = projectId();

function update() {
  const format = document.querySelector('input[name="format"]:checked').value;
  const include = document.getElementById("include-excluded").checked;
  const link = document.getElementById("download");
  link.href = `/api/projects/${pid}/export?${toQuery({ format, include_excluded: include })}`;
  document.getElementById("ls-config").href = `/api/projects/${pid}/label-studio-config`;
}

async function summary() {
  const p = await loadProject();
  const fresh = await api(`/api/projects/${pid}`);
  const c = fresh.counts;
  setText(
    "export-summary",
    `${p.name}: ${c.labeled || 0} labeled, ${c.unlabeled || 0} unlabeled, ${c.needs_review || 0} needing review, ${c.excluded || 0} excluded rows. ` +
      "The cleanset holds the original columns plus label, label_source, label_status, given_label and the analysis's columns.",
  );
}

document.getElementById("export-form").addEventListener("change", update);
update();
summary().catch(showError);
