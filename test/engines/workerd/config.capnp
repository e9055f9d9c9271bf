# workerd serves the bundled smoke worker; the runner fills in the port.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .smoke)],
  sockets = [(name = "http", address = "127.0.0.1:PORT", http = (), service = "main")],
);

const smoke :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "simdnet.wasm", wasm = embed "simdnet.wasm"),
  ],
  compatibilityDate = "2026-01-01",
);
