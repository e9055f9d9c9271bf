// A module Web Worker bundled by Vite.
import * as simdnet from "simdnet";
import { runSmoke } from "../../smoke.mjs";
import { postFromWorker } from "../publish.mjs";

postFromWorker(runSmoke(simdnet));
