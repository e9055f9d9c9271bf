// The page: starts the worker, shows each epoch it reports, and can stop it mid-run.
const worker = new Worker(new URL("./train-worker.js", import.meta.url), { type: "module" });
const [start, stop, epochsInput, progress, status] = ["start", "stop", "epochs", "progress", "status"].map((id) =>
  document.getElementById(id),
);
let epochs = 0;
/** Every message the worker sent, for whoever wants the whole run (the example's check does). */
globalThis.trainingLog = [];

worker.onmessage = ({ data }) => {
  globalThis.trainingLog.push(data);
  if (data.type === "epoch") {
    progress.value = (data.epoch + 1) / epochs;
    status.textContent = `epoch ${data.epoch + 1} of ${epochs}: loss ${data.loss.toFixed(4)}, accuracy ${(data.accuracy * 100).toFixed(1)}%`;
  } else if (data.type === "done") {
    status.textContent = `${data.stopReason} after ${data.epochs} epochs: test accuracy ${(data.testAccuracy * 100).toFixed(1)}% (${data.core} core)`;
    start.disabled = false;
    stop.disabled = true;
  } else if (data.type === "error") {
    status.textContent = `error: ${data.message}`;
  }
};
start.onclick = () => {
  globalThis.trainingLog = [];
  start.disabled = true;
  stop.disabled = false;
  epochs = Math.max(1, Math.round(Number(epochsInput.value)) || 1);
  worker.postMessage({ type: "train", epochs });
};
stop.onclick = () => worker.postMessage({ type: "stop" });
