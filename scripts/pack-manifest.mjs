// The package.json that goes into the tarball has no `prepare` script: in a git clone,
// `npm install` must build the wasm core and dist/ (prepare does), but the tarball ships them
// built, and npm lists any prepare script of a dependency as an install script its user must
// approve. prepack strips it (after building), postpack puts the file back byte for byte.
//   node scripts/pack-manifest.mjs strip | restore
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const manifest = fileURLToPath(new URL("../package.json", import.meta.url));
const saved = fileURLToPath(new URL("../.package.json.prepack", import.meta.url));
const command = process.argv[2];

// A pack that failed between the two steps left the stripped file: put the original back first.
if (existsSync(saved)) renameSync(saved, manifest);
if (command === "strip") {
  const text = readFileSync(manifest, "utf8");
  const pkg = JSON.parse(text);
  delete pkg.scripts.prepare;
  writeFileSync(saved, text);
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (command !== "restore") {
  throw new Error(`usage: node scripts/pack-manifest.mjs strip | restore (got ${command})`);
}
