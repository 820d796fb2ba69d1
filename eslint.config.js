// Lint with type information: an un-awaited storage, alarm or RPC call is a real bug
// in a Durable Object, so floating promises are errors.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", ".wrangler/", "src/worker-configuration.d.ts", "migrations/", "dist/"] },
  ...tseslint.configs.recommended,
  {
    files: ["src/**/*.ts", "test/unit/**/*.ts", "test/integration/**/*.ts"],
    languageOptions: { parserOptions: { project: "./tsconfig.json", tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: false }],
    },
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
