// A project's overview: counts, the latest analysis job's progress, what to do next, recent actions.
import { api, forgetProject, h, labelText, projectId, setText, showError, toast, watchJob, when } from "./common.js";

const pid = projectId();

function card(label, value) {
  return h("div", { className: "card" }, h("div", { className: "value" }, value), h("div", { className: "label" }, label));
}

async function renderProject() {
  forgetProject();
  const p = await api(`/api/projects/${pid}`);
  setText("project-title", p.name);
  setText("project-meta", `${p.task} · ${p.n_rows} rows · classes: ${p.classes.join(", ")}`);
  const c = p.counts;
  document.getElementById("counts").replaceChildren(
    card("labeled", c.labeled || 0),
    card("unlabeled", c.unlabeled || 0),
    card("needs review", c.needs_review || 0),
    card("excluded", c.excluded || 0),
  );
  const next = document.getElementById("next-step");
  if (p.current_analysis_id) {
    const a = await api(`/api/projects/${pid}/analyses/current`);
    setText("analysis-metrics", `Analysis ${a.id} (${a.engine}): ` + Object.entries(a.metrics).map(([k, v]) => `${k} = ${typeof v === "number" ? +v.toFixed(4) : v}`).join(", "));
    const mostlyUnlabeled = (c.unlabeled || 0) > p.n_rows / 2;
    next.href = mostlyUnlabeled ? `/projects/${pid}/wizard` : `/projects/${pid}/review?issue=label&sort=label_issue_score&order=desc`;
    next.textContent = mostlyUnlabeled ? "Most rows are unlabeled: open the auto-labeling wizard" : "Review the label issues";
    next.hidden = false;
    document.getElementById("run-analysis").textContent = "Improve results (retrain)";
  }
  return p;
}

function showJob(job) {
  document.getElementById("job-bar").style.width = `${Math.round((job.progress || 0) * 100)}%`;
  let text = `${job.kind} job ${job.id}: ${job.status}`;
  if (job.message) text += ` — ${job.message}`;
  if (job.status === "failed") text += ` — ${job.error || ""}`;
  setText("job-status", text);
  document.getElementById("job-box").dataset.status = job.status;
}

async function follow(job) {
  showJob(job);
  if (!["succeeded", "failed", "cancelled"].includes(job.status)) job = await watchJob(job.id, showJob);
  if (job.status === "succeeded") await renderProject();
}

async function renderActions() {
  const actions = await api(`/api/projects/${pid}/actions`, { params: { limit: 15 } });
  document.querySelector("#actions tbody").replaceChildren(
    ...actions.map((a) =>
      h(
        "tr",
        {},
        h("td", {}, a.id),
        h("td", {}, a.kind + (a.params && a.params.label ? ` → ${labelText(a.params.label)}` : "")),
        h("td", {}, a.n_rows),
        h("td", {}, a.user),
        h("td", {}, when(a.created_at)),
        h("td", {}, a.undone_by ? `undone by #${a.undone_by}` : ""),
      ),
    ),
  );
}

document.getElementById("run-analysis").addEventListener("click", async () => {
  try {
    const job = await api(`/api/projects/${pid}/analyses`, { method: "POST" });
    toast("Analysis started.");
    await follow(job);
  } catch (err) {
    showError(err);
  }
});

async function main() {
  await renderProject();
  renderActions().catch(showError);
  const jobs = await api("/api/jobs", { params: { project_id: pid } });
  if (jobs.length) await follow(jobs[0]);
}

main().catch(showError);
