// "Verify a badge" with JavaScript: drop a file anywhere on the page, or choose one, and
// the result appears at once. The form is posted exactly as without JavaScript; the
// result the server rendered is swapped in, so both ways show the same thing.
(function () {
  "use strict";
  const form = document.getElementById("verify-form");
  const result = document.getElementById("verify-result");
  const file = document.getElementById("verify-file");
  const status = document.getElementById("verify-status");
  if (!form || !result || !file || !window.fetch || !window.FormData) return;
  document.documentElement.classList.add("verify-js");
  let busy = false;

  async function submit() {
    if (busy) return;
    busy = true;
    form.setAttribute("aria-busy", "true");
    status.textContent = "Checking…";
    try {
      const res = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      const html = await res.text();
      const doc = new DOMParser().parseFromString(html, "text/html");
      const fresh = doc.getElementById("verify-result");
      if (!fresh) throw new Error("no result");
      result.replaceChildren(...Array.from(fresh.childNodes).map((n) => document.importNode(n, true)));
      status.textContent = "";
      const heading = result.querySelector("#result-heading");
      if (heading) heading.focus();
    } catch (e) {
      status.textContent = "The badge could not be checked. Please try again.";
    } finally {
      busy = false;
      form.removeAttribute("aria-busy");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  file.addEventListener("change", () => {
    if (file.files && file.files.length) submit();
  });

  // Drag and drop anywhere on the page.
  let depth = 0;
  const body = document.body;
  const hasFiles = (event) =>
    event.dataTransfer && Array.from(event.dataTransfer.types || []).includes("Files");
  document.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth += 1;
    body.classList.add("dragging");
  });
  document.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) body.classList.remove("dragging");
  });
  document.addEventListener("drop", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    body.classList.remove("dragging");
    const files = event.dataTransfer.files;
    if (!files || !files.length) return;
    file.files = files;
    submit();
  });
})();
