// Builds the core twice from the same assembly/ sources: build/simdnet.wasm (asc's release
// target, its own memory) and build/simdnet-threads.wasm (the threads target: the same kernels
// over an imported shared memory, one instance per thread). Both converge (Binaryen's passes
// rerun until the module stops shrinking), which measurably helps the SGEMM transposes; asc then
// reports "Last converge was suboptimal." on every build, a note about its own passes that
// tells a user nothing, so that one line is left out. Everything else asc says is passed on.
// asc also writes build/simdnet.d.ts, the exports' signatures, which src/wasm/load.ts types the
// instance with (so a signature changed in assembly/ fails the typecheck); the JavaScript
// bindings it writes beside it are deleted, as @assemblyscript/loader instantiates the core.
import { rmSync } from "node:fs";
import asc from "assemblyscript/asc";

const QUIET = "Last converge was suboptimal.";
const forward = (stream) => ({
  write(chunk) {
    const text = String(chunk)
      .split("\n")
      .filter((line) => line.trim() !== QUIET)
      .join("\n");
    if (text.trim() !== "") stream.write(text);
    return true;
  },
});
// The bindings (build/simdnet.d.ts, the exports' signatures) come from the release target; the
// threads target exports the same functions.
for (const [target, ...extra] of [["release", "--bindings", "raw"], ["threads"]]) {
  const { error } = await asc.main(["assembly/index.ts", "--target", target, ...extra], {
    stdout: forward(process.stdout),
    stderr: forward(process.stderr),
  });
  if (error) {
    console.error(error.message);
    process.exitCode = 1;
    break;
  }
}
rmSync("build/simdnet.js", { force: true });
