// Support buttons that work in place: the form posts with fetch and the page updates,
// without a reload. Without JavaScript the same form posts and the page comes back to the
// idea. Screen readers hear the result through the aria-live "supports left" paragraph.
// Supporting also follows the idea: the control says so, as the page without JavaScript
// does (following_note in templates/macros/voting.html), and an idea page's Follow button
// becomes "Stop following".

// parts: strings, or [text] for words only screen readers need (the page shows them nearby).
function announce(...parts) {
  const region = document.querySelector("[data-supports-left]");
  if (!region) return;
  region.replaceChildren(...parts.filter(Boolean).map((part) => {
    if (typeof part === "string") return part;
    const hidden = document.createElement("span");
    hidden.className = "govuk-visually-hidden";
    hidden.textContent = part[0];
    return hidden;
  }));
}

function remainingText(data) {
  if (data.limit === null) return "";
  return ` You have ${data.remaining} of ${data.limit} supports left in this window.`;
}

// A support form is usually inside its control (count, button, error message). The list
// of similar ideas sits inside the idea form, where a form cannot nest, so its support
// forms sit after it and name their control (data-control); their buttons use form="...".
function controlOf(form) {
  return form.dataset.control
    ? document.getElementById(form.dataset.control)
    : form.closest(".app-support");
}

function buttonOf(form) {
  return [...form.elements].find((element) => element.type === "submit");
}

// The same paragraph as the following_note macro, built without innerHTML.
function followingNote(form) {
  const note = document.createElement("p");
  note.className = "govuk-body-s govuk-!-margin-top-2 govuk-!-margin-bottom-0";
  note.dataset.supportFollowing = "";
  const link = document.createElement("a");
  link.className = "govuk-link";
  link.href = `${form.dataset.ideaUrl}#follow`;
  link.textContent = "stop following it";
  const hidden = document.createElement("span");
  hidden.className = "govuk-visually-hidden";
  hidden.textContent = ` “${form.dataset.title}”`;
  link.append(hidden);
  note.append("You’re following this idea now, so we’ll tell you when its status changes. "
              + "You can ", link, " at any time.");
  return note;
}

function showFollowing(form, data) {
  const control = controlOf(form);
  const note = control.querySelector("[data-support-following]");
  if (data.supported && data.following && !note && form.dataset.ideaUrl) {
    control.append(followingNote(form));
  } else if (!data.supported && note) {
    note.remove(); // withdrawing keeps the follow, but the note was about the support
  }
  const follow = document.querySelector(`form[data-follow-form][data-idea-id="${data.idea_id}"]`);
  if (data.following && follow) {
    follow.action = follow.dataset.unfollowUrl;
    buttonOf(follow).textContent = "Stop following";
    const hint = document.querySelector("[data-follow-hint]");
    if (hint) hint.remove();
  }
}

function render(form, data) {
  const control = controlOf(form);
  const count = control.querySelector("[data-support-count]");
  const noun = control.querySelector("[data-support-noun]");
  const label = control.querySelector("[data-support-label]");
  const button = buttonOf(form);
  count.textContent = data.count.toLocaleString("en-GB");
  noun.textContent = data.count === 1 ? "support" : "supports";
  let mine = control.querySelector("[data-support-mine]");
  if (data.supported && !mine) {
    mine = document.createElement("span");
    mine.dataset.supportMine = "";
    mine.textContent = ", including yours";
    noun.after(mine);
  } else if (!data.supported && mine) {
    mine.remove();
  }
  form.action = data.supported ? form.dataset.unsupportUrl : form.dataset.supportUrl;
  label.textContent = data.supported ? "Withdraw support" : "Support this idea";
  // Supported shows as a secondary button; lists of several buttons keep them all secondary.
  if (!("alwaysSecondary" in form.dataset)) {
    button.classList.toggle("govuk-button--secondary", data.supported);
  }
  showFollowing(form, data);
  const title = form.dataset.title;
  const done = data.supported ? `You support “${title}”.` : `You no longer support “${title}”.`;
  let told = data.following ? " We’ll tell you when its status changes." : "";
  // Where the "You're following this idea now" note shows by the button, the page says it
  // once: screen readers, which hear only this line, still hear it here.
  if (told && controlOf(form).querySelector("[data-support-following]")) told = [told];
  announce(done, told, remainingText(data));
}

function showError(form, message) {
  const error = controlOf(form).querySelector("[data-support-error]");
  error.textContent = message;
  error.hidden = false;
  announce(message);
}

export function initSupportForms(root = document) {
  for (const form of root.querySelectorAll("form[data-support-form]")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = buttonOf(form);
      if (button.getAttribute("aria-disabled") === "true") return; // one request at a time
      const error = controlOf(form).querySelector("[data-support-error]");
      error.hidden = true;
      button.setAttribute("aria-disabled", "true");
      try {
        const response = await fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        const data = await response.json();
        if (response.ok) {
          render(form, data);
        } else if (data.sign_in) {
          window.location.assign(data.sign_in); // signed out meanwhile: sign in, come back
        } else {
          showError(form, data.error || "Something went wrong. Try again.");
        }
      } catch {
        form.submit(); // no network answer: fall back to the plain form
      } finally {
        button.removeAttribute("aria-disabled");
      }
    });
  }
}
