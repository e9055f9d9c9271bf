// esbuild for the browser: the wasm comes in through the file loader as a URL path.
import * as simdnet from "simdnet";
import wasm from "simdnet/simdnet.wasm";
import { runSmoke } from "../smoke.mjs";
import { publish } from "./publish.mjs";

publish(runSmoke(simdnet, { wasm }));
