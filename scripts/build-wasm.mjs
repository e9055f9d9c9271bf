// Builds the core twice from the same assembly/ sources: build/simdnet.wasm (asc's release
// target, its own memory) and build/simdnet-threads.wasm (the threads target: the same kernels
// over an imported shared memory, one instance per thread). Both converge (Binaryen's passes
// rerun until the module stops shrinking), which measurably helps the SGEMM transposes; asc then
// reports "Last converge was suboptimal." on every build, a note about its own passes that
// tells a user nothing, so that one line is left out. Everything else asc says is passed on.
import asc from "assemblyscript/asc";

const QUIET = "Last converge was suboptimal.";
const forward = (stream) => ({
  write(chunk) {
    const text = String(chunk).split("\n").filter((line) => line.trim() !== QUIET).join("\n");
    if (text.trim() !== "") stream.write(text);
    return true;
  },
});
for (const target of ["release", "threads"]) {
  const { error } = await asc.main(["assembly/index.ts", "--target", target], {
    stdout: forward(process.stdout),
    stderr: forward(process.stderr),
  });
  if (error) {
    console.error(error.message);
    process.exitCode = 1;
    break;
  }
}
