// Starts GOV.UK Frontend's components (error summary focus, password reveal, ...).
import { initAll } from "./govuk-frontend.min.js";

initAll();
