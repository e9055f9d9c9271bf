// The training worker: one Session per setup, trained at the chosen speed (epochs per second,
// or as fast as the core goes), posting a snapshot after each epoch at slow speeds and after
// about 50 ms of training at fast ones, each once the page has drawn the previous one, so the
// page only ever draws.
import { runLessons } from "../../src/index.js";
import { DEFAULT_SPEED } from "./config.js";
import type { FromWorker, ToWorker } from "./protocol.js";
import { Session } from "./session.js";

const SNAPSHOT_MS = 50;

let session: Session | null = null;
let running = false;
let until = Infinity;
let epochsPerSecond: number = DEFAULT_SPEED;
let generation = 0; // a new setup or a pause makes any loop of the old one stop
let drawing = false; // a snapshot is with the page, not yet drawn

const post = (message: FromWorker, transfer: Transferable[] = []): void =>
  (self as unknown as Worker).postMessage(message, transfer);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Posts a snapshot; while training, only once the page has drawn the previous one (`always`
 *  for the last one before a pause, which the page must see). */
function postSnapshot(always = true): void {
  if (!session || (drawing && !always)) return;
  drawing = true;
  const s = session.snapshot(running);
  post(s, [s.grid.buffer, s.unitGrid.buffer]);
}

/** Trains while running: at a finite speed, epoch k is due k / speed seconds after the start
 *  (the clock restarts when the speed changes); at full speed, epochs back to back. */
async function loop(): Promise<void> {
  const mine = ++generation,
    s = session!;
  let start = performance.now(),
    done = 0,
    speed = epochsPerSecond;
  while (running && mine === generation) {
    if (speed !== epochsPerSecond) {
      speed = epochsPerSecond;
      start = performance.now();
      done = 0;
    }
    const t0 = performance.now();
    let trained = 0;
    do {
      if (Number.isFinite(speed) && done >= ((performance.now() - start) * speed) / 1000) break;
      try {
        await s.trainEpoch();
      } catch (e) {
        if (mine !== generation) return; // a new setup disposed this model mid-epoch: not an error
        throw e;
      }
      done++;
      trained++;
      if (s.epoch >= until) running = false;
    } while (running && mine === generation && performance.now() - t0 < SNAPSHOT_MS);
    if (mine !== generation) return;
    if (trained > 0 || !running) postSnapshot(!running);
    const wait = Number.isFinite(speed) ? Math.max(0, start + ((done + 1) * 1000) / speed - performance.now()) : 0;
    await sleep(Math.min(wait, SNAPSHOT_MS)); // short naps, so a pause or a new speed is heard at once
  }
}

// Messages are handled one after another: a run that arrives while a setup is still building
// its model applies to that model.
let queue = Promise.resolve();
self.onmessage = (event: MessageEvent<ToWorker>) => {
  if (event.data.type === "drawn") drawing = false;
  else queue = queue.then(() => handle(event.data));
};

async function handle(m: ToWorker): Promise<void> {
  try {
    if (m.type === "setup") {
      generation++;
      running = false;
      session?.dispose();
      session = null;
      session = await Session.create(m.setup, m.run);
      post(session.ready());
      postSnapshot();
    } else if (m.type === "run" && session) {
      until = m.until ?? Infinity;
      if (session.epoch >= until) {
        postSnapshot();
        return;
      }
      if (!running) {
        running = true;
        void loop().catch(fail);
      }
    } else if (m.type === "pause") {
      generation++;
      running = false;
      postSnapshot();
    } else if (m.type === "step" && session && !running) {
      await session.trainEpoch();
      postSnapshot();
    } else if (m.type === "speed") {
      epochsPerSecond = m.epochsPerSecond;
    } else if (m.type === "lesson") {
      const [r] = await runLessons([m.name]);
      post({ type: "lesson", name: m.name, title: r!.title, holds: r!.holds, verdict: r!.verdict });
    }
  } catch (e) {
    fail(e);
  }
}

function fail(e: unknown): void {
  running = false;
  post({ type: "error", message: e instanceof Error ? e.message : String(e) });
}
