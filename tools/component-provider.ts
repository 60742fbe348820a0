/**
 * The component package's provider plugin: serves FlamencoLandscape (component.ts) to the Pulumi
 * engine, which constructs it for programs in other languages. Started by the launcher
 * tools/pulumi-resource-flamenco-landscape, with the engine's address as its argument.
 */
import * as path from "path";
import { componentProviderHost, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as componentPackage from "../component";

/** The package's name: package.json's, and the first part of the component's type token. */
export const PACKAGE_NAME = "flamenco-landscape";
export const PROJECT_DIRECTORY = path.resolve(__dirname, "..");

if (require.main === module) {
  void componentProviderHost({
    components: getPulumiComponents(componentPackage),
    dirname: PROJECT_DIRECTORY,
    name: PACKAGE_NAME,
  });
}
