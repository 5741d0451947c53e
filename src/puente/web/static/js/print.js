// "Print" buttons ([data-print]): shown only when JavaScript runs, they open the
// browser's print dialog; the print stylesheet (puente.css) leaves the page's
// content only. Without JavaScript the browser's own Print menu does the same.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
