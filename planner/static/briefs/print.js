// The print view's "Print" button: shown only where scripts run, so the page never offers a dead button.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
