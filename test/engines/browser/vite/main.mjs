// Vite: no wasm option; Vite rewrites the package's new URL(..., import.meta.url) to the emitted asset.
import * as simdnet from "simdnet";
import { runSmoke } from "../../smoke.mjs";
import { publish } from "../publish.mjs";

publish(runSmoke(simdnet));
