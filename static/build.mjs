// Builds static/dist from packages installed by `npm ci`: the compiled stylesheet and the
// GOV.UK Frontend script. Nothing is fetched at run time, so respondent pages make no
// third-party requests.
import { compile } from "sass";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";

const out = "static/dist";
mkdirSync(out, { recursive: true });
const css = compile("static/scss/app.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(`${out}/app.css`, css.css);
copyFileSync("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", `${out}/govuk-frontend.min.js`);
console.log(`built ${out}/app.css (${css.css.length} bytes) and govuk-frontend.min.js`);
