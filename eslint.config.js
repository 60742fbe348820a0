// @ts-check
/**
 * Lint: ESLint's and typescript-eslint's recommended rules everywhere, Pulumi's rules (an
 * Output in a template literal) with type information where Outputs live: the program and
 * its components, typed from tsconfig.eslint.json, which holds only those (the whole project
 * would make every lint run parse the tests a second time). Formatting is Prettier's job
 * (eslint-config-prettier turns style rules off).
 */
const js = require("@eslint/js");
const tseslint = require("typescript-eslint");
const pulumi = require("@pulumi/eslint-plugin");
const prettier = require("eslint-config-prettier");
const globals = require("globals");

module.exports = tseslint.config(
  { ignores: ["node_modules/", "bin/", "coverage/", "reports/", ".stryker-tmp/", ".pulumi-state/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // `import x = require(...)` types a CommonJS script by its module.exports.
      "@typescript-eslint/no-require-imports": ["error", { allowAsImport: true }],
    },
  },
  {
    // The scripts are CommonJS, run by node directly.
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
    // `const crypto = require("crypto")` may shadow Node's web crypto global.
    rules: { "@typescript-eslint/no-require-imports": "off", "no-redeclare": ["error", { builtinGlobals: false }] },
  },
  {
    // It loads the SDK and the program anew for a run, by path.
    files: ["tests/program/harness.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["index.ts", "components/**/*.ts"],
    languageOptions: { parserOptions: { project: "./tsconfig.eslint.json", tsconfigRootDir: __dirname } },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
    },
  },
  prettier,
);
