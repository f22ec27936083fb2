/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    // Type checking is done once by `tsc` (make typecheck); jest only transpiles.
    "^.+\\.tsx?$": ["ts-jest", { diagnostics: false }],
    // @noble/* v2 and @scure/* are ESM-only; CosmJS 0.39 require()s them, which Node >= 20.19
    // allows but jest's module loader does not, so jest transpiles them to CommonJS.
    "^.+\\.m?js$": ["ts-jest", { diagnostics: false, tsconfig: { allowJs: true, module: "commonjs" } }],
  },
  transformIgnorePatterns: ["/node_modules/(?!(.*/node_modules/)?(@noble|@scure)/)"],
  testTimeout: 60000,
};
