// The search and filter form on a window's page folds away in a <details>, closed in the page
// so that on a phone the ideas come first with or without a script. Wider screens have room
// for it, so there it opens as the page loads.
const WIDE = "(min-width: 40.0625em)"; // GOV.UK Frontend's tablet breakpoint, 641px

export function initFilterDetails() {
  if (!window.matchMedia(WIDE).matches) return;
  for (const details of document.querySelectorAll("details[data-open-on-wide-screens]")) {
    details.open = true;
  }
}
