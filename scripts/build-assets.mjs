// Builds the front end into app/static/dist: our Sass (with GOV.UK Frontend) to one CSS file,
// plus GOV.UK Frontend's ES module bundle and our own scripts. Run by `make install`.
import { compile, NodePackageImporter } from "sass";
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "app", "static", "dist");
mkdirSync(out, { recursive: true });

const css = compile(join(root, "assets", "scss", "app.scss"), {
  importers: [new NodePackageImporter(root)],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "app.css"), css.css);

const govukDist = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
copyFileSync(join(govukDist, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));

for (const name of readdirSync(join(root, "assets", "js"))) {
  copyFileSync(join(root, "assets", "js", name), join(out, name));
}
console.log(`Built front-end assets into ${out}`);
