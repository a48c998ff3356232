// Decision forms: choosing a template puts its words in the public reason box, to be edited
// there before saving. Without JavaScript an empty reason box takes the template's words when
// the decision is saved, so the form works either way.
//
// Words the person typed or edited are never replaced silently: when they choose another
// template, a status message says their words were kept and offers a button that swaps in
// the new template's words. Otherwise a decision "from the template" could be saved with the
// status of one template and the edited words of another.
export function initDecisionTemplates() {
  for (const select of document.querySelectorAll("select[data-template-reasons]")) {
    const reasons = JSON.parse(select.dataset.templateReasons);
    const box = document.getElementById(select.dataset.reasonBox);
    if (!box) continue;
    const notice = keptWordsNotice(box);
    // A page shown again after an error may already hold the chosen template's own words.
    let filled = box.value !== "" && box.value === (reasons[select.value] || "") ? box.value : "";
    const useTemplateWords = () => {
      box.value = reasons[select.value] || "";
      filled = box.value;
      notice.hide();
    };
    select.addEventListener("change", () => {
      if (box.value.trim() === "" || box.value === filled) {
        useTemplateWords();
      } else if (reasons[select.value]) {
        notice.show(select.selectedOptions[0].textContent, useTemplateWords);
      } else {
        notice.hide();
      }
    });
  }
}

function keptWordsNotice(box) {
  // A live region that exists from the start, so screen readers announce what goes in it.
  const region = document.createElement("div");
  region.setAttribute("role", "status");
  region.className = "app-template-notice";
  box.insertAdjacentElement("afterend", region);
  return {
    show(templateName, useTemplateWords) {
      region.replaceChildren();
      const text = document.createElement("p");
      text.className = "govuk-body govuk-!-margin-top-2 govuk-!-margin-bottom-2";
      text.textContent = "You changed the words in the box, so they are kept.";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-0";
      button.textContent = `Use the words of “${templateName}” instead`;
      button.addEventListener("click", () => {
        useTemplateWords();
        box.focus();
      });
      region.append(text, button);
    },
    hide() {
      region.replaceChildren();
    },
  };
}
