// The command line as a user types it: strict parsing, usage and exit code 2 for anything it
// does not know, values echoed as typed, --help on every command, --version.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const cli = new URL("../src/cli.ts", import.meta.url).pathname;

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", cli, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe("simdnet CLI", () => {
  it("refuses unknown flags, misspelt ones included, with the usage and exit code 2 (train --epoch 1 once ran 100 epochs)", async () => {
    const results = await Promise.all([
      run("train", "--epoch", "1"),
      run("train", "--lr", "0.1"),
      run("demo", "--verbose"),
      run("lessons", "--outt", "x"),
    ]);
    for (const r of results) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/Unknown option '--(epoch|lr|verbose|outt)'/);
      expect(r.stderr).toMatch(/usage: simdnet (train|demo|lessons)/);
      expect(r.stdout).toBe("");
    }
  });

  it("refuses unknown commands and stray arguments with exit code 2, and a missing command too", async () => {
    const [unknown, stray, none, lesson] = await Promise.all([
      run("trian"),
      run("demo", "extra"),
      run(),
      run("lessons", "nope"),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "trian"/);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/Unexpected argument 'extra'/);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/usage: simdnet <command>/);
    expect(lesson.code).toBe(2);
    expect(lesson.stderr).toMatch(/unknown lesson "nope"; the lessons are linear, saturation/);
  });

  it("echoes bad values as typed", async () => {
    const [word, fraction, dataset, backend] = await Promise.all([
      run("train", "--epochs", "abc"),
      run("train", "--epochs=2.5"),
      run("train", "--dataset", "spirals"),
      run("demo", "--backend", "gpu"),
    ]);
    expect(word.stderr).toMatch(/--epochs: expected an integer in \[1, 1000000\], got "abc"/);
    expect(fraction.stderr).toMatch(/--epochs: expected an integer in \[1, 1000000\], got "2.5"/);
    expect(dataset.stderr).toMatch(/--dataset: expected "moons" or "circles" or "xor", got "spirals"/);
    expect(backend.stderr).toMatch(/--backend: expected "wasm" or "js", got "gpu"/);
    for (const r of [word, fraction, dataset, backend]) expect(r.code).toBe(2);
  });

  it("takes --name=value, runs what it was asked for", async () => {
    const r = await run("train", "--epochs=2", "--dataset=xor", "--backend=js");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/training on xor: 4 samples, 2 epochs/);
    // Not a terminal: verbose 1 prints one plain line per epoch, with no carriage returns.
    expect(r.stdout).toMatch(/^Epoch 2\/2 4\/4 \[={30}\] \S+ [\d,]+ rows\/s - loss: \d\.\d{4} - accuracy: \d\.\d{4}$/m);
    expect(r.stdout).not.toMatch(/Epoch 3\/|\r/);
    const [two, zero] = await Promise.all([
      run("train", "--epochs=2", "--dataset=xor", "--backend=js", "--verbose=2"),
      run("train", "--epochs=2", "--dataset=xor", "--backend=js", "--verbose", "0"),
    ]);
    expect(two.stdout).toMatch(/^Epoch 1\/2 - \S+ [\d,]+ rows\/s - loss: \d\.\d{4} - accuracy: \d\.\d{4}$/m);
    expect(zero.stdout).not.toMatch(/Epoch/);
    expect(zero.stdout).toMatch(/test accuracy/);
  });

  it("--help and -h on every command exit 0 with that command's usage; --version prints the version", async () => {
    const helps = await Promise.all([
      run("--help"),
      run("help"),
      run("train", "--help"),
      run("demo", "-h"),
      run("lessons", "--help"),
    ]);
    for (const r of helps) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/usage: simdnet/);
    }
    expect(helps[2]!.stdout).toMatch(/simdnet train \[--dataset moons\|circles\|xor\]/);
    const version = await run("--version");
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
  });
});
