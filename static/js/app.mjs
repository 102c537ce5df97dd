// Starts GOV.UK Frontend's components (error summary focus, radios, checkboxes, character count...).
import { initAll } from "/static/dist/govuk-frontend.min.js";

initAll();
