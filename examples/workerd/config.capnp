# workerd serving the bundled worker; run.mjs fills in the port.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .predict)],
  sockets = [(name = "http", address = "127.0.0.1:PORT", http = (), service = "main")],
);

const predict :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "simdnet.wasm", wasm = embed "simdnet.wasm"),
    (name = "model.json", json = embed "model.json"),
  ],
  compatibilityDate = "2026-01-01",
);
