/**
 * The layer rules of ARCHITECTURE.md, checked by `make lint` (part of `make test`).
 * Every rule name below is what a failing import reports; ARCHITECTURE.md says why each exists.
 * Paths are matched relative to the directory depcruise runs in (the repository root).
 *
 * "Project" means src/, localnet/, dashboard/ and test/: npm packages and node built-ins are always
 * allowed.
 */
const PROJECT = "^(src|localnet|dashboard|test)/";
const LEAF = "src/(types|gen|proto)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // ---- layer 0: the leaf imports no project folder but its own ----
    {
      name: "leaf-types",
      severity: "error",
      comment: "src/types is the leaf layer: it imports npm packages and itself only.",
      from: { path: "^src/types/" },
      to: { path: PROJECT, pathNot: "^src/types/" },
    },
    {
      name: "leaf-gen",
      severity: "error",
      comment: "src/gen (generated codecs) imports npm packages and itself only.",
      from: { path: "^src/gen/" },
      to: { path: PROJECT, pathNot: "^src/gen/" },
    },
    {
      name: "leaf-proto",
      severity: "error",
      comment: "src/proto (protobuf library corrections) imports npm packages and itself only.",
      from: { path: "^src/proto/" },
      to: { path: PROJECT, pathNot: "^src/proto/" },
    },

    // ---- layer 1 ----
    {
      name: "layer1-abci-store",
      severity: "error",
      comment: "src/abci and src/store import the leaf layer and their own folder only.",
      from: { path: "^src/(abci|store)/" },
      to: { path: PROJECT, pathNot: `^src/$1/|^${LEAF}` },
    },

    // ---- layer 2 ----
    {
      name: "layer2-framework",
      severity: "error",
      comment: "src/framework imports the leaf layer, src/store and itself only.",
      from: { path: "^src/framework/" },
      to: { path: PROJECT, pathNot: `^src/(framework|store)/|^${LEAF}` },
    },

    // ---- layer 3: modules ----
    {
      name: "layer3-modules",
      severity: "error",
      comment: "A module imports the leaf layer, src/store, src/framework and modules only.",
      from: { path: "^src/modules/" },
      to: { path: PROJECT, pathNot: `^src/(modules|framework|store)/|^${LEAF}` },
    },
    {
      name: "module-face",
      severity: "error",
      comment:
        "A module imports another module only through its public face, src/modules/<name>/index.ts " +
        "(name what you need in your own expected-keepers.ts).",
      from: { path: "^src/modules/([^/]+)/" },
      to: { path: "^src/modules/", pathNot: "^src/modules/($1/|[^/]+/index\\.ts$)" },
    },
    {
      name: "module-browser-safe-files",
      severity: "error",
      comment:
        "A module's keys.ts, service.ts and amino.ts are read by src/client (browser-safe): they " +
        "import the leaf layer only.",
      from: { path: "^src/modules/[^/]+/(keys|service|amino)\\.ts$" },
      to: { path: PROJECT, pathNot: `^${LEAF}` },
    },

    // ---- layer 4 ----
    {
      name: "layer4-app",
      severity: "error",
      comment: "src/app imports the layers below it, never grpc, node, miner, client or cli.",
      from: { path: "^src/app/" },
      to: { path: "^src/(grpc|node|miner|client|cli)/|^(localnet|test)/" },
    },

    // ---- layer 5 ----
    {
      name: "layer5-servers",
      severity: "error",
      comment: "src/grpc, src/node and src/miner never import src/client or src/cli.",
      from: { path: "^src/(grpc|node|miner)/" },
      to: { path: "^src/(client|cli)/|^(localnet|test)/" },
    },
    {
      name: "layer5-client",
      severity: "error",
      comment:
        "src/client (browser-safe SDK) imports the leaf layer and modules' keys.ts, service.ts and " +
        "amino.ts only.",
      from: { path: "^src/client/" },
      to: {
        path: PROJECT,
        pathNot: `^src/client/|^${LEAF}|^src/modules/[^/]+/(keys|service|amino)\\.ts$`,
      },
    },

    // ---- the top of the tree ----
    {
      name: "cli-is-top",
      severity: "error",
      comment: "Nothing under src/ but src/cli imports src/cli.",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "client-for-applications",
      severity: "error",
      comment: "Nothing under src/ but src/cli (and src/client itself) imports src/client.",
      from: { path: "^src/", pathNot: "^src/(cli|client)/" },
      to: { path: "^src/client/" },
    },
    {
      name: "src-not-tests-or-scripts",
      severity: "error",
      comment: "Code under src/ never imports localnet/, dashboard/ or test/.",
      from: { path: "^src/" },
      to: { path: "^(localnet|dashboard|test)/" },
    },
    {
      name: "dashboard-reads-client",
      severity: "error",
      comment: "The dashboard (a browser app) reads the chain through the client SDK only: src/client and itself.",
      from: { path: "^dashboard/" },
      to: { path: PROJECT, pathNot: "^(src/client|dashboard)/" },
    },

    // ---- whole tree ----
    {
      name: "no-circular",
      severity: "error",
      comment: "No import cycles inside src/: they break the layering and module load order.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import that resolves to nothing cannot be checked (or run).",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Type-only imports couple layers just as much as value imports.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
  },
};
