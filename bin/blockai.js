#!/usr/bin/env node
// The `blockai` command. Built code lives in dist/ (run `make build` after changes).
require("../dist/src/cli/main.js");
