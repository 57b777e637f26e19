// Batch actions' helpers: the top K row ids of a view, the confirmation dialog, the actions' names.
import { setText } from "./common.js";

export const MAX_TOP_K = 10000;
const CHUNK = 1000;

export const VERBS = {
  autofix: "Auto-fix (accept the suggestion)",
  label: "Label as",
  exclude: "Exclude",
  needs_review: "Mark as needing review",
  tag: "Tag with",
  untag: "Remove the tag",
};

// The ids of the first `k` rows of a view; fetchPage(offset, limit, withTotal) reads one page.
export async function topKIds(fetchPage, k) {
  const want = Math.min(MAX_TOP_K, Math.max(1, Math.floor(k) || 1));
  const ids = [];
  while (ids.length < want) {
    const limit = Math.min(CHUNK, want - ids.length);
    const page = await fetchPage(ids.length, limit, false);
    ids.push(...page.rows.map((r) => r.row_id));
    if (page.rows.length < limit) break;
  }
  return ids;
}

// Ask before changing rows; resolves true when the person confirms.
export function confirmDialog(text) {
  const dialog = document.getElementById("confirm");
  setText("confirm-text", text);
  dialog.returnValue = "";
  dialog.showModal();
  document.getElementById("confirm-ok").focus();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true }));
}
