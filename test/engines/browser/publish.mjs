// How a page hands its smoke result to the test driver: a global the driver polls.
export function publish(promise) {
  promise.then(
    (result) => {
      globalThis.smokeResult = result;
    },
    (e) => {
      globalThis.smokeError = String(e?.stack ?? e);
    },
  );
}

/** Runs the smoke test in a module worker and publishes what it posts back. */
export function publishFromWorker(worker) {
  publish(
    new Promise((resolve, reject) => {
      worker.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve(data.result));
      worker.onerror = (e) => reject(new Error(`worker failed: ${e.message}`));
    }),
  );
}

/** The worker's side: run, then post the result or the error. */
export function postFromWorker(promise) {
  promise.then(
    (result) => postMessage({ result }),
    (e) => postMessage({ error: String(e?.stack ?? e) }),
  );
}
