// Starts GOV.UK Frontend's components (loaded as <script type="module"> at the end of
// <body>). initAll() does nothing unless js-enabled.js marked the body as supported.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
