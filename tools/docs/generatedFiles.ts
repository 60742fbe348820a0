/**
 * The files `npm run docs` writes, rendered from the config schema and the code around it: the
 * configuration reference and Pulumi.yaml's config block. The docs test renders the same and
 * compares.
 */
import * as path from "path";
import { CROSS_KEY_RULES } from "../../components/config/crossKeyRules";
import { SECRET_KEY_DOCS, stackConfigSchema } from "../../components/config/schema";
import { PROJECT } from "../../components/config/shown";
import { NOT_APPLICABLE, seedKeysByStackKey } from "../importConfig/mapping";
import { renderConfigurationReference } from "./configurationReference";
import { describeSchema, KeyReference } from "./keyReference";
import { STACK_OUTPUTS } from "./outputs";
import { renderPulumiConfigBlock, replaceConfigBlock } from "./pulumiYamlConfig";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
export const SCHEMA_FILE = "components/config/schema.ts";
export const REFERENCE_FILE = "docs/configuration.md";
export const PROJECT_FILE = "Pulumi.yaml";

export interface GeneratedFile {
  /** Relative to the project root. */
  file: string;
  text: string;
}

/** Every key of the reference: the schema's, then the secrets read beside it. */
export function referenceKeys(): KeyReference[] {
  const secrets = Object.entries(SECRET_KEY_DOCS).map(([name, doc]): KeyReference => ({
    path: name,
    display: name,
    type: "string, secret",
    defaultText: "none",
    accepts: [doc.accepts],
    description: doc.description,
  }));
  return [...describeSchema(stackConfigSchema), ...secrets];
}

/** The generated files; `read` gives a project file's current text (Pulumi.yaml keeps all but its config block). */
export function generatedFiles(read: (file: string) => string): GeneratedFile[] {
  const keys = referenceKeys();
  const reference = renderConfigurationReference({
    project: PROJECT,
    schemaFile: SCHEMA_FILE,
    keys,
    seedKeys: seedKeysByStackKey(),
    refusals: CROSS_KEY_RULES.map((rule) => rule.refuses),
    seedKeysWithoutStackKey: NOT_APPLICABLE,
    outputs: STACK_OUTPUTS,
  });
  const configBlock = renderPulumiConfigBlock(keys, {
    schemaFile: SCHEMA_FILE,
    referenceFile: REFERENCE_FILE,
    secretKeys: Object.keys(SECRET_KEY_DOCS),
  });
  return [
    { file: REFERENCE_FILE, text: reference },
    { file: PROJECT_FILE, text: replaceConfigBlock(read(PROJECT_FILE), configBlock) },
  ];
}
