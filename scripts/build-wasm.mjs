// Builds build/simdnet.wasm with asc's release target. The target converges (Binaryen's passes
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
const { error } = await asc.main(["assembly/index.ts", "--target", "release"], {
  stdout: forward(process.stdout),
  stderr: forward(process.stderr),
});
if (error) {
  console.error(error.message);
  process.exitCode = 1;
}
