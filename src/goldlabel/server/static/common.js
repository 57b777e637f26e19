// Shared helpers of the studio's pages: the API client, safe element building, toasts and jobs.
// User data is only ever written with textContent (through h()), never parsed as HTML.

const TOKEN_KEY = "goldlabel.token";
const USER_KEY = "goldlabel.user";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

function headers(extra = {}) {
  const out = { ...extra };
  const token = localStorage.getItem(TOKEN_KEY);
  if (token) out.Authorization = `Bearer ${token}`;
  const user = localStorage.getItem(USER_KEY);
  if (user) out["X-Goldlabel-User"] = user;
  return out;
}

let signingIn = null;

// One sign-in dialog for every call that got a 401 meanwhile.
function signIn() {
  if (!signingIn) signingIn = askToken().finally(() => (signingIn = null));
  return signingIn;
}

async function askToken() {
  const dialog = document.getElementById("signin");
  if (!dialog) throw new ApiError(401, { error: "this server requires an API token" });
  return new Promise((resolve, reject) => {
    const form = document.getElementById("signin-form");
    const onClose = async () => {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue !== "ok") return reject(new ApiError(401, { error: "not signed in" }));
      const data = new FormData(form);
      const res = await fetch("/api/auth/tokens", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: data.get("name"), password: data.get("password"), token_name: "studio" }),
      });
      const body = await res.json();
      if (!res.ok) {
        document.getElementById("signin-error").textContent = body.error || "sign-in failed";
        dialog.showModal();
        dialog.addEventListener("close", onClose);
        return;
      }
      localStorage.setItem(TOKEN_KEY, body.token);
      localStorage.setItem(USER_KEY, body.user);
      resolve();
    };
    dialog.addEventListener("close", onClose);
    dialog.showModal();
  });
}

// Call the API: JSON in, JSON out; throws ApiError with the server's message on failure.
export async function api(path, { method = "GET", json, form, params } = {}) {
  let url = path;
  if (params) {
    const q = toQuery(params);
    if (q) url += (url.includes("?") ? "&" : "?") + q;
  }
  const init = { method, headers: headers() };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (form) {
    init.body = form;
  }
  const res = await fetch(url, init);
  if (res.status === 401 && !path.startsWith("/api/auth")) {
    await signIn();
    return api(path, { method, json, form, params });
  }
  const type = res.headers.get("content-type") || "";
  const body = type.includes("json") ? await res.json() : await res.text();
  if (!res.ok) throw new ApiError(res.status, typeof body === "object" ? body : { error: body });
  return body;
}

// URL query from an object; arrays repeat the key, empty values are left out.
export function toQuery(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
    else q.append(k, String(v));
  }
  return q.toString();
}

// Build an element: h("td", {className: "x", dataset: {id: 1}}, "text", child, ...).
// Strings become text nodes, so data can never become markup.
const NEVER = new Set(["innerHTML", "outerHTML", "srcdoc"]);

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null) continue;
    if (NEVER.has(k) || (k.startsWith("on") && typeof v !== "function")) throw new Error(`h(): refusing to set ${k}`);
    if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k in el) el[k] = v;
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function setText(id, text) {
  const el = typeof id === "string" ? document.getElementById(id) : id;
  if (el) el.textContent = text === null || text === undefined ? "" : String(text);
  return el;
}

let toastTimer = null;
export function toast(message, { error = false, action = null } = {}) {
  const el = document.getElementById("toast");
  if (!el) return;
  el.replaceChildren(document.createTextNode(message));
  if (action) el.append(" ", h("button", { type: "button", onclick: action.run }, action.label));
  el.className = error ? "error" : "";
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), error ? 8000 : 4000);
}

export function fmt(x, digits = 2) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  return Number(x).toFixed(digits);
}

export function labelText(label) {
  if (label === null || label === undefined) return "–";
  return Array.isArray(label) ? label.join(", ") : String(label);
}

export function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

// The text a row shows in a table: its text columns, or its values.
export function rowSummary(row, project, max = 140) {
  const data = row.data || {};
  const cols = project.text_columns && project.text_columns.length ? project.text_columns : Object.keys(data);
  const parts = cols.map((c) => (data[c] === null || data[c] === undefined ? "" : String(data[c]))).filter(Boolean);
  const text = parts.join(" · ");
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

// Wait for a job to end, reporting progress; resolves with the final job.
export async function watchJob(jobId, onProgress = () => {}, interval = 400) {
  for (;;) {
    const job = await api(`/api/jobs/${jobId}`);
    onProgress(job);
    if (["succeeded", "failed", "cancelled"].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, interval));
  }
}

// Who the server will take the caller to be: the signed-in or named user, else "local".
export function currentUser() {
  return localStorage.getItem(USER_KEY) || "local";
}

export function projectId() {
  return Number(document.body.dataset.projectId);
}

let projectCache = null;
export async function loadProject() {
  if (!projectCache) projectCache = await api(`/api/projects/${projectId()}`);
  return projectCache;
}
export function forgetProject() {
  projectCache = null;
}

function initChrome() {
  const input = document.getElementById("user-name");
  if (input) {
    input.value = localStorage.getItem(USER_KEY) || "";
    input.placeholder = "local";
    input.addEventListener("change", () => {
      const v = input.value.trim();
      if (v) localStorage.setItem(USER_KEY, v);
      else localStorage.removeItem(USER_KEY);
    });
  }
  const tab = document.querySelector(`.tabs a[data-tab="${document.body.dataset.page}"]`);
  if (tab) tab.classList.add("active");
  if (document.body.dataset.projectId) {
    loadProject()
      .then((p) => setText("project-name", p.name))
      .catch((err) => toast(err.message, { error: true }));
  }
}

export function showError(err) {
  toast(err && err.message ? err.message : String(err), { error: true });
}

initChrome();
