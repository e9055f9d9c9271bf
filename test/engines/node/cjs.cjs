// Node, CommonJS: an ESM-only package comes in through dynamic import().
(async () => {
  const simdnet = await import("simdnet");
  const { runSmoke } = await import("../smoke.mjs");
  console.log(JSON.stringify(await runSmoke(simdnet)));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
