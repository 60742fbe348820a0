/**
 * The component package's schema, read from its TypeScript declarations by the SDK's analyzer
 * (@pulumi/pulumi/provider/experimental), as the provider plugin serves it: the source of every
 * language SDK. The text is deterministic: the same declarations give the same bytes.
 */
import * as path from "path";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { FlamencoLandscape } from "../../component";

export const PACKAGE_NAME = "flamenco-landscape";
export const PROJECT_DIRECTORY = path.resolve(__dirname, "..", "..");
/** Where the schema and the Python SDK generated from it are kept, in the repository. */
export const SDK_DIRECTORY = path.join(PROJECT_DIRECTORY, "sdk");
export const SCHEMA_FILE = path.join(SDK_DIRECTORY, "schema.json");
export const PYTHON_SDK_DIRECTORY = path.join(SDK_DIRECTORY, "python");
/** Beside the Python SDK: the digest of the schema it was generated from. */
export const PYTHON_SDK_SCHEMA_DIGEST = path.join(SDK_DIRECTORY, "python.schema-sha256");

export async function packageSchema(): Promise<string> {
  const provider = new ComponentProvider({
    components: [FlamencoLandscape],
    dirname: PROJECT_DIRECTORY,
    name: PACKAGE_NAME,
  });
  return `${JSON.stringify(JSON.parse(await provider.getSchema()), null, 2)}\n`;
}
