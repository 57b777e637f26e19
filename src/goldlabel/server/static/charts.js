// Small wrappers over plotly's bundled JS (served by the app at /vendor/plotly.min.js).
// Plotly reads a few HTML-like tags in text, so every user string goes through plotText first.

export function plotText(s) {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const CONFIG = { displayModeBar: false, responsive: true };
const LAYOUT = {
  margin: { l: 50, r: 20, t: 10, b: 60 },
  height: 280,
  paper_bgcolor: "rgba(0,0,0,0)",
  plot_bgcolor: "rgba(0,0,0,0)",
  font: { family: "system-ui, sans-serif", size: 12 },
};

// Draw `traces` in the element with id `id`; `onClick(point)` gets the clicked point's customdata.
export function plot(id, traces, layout = {}, onClick = null) {
  const el = document.getElementById(id);
  if (!window.Plotly) {
    el.textContent = "Charts need /vendor/plotly.min.js, which did not load.";
    return;
  }
  window.Plotly.react(el, traces, { ...LAYOUT, ...layout }, CONFIG);
  if (onClick && !el.dataset.clickable) {
    el.dataset.clickable = "1";
    el.on("plotly_click", (ev) => {
      const p = ev.points && ev.points[0];
      if (p && p.customdata !== undefined && p.customdata !== null) onClick(p.customdata);
    });
  }
}
