// Deno: the package from node_modules (as `npm:simdnet` would be), the core read from disk.
import * as simdnet from "simdnet";
import { runSmoke } from "../smoke.mjs";

console.log(JSON.stringify(await runSmoke(simdnet)));
