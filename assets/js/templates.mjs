// Decision forms: choosing a template puts its words in the public reason box, to be edited
// there before saving. Without JavaScript an empty reason box takes the template's words when
// the decision is saved, so the form works either way.
export function initDecisionTemplates() {
  for (const select of document.querySelectorAll("select[data-template-reasons]")) {
    const reasons = JSON.parse(select.dataset.templateReasons);
    const box = document.getElementById(select.dataset.reasonBox);
    if (!box) continue;
    let filled = "";
    select.addEventListener("change", () => {
      // Replace only words a template put there, never what the person typed.
      if (box.value.trim() === "" || box.value === filled) {
        box.value = reasons[select.value] || "";
        filled = box.value;
      }
    });
  }
}
