// Renders every Vega-Lite spec found in <script type="application/json" data-chart="ID">
// into the element with that id. No eval: specs are parsed to an AST and evaluated by
// vega-interpreter, so the CSP needs no 'unsafe-eval'. Each chart's text alternative
// is the table beside it; the SVG gets the label from data-label.
const render = async (source) => {
  const target = document.getElementById(source.dataset.chart);
  if (!target || target.dataset.rendered || !window.vega || !window.vegaLite) return;
  const spec = JSON.parse(source.textContent);
  const compiled = window.vegaLite.compile(spec).spec;
  const runtime = window.vega.parse(compiled, null, { ast: true });
  const view = new window.vega.View(runtime, {
    expr: window.vega.expressionInterpreter,
    renderer: "svg",
    container: target,
    hover: false,
  });
  await view.runAsync();
  const svg = target.querySelector("svg");
  if (svg) {
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", target.dataset.label || spec.title || "");
  }
  target.dataset.rendered = "true";
};

const start = () => {
  document
    .querySelectorAll('script[type="application/json"][data-chart]')
    .forEach((source) => {
      render(source).catch((error) => {
        const target = document.getElementById(source.dataset.chart);
        if (target) target.dataset.rendered = "failed";
        console.error("chart failed", error);
      });
    });
};

// Panels loaded after the page (web/lazy.py) bring their charts with them.
document.addEventListener("htmx:afterSettle", start);

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
