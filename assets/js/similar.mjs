// "Already posted? Support one of these instead": while someone types an idea's title, ask
// the server for similar ideas (debounced) and list them under the field. It never blocks
// posting. Without JavaScript, the check-your-answers page shows the same list.

const WAIT_MS = 400;

function item(idea) {
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
  const meta = document.createElement("span");
  meta.className = "govuk-body-s";
  const supports = `${idea.supports} ${idea.supports === 1 ? "support" : "supports"}`;
  meta.textContent = idea.past ? `From ${idea.window} (a past window) · ${supports}` : supports;
  li.append(link, document.createElement("br"), meta);
  return li;
}

function show(region, ideas) {
  region.replaceChildren();
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
  list.append(...ideas.map(item));
  region.append(heading, hint, list);
}

export function initSimilarIdeas(root = document) {
  const region = root.querySelector("[data-similar-ideas]");
  if (!region) return;
  const title = root.querySelector("#title");
  const problem = root.querySelector("#problem");
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
      if (response.ok) show(region, (await response.json()).ideas);
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
