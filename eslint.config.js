// @ts-check
/**
 * Lint: ESLint's and typescript-eslint's recommended rules everywhere, Pulumi's rules (an
 * Output in a template literal) with type information where Outputs live: the program and
 * its components. Formatting is Prettier's job (eslint-config-prettier turns style rules off).
 */
const js = require("@eslint/js");
const tseslint = require("typescript-eslint");
const pulumi = require("@pulumi/eslint-plugin");
const prettier = require("eslint-config-prettier");

module.exports = tseslint.config(
  { ignores: ["node_modules/", "bin/", "coverage/", "reports/", ".stryker-tmp/", ".pulumi-state/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly", console: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly", URL: "readonly", fetch: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["index.ts", "components/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
    },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  prettier,
);
