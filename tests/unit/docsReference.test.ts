/**
 * `npm run docs` renders docs/configuration.md and Pulumi.yaml's config block from the config
 * schema: these tests fail when either file is stale or a key has no description, check the
 * reference's seed keys against the import and its outputs against the program, and pin down
 * what the renderers make of a small schema of their own.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { stackConfigSchema } from "../../components/config/schema";
import type { landscapeStack } from "../../components/landscapeStack";
import { renderKeys } from "../../tools/docs/configurationReference";
import {
  generatedFiles,
  PROJECT_FILE,
  PROJECT_ROOT,
  REFERENCE_FILE,
  referenceKeys,
} from "../../tools/docs/generatedFiles";
import { describeSchema } from "../../tools/docs/keyReference";
import { STACK_OUTPUTS } from "../../tools/docs/outputs";
import { renderPulumiConfigBlock, replaceConfigBlock } from "../../tools/docs/pulumiYamlConfig";
import { mapSeedConfig, seedKeysByStackKey } from "../../tools/importConfig/mapping";
import { parseSeedConfig } from "../../tools/importConfig/seedFile";
import { rulePath } from "./schemaRules";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");

/** Why `actual` is not `expected`, naming the first line that differs; undefined when they are equal. */
function staleness(file: string, actual: string, expected: string): string | undefined {
  if (actual === expected) return undefined;
  const actualLines = actual.split("\n");
  const expectedLines = expected.split("\n");
  const line = expectedLines.findIndex((text, index) => actualLines[index] !== text);
  const at = line < 0 ? actualLines.length : line;
  return (
    `${file} is stale: run npm run docs. First difference at line ${at + 1}:\n` +
    `  in the file:   ${JSON.stringify(actualLines[at])}\n` +
    `  from the code: ${JSON.stringify(expectedLines[at])}`
  );
}

describe("the generated reference", () => {
  it("has a description for every key of the schema", () => {
    const undescribed = describeSchema(stackConfigSchema)
      .filter((key) => key.description === undefined || key.description.trim() === "")
      .map((key) => `${key.display} has no .meta({ description }) in components/config/schema.ts`);
    expect(undescribed).toEqual([]);
  });

  it.each([REFERENCE_FILE, PROJECT_FILE])("%s is what npm run docs renders", (file) => {
    const generated = generatedFiles(read).find((candidate) => candidate.file === file);
    const problem = staleness(file, read(file), generated!.text);
    if (problem !== undefined) throw new Error(problem);
  });

  it("names for each key the seed keys npm run import-config carries over to it, and only those", () => {
    const schemaPaths = referenceKeys().map((key) => key.path);
    const documented = seedKeysByStackKey();
    /** The seed keys documented for a stack key or for one of the keys it lies in. */
    const documentedFor = (stackPath: string[]) => {
      const segments = rulePath(stackPath.join("."), schemaPaths).split(".");
      return segments.flatMap((_, index) => documented[segments.slice(0, index + 1).join(".")] ?? []);
    };
    const within = (key: string, outer: string) => key === outer || key.startsWith(`${outer}.`);
    // A seed with every key the import maps, and one whose flamenco_manager_yaml has variables
    // (they supersede the seed's Blender keys) and whose flamenco_version is a version name.
    const seeds = [
      `enabled: true
flamenco_manager_port_host: 8485
flamenco_manager_port_container: 8081
flamenco_storage: /srv/flamenco/storage
flamenco_shared_storage: /srv/flamenco/shared
flamenco_version: https://mirror.studio.lan/flamenco-3.7-linux-amd64.tar.gz
env: {LANDSCAPE: show, DOT_LANDSCAPES: /srv/landscapes}
local_environment_variables: {TZ: Europe/Zurich, STUDIO: north}
flamenco_variables_blender_platform_linux: /opt/blender/blender
flamenco_variables_blender_platform_windows: C:/Blender/blender.exe
flamenco_variables_blender_platform_darwin: /Applications/Blender.app/Contents/MacOS/Blender
flamenco_variables_blender_commandline_args: ["-b"]
flamenco_manager_yaml:
  manager_name: Farm
  database_check_period: 5m
  task_timeout: 5m
  worker_timeout: 2m
  blocklist_threshold: 2
  task_fail_after_softfail_count: 2
  autodiscoverable: false
  shaman: {enabled: true, garbageCollect: {period: 1h, maxAge: 2h, extraCheckoutPaths: []}}
  mqtt: {client: {broker: "tcp://mqtt:1883", clientID: farm, topic_prefix: flamenco, username: farm, password: hunter2}}
`,
      `flamenco_version: version_3_6
flamenco_manager_yaml:
  variables: {storage: {values: [{platform: all, value: /srv}]}}
`,
    ].map((text) => mapSeedConfig(parseSeedConfig(text, "/store/OpenStudioLandscapes-Flamenco/config.yml")));
    const landed = seeds.flatMap((mapping) =>
      mapping.entries.flatMap((entry) => entry.seedKey.split(", ").map((seedKey) => ({ seedKey, path: entry.path }))),
    );

    const undocumented = landed
      .filter(({ seedKey, path: stackPath }) => !documentedFor(stackPath).some((doc) => within(seedKey, doc)))
      .map(({ seedKey, path: stackPath }) => `${seedKey} -> ${stackPath.join(".")}`);
    expect(undocumented).toEqual([]);

    const attention = seeds.flatMap((mapping) => mapping.attention);
    const notLanding = Object.entries(documented).flatMap(([stackKey, seedKeys]) =>
      seedKeys
        .filter(
          (seedKey) =>
            !landed.some(
              (entry) =>
                within(entry.seedKey, seedKey) && within(rulePath(entry.path.join("."), schemaPaths), stackKey),
            ) && !attention.some((text) => text.startsWith(`${seedKey}:`) && text.includes(stackKey)),
        )
        .map((seedKey) => `${seedKey} -> ${stackKey}`),
    );
    expect(notLanding).toEqual([]);
  });

  it("describes exactly the outputs the program returns", () => {
    // Checked by the type checker (npm test): a new output, or a documented one the program no
    // longer returns, fails to compile here.
    type Outputs = ReturnType<typeof landscapeStack>;
    type OutputName = Outputs extends unknown ? keyof Outputs : never;
    type Documented = keyof typeof STACK_OUTPUTS;
    const exact: [OutputName] extends [Documented] ? ([Documented] extends [OutputName] ? true : false) : false = true;
    expect(exact).toBe(true);
  });
});

