// The console's own script (no inline script anywhere: the pages' CSP is script-src 'self').
// Copy buttons put their link on the clipboard; times get the reader's local time as a
// tooltip. Both work on content htmx swaps in later.
"use strict";

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(button.dataset.copy);
    button.textContent = "Copied";
  } catch (error) {
    button.textContent = "Copy failed";
  }
  setTimeout(() => { button.textContent = label; }, 2000);
});

function localTimes(root) {
  for (const time of root.querySelectorAll("time[datetime]")) {
    const at = new Date(time.getAttribute("datetime"));
    if (!Number.isNaN(at.getTime())) time.title = `${at.toLocaleString()} (your time)`;
  }
}

document.addEventListener("DOMContentLoaded", () => localTimes(document));
document.addEventListener("htmx:load", (event) => localTimes(event.detail.elt));

// A choice in a dropdown menu (the Actions menu) closes the menu.
document.addEventListener("click", (event) => {
  const item = event.target.closest("details.dropdown li button");
  if (item) item.closest("details").removeAttribute("open");
});
