// Loaded with `node --require` into an app process, this makes it a binary built with (no-op)
// handlers for the upgrade plans named in BLOCKAI_TEST_UPGRADE_HANDLERS: what a release carrying
// them would do, without a second build. Test use only.
const path = require("node:path");
const { UPGRADE_HANDLERS } = require(path.join(__dirname, "..", "..", "dist", "src", "app", "upgrades.js"));
for (const name of (process.env.BLOCKAI_TEST_UPGRADE_HANDLERS || "").split(",").filter(Boolean)) UPGRADE_HANDLERS.set(name, () => undefined);
