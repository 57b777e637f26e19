// The review table's filter: read from / written to the URL, turned into API query params or a FilterModel.

export const SCORE_FIELDS = ["label_issue_score", "suggested_label_confidence", "outlier_score", "near_duplicate_score"];
const LIST_FIELDS = ["status", "issue", "label", "suggested_label", "source", "updated_by"];
const TEXT_FIELDS = ["tag", "search", "annotated_by", "not_annotated_by"];
const BOOL_FIELDS = ["unlabeled", "disagrees"];

// {status: [...], issue: [...], ..., tag, search, unlabeled, disagrees, min_x, max_x} from a URLSearchParams.
export function filterFromParams(params) {
  const f = {};
  for (const k of LIST_FIELDS) {
    const v = params.getAll(k).filter(Boolean);
    if (v.length) f[k] = v;
  }
  const ids = params.getAll("row_id").flatMap((v) => v.split(/[\s,]+/)).filter((v) => /^\d+$/.test(v));
  if (ids.length) f.row_id = ids;
  for (const k of TEXT_FIELDS) if (params.get(k)) f[k] = params.get(k);
  for (const k of BOOL_FIELDS) if (params.get(k) === "true" || params.get(k) === "false") f[k] = params.get(k) === "true";
  for (const s of SCORE_FIELDS) {
    for (const end of ["min", "max"]) {
      const v = params.get(`${end}_${s}`);
      if (v !== null && v !== "" && !Number.isNaN(Number(v))) f[`${end}_${s}`] = Number(v);
    }
  }
  return f;
}

// The filter as query params of GET /rows (the same shape, arrays repeat).
export function filterToQuery(f) {
  return { ...f };
}

// The filter as the API's FilterModel (for actions on every matching row).
export function filterToModel(f) {
  const m = {};
  for (const k of LIST_FIELDS) if (f[k]) m[k] = f[k];
  if (f.row_id) m.row_ids = f.row_id.map(Number);
  for (const k of TEXT_FIELDS) if (f[k]) m[k] = f[k];
  for (const k of BOOL_FIELDS) if (f[k] !== undefined) m[k] = f[k];
  const scores = {};
  for (const s of SCORE_FIELDS) {
    const lo = f[`min_${s}`];
    const hi = f[`max_${s}`];
    if (lo !== undefined || hi !== undefined) scores[s] = [lo ?? null, hi ?? null];
  }
  if (Object.keys(scores).length) m.scores = scores;
  return m;
}

// Fill the filter form from a filter.
export function writeForm(form, f) {
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") el.checked = f[el.name] === true;
    else if (el.name === "row_id") el.value = (f.row_id || []).join(", ");
    else if (LIST_FIELDS.includes(el.name)) el.value = (f[el.name] || [""])[0];
    else el.value = f[el.name] ?? "";
  }
}

// Read a filter from the form.
export function readForm(form) {
  const params = new URLSearchParams();
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") {
      if (el.checked) params.set(el.name, "true");
    } else if (el.value !== "") params.set(el.name, el.value);
  }
  return filterFromParams(params);
}
