import * as fs from "fs";
import * as path from "path";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

test("the README shows the two-host example stack file the engine tests apply, verbatim", () => {
  const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
  const example = fs.readFileSync(path.join(PROJECT_ROOT, "examples", "two-host-farm", "Pulumi.farm.yaml"), "utf8");
  const yamlBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]);
  expect(yamlBlocks).toContain(example);
});
