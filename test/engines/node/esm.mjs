// Node, ESM: import the package by name.
import * as simdnet from "simdnet";
import { runSmoke } from "../smoke.mjs";

console.log(JSON.stringify(await runSmoke(simdnet)));
