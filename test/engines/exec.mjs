// Runs one engine's harness as a child process and reads the JSON result from its last line.
import { spawn } from "node:child_process";

/** Resolves with the parsed last stdout line; rejects with stderr on failure or timeout. */
export function runHarness(command, args, { cwd, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "",
      stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} timed out after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split("\n").at(-1) ?? "";
      if (code !== 0) return reject(new Error(`${command} exited with ${code}\n${stderr.trim()}`));
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${command} printed no result\n${stdout}\n${stderr}`));
      }
    });
  });
}
