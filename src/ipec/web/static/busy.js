// While a form is being sent, its button says so and cannot be pressed twice: a slow page
// (a country's dashboard, an export) otherwise looks like a button that did nothing.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (!(button instanceof HTMLButtonElement) || button.getAttribute("aria-busy") === "true") {
    return;
  }
  button.setAttribute("aria-busy", "true");
  button.dataset.label = button.textContent;
  button.textContent = document.body.dataset.working || "Working…";
  // after the form data is read (the button's own name and value included)
  setTimeout(() => { button.disabled = true; }, 0);
});
// A page shown again from the browser's history gets its buttons back.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) { return; }
  for (const button of document.querySelectorAll("button[aria-busy='true']")) {
    button.removeAttribute("aria-busy");
    button.textContent = button.dataset.label || button.textContent;
    button.disabled = false;
  }
});
