// "Already posted? Support one of these instead": while someone types an idea's title, ask
// the server for similar ideas (debounced) and list them under the field, each with a
// support button where the person can support it now. It never blocks posting. Without
// JavaScript, the check-your-answers page shows the same list and buttons.

import { initSupportForms } from "./support.mjs";

const WAIT_MS = 400;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The same parts as the support_control macro (templates/macros/voting.html), so that
// support.mjs updates the count and the button in place. The list is inside the idea form
// and forms cannot nest, so the support form goes in `holder`, after the idea form, and the
// button in the list points at it with form="...".
function supportButton(idea, csrfToken, holder) {
  const form = element("form");
  form.id = `similar-support-form-${idea.id}`;
  form.method = "post";
  form.noValidate = true;
  form.action = idea.supported ? idea.unsupport_url : idea.support_url;
  form.dataset.supportForm = "";
  form.dataset.supportUrl = idea.support_url;
  form.dataset.unsupportUrl = idea.unsupport_url;
  form.dataset.title = idea.title;
  form.dataset.ideaUrl = idea.url;
  form.dataset.control = `similar-support-${idea.id}`;
  form.dataset.alwaysSecondary = ""; // not a row of green buttons above the form's own
  for (const [name, value] of [["csrf_token", csrfToken], ["next", window.location.pathname]]) {
    const input = element("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
  holder.append(form);
  const error = element("p", "govuk-error-message govuk-!-margin-bottom-2");
  error.dataset.supportError = "";
  error.hidden = true;
  const button = element("button", "govuk-button govuk-button--secondary govuk-!-margin-bottom-0");
  button.type = "submit";
  button.setAttribute("form", form.id);
  const label = element("span", "", idea.supported ? "Withdraw support" : "Support this idea");
  label.dataset.supportLabel = "";
  button.append(label, element("span", "govuk-visually-hidden", ` “${idea.title}”`));
  const wrapper = element("div", "app-support__form");
  wrapper.append(error, button);
  return wrapper;
}

function item(idea, csrfToken, holder) {
  const li = document.createElement("li");
  li.className = "app-idea-summary";
  const link = document.createElement("a");
  link.className = "govuk-link govuk-!-font-weight-bold";
  link.href = idea.url;
  link.textContent = idea.title;
  link.target = "_blank";
  link.rel = "noopener";
  const opens = document.createElement("span");
  opens.className = "govuk-visually-hidden";
  opens.textContent = " (opens in a new tab)";
  link.append(opens);
  const meta = element("span", "govuk-body-s");
  if (idea.past) meta.append(`From ${idea.window} (a past window) · `);
  const count = element("span", "", idea.supports.toLocaleString("en-GB"));
  count.dataset.supportCount = "";
  const noun = element("span", "", idea.supports === 1 ? "support" : "supports");
  noun.dataset.supportNoun = "";
  meta.append(count, " ", noun);
  if (idea.supported) {
    const mine = element("span", "", ", including yours");
    mine.dataset.supportMine = "";
    meta.append(mine);
  }
  li.id = `similar-support-${idea.id}`;
  li.append(link, document.createElement("br"), meta);
  if (idea.own) li.append(document.createElement("br"), element("span", "govuk-body-s", "This is your idea."));
  else if (idea.can_support && csrfToken) li.append(supportButton(idea, csrfToken, holder));
  return li;
}

// What screen readers hear: a short line, not the whole list, which they can go and read.
function foundText(count) {
  if (!count) return "No similar ideas found";
  return `${count} similar idea${count === 1 ? "" : "s"} found`;
}

function show(region, ideas, csrfToken, holder, status) {
  // Said when the number changes only (and "none" only after some): not on every keystroke.
  const text = foundText(ideas.length);
  if (status.textContent !== text && (ideas.length || status.textContent)) {
    status.textContent = text;
  }
  region.replaceChildren();
  holder.replaceChildren();
  if (!ideas.length) return;
  const heading = document.createElement("h2");
  heading.className = "govuk-heading-s govuk-!-margin-bottom-2";
  heading.textContent = "Already posted? Support one of these instead";
  const hint = document.createElement("p");
  hint.className = "govuk-body-s";
  hint.textContent = "These ideas look like yours. You can still post yours. ";
  if (region.dataset.howUrl) {
    const how = document.createElement("a");
    how.className = "govuk-link";
    how.href = region.dataset.howUrl;
    how.target = "_blank";
    how.rel = "noopener";
    how.textContent = "How we find similar ideas (opens in a new tab)";
    hint.append(how);
  }
  const list = document.createElement("ul");
  list.className = "govuk-list app-idea-list";
  list.append(...ideas.map((idea) => item(idea, csrfToken, holder)));
  region.append(heading, hint, list);
  initSupportForms(holder);
}

export function initSimilarIdeas(root = document) {
  const region = root.querySelector("[data-similar-ideas]");
  if (!region) return;
  const title = root.querySelector("#title");
  const problem = root.querySelector("#problem");
  const token = title.form && title.form.querySelector("input[name='csrf_token']");
  const csrfToken = token ? token.value : "";
  const holder = element("div");
  holder.dataset.similarSupportForms = "";
  if (title.form) title.form.after(holder);
  // The number found goes in a status line of its own, made now: a live region must be on
  // the page before its words change for them to be read out.
  const status = element("p", "govuk-visually-hidden");
  status.dataset.similarStatus = "";
  status.setAttribute("role", "status");
  region.after(status);
  // support.mjs tells screen readers what happened here.
  const said = element("p", "govuk-visually-hidden");
  said.dataset.supportsLeft = "";
  said.setAttribute("aria-live", "polite");
  holder.after(said);
  let timer = null;
  let asked = "";
  const ask = async () => {
    const query = new URLSearchParams({ title: title.value, text: problem ? problem.value : "" });
    if (region.dataset.exclude) query.set("exclude", region.dataset.exclude);
    if (title.value.trim().length < 8 || query.toString() === asked) return;
    asked = query.toString();
    try {
      const response = await fetch(`${region.dataset.url}?${query}`, {
        headers: { Accept: "application/json" },
      });
      if (response.ok) show(region, (await response.json()).ideas, csrfToken, holder, status);
    } catch {
      // Suggestions are a help, never a gate: if they fail, the form works as before.
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(ask, WAIT_MS);
  };
  title.addEventListener("input", later);
  if (problem) problem.addEventListener("input", later);
  if (title.value) later();
}
