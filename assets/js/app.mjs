// Starts GOV.UK Frontend's components (error summary focus, password reveal, ...) and ours.
import { initAll } from "./govuk-frontend.min.js";
import { initFilterDetails } from "./filters.mjs";
import { initFormParts } from "./parts.mjs";
import { initSimilarIdeas } from "./similar.mjs";
import { initSupportForms } from "./support.mjs";
import { initDecisionTemplates } from "./templates.mjs";

initAll();
initFilterDetails();
initSupportForms();
initSimilarIdeas();
initDecisionTemplates();
initFormParts();
