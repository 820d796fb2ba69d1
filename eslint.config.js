// Lint with type information: an un-awaited storage, alarm or RPC call is a real bug
// in a Durable Object, so floating promises are errors.
import tseslint from "typescript-eslint";
import importX from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";

// The layers of src/, top to bottom (ARCHITECTURE.md): imports point down only.
// Each entry names what a directory may NOT import; the paths are resolved files, so
// `import type` counts too (a type from an upper layer couples the layers all the same).
const COMPONENTS = ["./src/controllers", "./src/scheduler", "./src/node", "./src/watch"];
const ABOVE_CONTROLPLANE = [...COMPONENTS, "./src/api", "./src/index.ts"];
const LAYER_ZONES = [
  // Leaves: util imports nothing of ours, model and config only util.
  { target: "./src/util", from: "./src", except: ["./util"], message: "src/util is a leaf: it imports nothing of ours." },
  { target: "./src/model", from: "./src", except: ["./model", "./util"], message: "src/model imports nothing of ours but src/util." },
  { target: "./src/config.ts", from: "./src", except: ["./util"], message: "src/config.ts imports nothing of ours but src/util." },
  { target: "./src/store", from: ["./src/registry", "./src/controlplane", ...ABOVE_CONTROLPLANE], message: "src/store sits below registry, controlplane, the components and api." },
  { target: "./src/registry", from: ["./src/controlplane", ...ABOVE_CONTROLPLANE], message: "src/registry sits below controlplane, the components and api." },
  // The wiring types its stubs with the RPC contracts it owns (stubs.ts, node-api.ts),
  // so it needs no component's code, not even a type.
  { target: "./src/controlplane", from: ABOVE_CONTROLPLANE, message: "src/controlplane sits below the components and api: the components implement its contracts." },
  // A component reaches another only through a Durable Object stub (src/controlplane).
  ...COMPONENTS.map((c) => ({
    target: c,
    from: [...COMPONENTS.filter((o) => o !== c), "./src/api", "./src/index.ts"],
    message: "A component never imports another component or api: reach it through its stub, or move what both need down a layer.",
  })),
  { target: "./src/api", from: "./src/index.ts", message: "src/index.ts is the top: nothing imports it." },
];

export default tseslint.config(
  { ignores: ["node_modules/", ".wrangler/", "src/worker-configuration.d.ts", "migrations/", "dist/"] },
  ...tseslint.configs.recommended,
  {
    files: ["src/**/*.ts", "test/unit/**/*.ts", "test/integration/**/*.ts", "test/support/**/*.ts"],
    languageOptions: { parserOptions: { project: "./tsconfig.json", tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: false }],
    },
  },
  {
    files: ["src/**/*.ts"],
    plugins: { "import-x": importX },
    settings: {
      // Follow imports into .ts files (import-x reads only .js by default).
      "import-x/extensions": [".ts"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json" })],
    },
    rules: {
      // A cycle of value imports is an order-of-evaluation bug waiting to happen and a
      // sign that a shared piece sits in the wrong layer. Type-only imports erase, so
      // the rule does not follow them.
      "import-x/no-cycle": "error",
      "import-x/no-restricted-paths": ["error", { basePath: import.meta.dirname, zones: LAYER_ZONES }],
    },
  },
  {
    files: ["test/unit/ui/**/*.ts"],
    languageOptions: { parserOptions: { project: "./test/unit/ui/tsconfig.json", tsconfigRootDir: import.meta.dirname } },
  },
  {
    files: ["test/e2e/**/*.ts", "bench/**/*.ts"],
    languageOptions: { parserOptions: { project: "./test/e2e/tsconfig.json", tsconfigRootDir: import.meta.dirname } },
    rules: { "@typescript-eslint/no-floating-promises": "error" },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
);
