// Forms in parts, each part with its own button (the assessment page): Enter in a field
// presses the button of the part it is in. Browsers would press the form's first button,
// which may belong to another part. Without JavaScript that still happens, and nothing typed
// is lost: the page comes back with every part as it was sent.
export function initFormParts() {
  for (const form of document.querySelectorAll("form[data-form-parts]")) {
    form.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.isComposing) return;
      if (!(event.target instanceof HTMLInputElement)) return;
      const part = event.target.closest("[data-form-part]");
      const button = part && part.querySelector("button[type=submit]");
      if (!button) return;
      event.preventDefault();
      button.click();
    });
  }
}
