/** scripts/shared-names.js and the declarations TypeScript reads for it must say the same. */
import * as fs from "fs";
import * as path from "path";
import * as sharedNames from "../../scripts/shared-names";

test("shared-names.d.ts declares exactly what shared-names.js exports, with its values", () => {
  const declarations = fs.readFileSync(path.join(__dirname, "..", "..", "scripts", "shared-names.d.ts"), "utf8");
  const declared = Object.fromEntries(
    [...declarations.matchAll(/^export declare const (\w+): "([^"]*)";$/gm)].map((match) => [match[1], match[2]]),
  );
  expect(Object.keys(declared)).toHaveLength(6);
  // The import * namespace of a CommonJS module also carries it as `default`.
  const { default: _module, ...exported } = sharedNames as typeof sharedNames & { default?: unknown };
  expect(exported).toEqual(declared);
});