/** A small schema with one key of each kind the renderers handle. */
const tinySchema = z.strictObject({
  name: z
    .string({ error: "a name" })
    .regex(/^[a-z]+$/, { error: "lowercase letters" })
    .meta({ description: "The `name` of it.", derivedDefault: "the stack name" }),
  port: z
    .int({ error: "a port" })
    .min(1, { error: "a port" })
    .default(8080)
    .meta({ description: "The port. It listens there." }),
  tags: z
    .array(z.string({ error: "a tag" }))
    .default([])
    .meta({ description: "Tags, such as `a`." }),
  hosts: z
    .array(
      z.strictObject(
        {
          host: z.string().meta({ description: "Host name." }),
          gpus: z
            .union([z.literal("all"), z.number().meta({ type: "integer" })])
            .optional()
            .meta({ description: "GPUs." }),
        },
        { error: "an object {host, gpus?}" },
      ),
    )
    .optional()
    .meta({ description: "Hosts." }),
  env: z
    .record(z.string().regex(/^[A-Z_]+$/, { error: "[A-Z_]* names like <NAME>" }), z.string())
    .default({ HOME_DIR: "/home" })
    .meta({ description: "Variables." }),
  enabled: z.boolean({ error: "true or false" }).default(true).meta({ description: "Whether it is on." }),
});

describe("the renderers, on a small schema", () => {
  const keys = describeSchema(tinySchema);

  it("render an index table and a section per key, nested keys after their parent", () => {
    expect(renderKeys(keys, { name: ["seed_name"], "hosts.*.gpus": ["gpu_count", "gpu_all"] })).toBe(
      `| stack key | type | default | seed key |
|---|---|---|---|
| [\`name\`](#name) | string | the stack name | \`seed_name\` |
| [\`port\`](#port) | integer | \`8080\` |  |
| [\`tags\`](#tags) | list of string | \`[]\` |  |
| [\`hosts\`](#hosts) | list of object | none |  |
| [\`hosts[].host\`](#hostshost) | string | required |  |
| [\`hosts[].gpus\`](#hostsgpus) | "all" or integer | none | \`gpu_count\`, \`gpu_all\` |
| [\`env\`](#env) | map of string | \`{ HOME_DIR: /home }\` |  |
| [\`enabled\`](#enabled) | boolean | \`true\` |  |

### \`name\`

The \`name\` of it.

Accepts: a name; lowercase letters.

### \`port\`

The port. It listens there.

Accepts: a port.

### \`tags\`

Tags, such as \`a\`.

Accepts: each item: a tag.

### \`hosts\`

Hosts.

Accepts: each item: an object {host, gpus?}.

### \`hosts[].host\`

Host name.

### \`hosts[].gpus\`

GPUs.

### \`env\`

Variables.

Accepts: each name: [A-Z\\_]\\* names like \\<NAME>.

### \`enabled\`

Whether it is on.

Accepts: true or false.`,
    );
  });

  it("refuse a key without a description", () => {
    const undescribed = describeSchema(z.strictObject({ bare: z.string() }));
    expect(() => renderKeys(undescribed, {})).toThrow("bare has no description");
  });

  it("declare in Pulumi.yaml the top-level keys of a plain type with a fixed default, and name the others", () => {
    expect(
      renderPulumiConfigBlock(keys, { schemaFile: "schema.ts", referenceFile: "reference.md", secretKeys: ["token"] }),
    ).toBe(`config:
  # Generated by \`npm run docs\` from schema.ts; reference.md documents every key. Declared here: the
  # keys of a plain type with a fixed default, which Pulumi applies to every stack. Not declared:
  # objects, maps and lists of objects, which a project file cannot type (hosts, env); keys whose
  # default the program derives or that have none, which a declaration would make required (name);
  # secrets (token).
  port:
    type: integer
    default: 8080
    description: The port.
  tags:
    type: array
    items:
      type: string
    default: []
    description: Tags, such as a.
  enabled:
    type: boolean
    default: true
    description: Whether it is on.`);
  });

  it("replace only Pulumi.yaml's config block, up to the next top-level line", () => {
    const project = `name: tiny
# the program
config:
  old:
    default: 1
  # a comment of the block

main: index.ts
`;
    expect(replaceConfigBlock(project, "config:\n  new: 2")).toBe(`name: tiny
# the program
config:
  new: 2

main: index.ts
`);
    expect(replaceConfigBlock("name: tiny\n", "config:\n  new: 2")).toBe("name: tiny\nconfig:\n  new: 2\n");
  });
});
