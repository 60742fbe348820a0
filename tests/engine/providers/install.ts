/**
 * Installs the provider STAND-INS (docker.ts, command.ts) into a PULUMI_HOME of the tests' own,
 * under the names and versions of the official plugins the program's SDKs ask for
 * (@pulumi/docker 5.2.0, @pulumi/command 1.2.1), with `pulumi plugin install --file`. Nothing
 * is installed into the user's own ~/.pulumi.
 *
 * Each plugin is a two-line launcher that runs its TypeScript file with node; the engine starts
 * it with its own address as the argument.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..", "..");

export const STAND_IN_PLUGINS = [
  { name: "docker", version: "5.2.0", source: path.join(__dirname, "docker.ts") },
  { name: "command", version: "1.2.1", source: path.join(__dirname, "command.ts") },
] as const;

/** The package versions the program's SDKs pin: the plugins must carry the same. */
export function sdkPluginVersion(name: "docker" | "command"): string {
  const manifest = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, "node_modules", "@pulumi", name, "package.json"), "utf8"),
  ) as { version: string; pulumi?: { version?: string } };
  return manifest.pulumi?.version ?? manifest.version;
}

export function launcherScript(source: string): string {
  return [
    "#!/bin/sh",
    `# STAND-IN plugin (${path.relative(PROJECT_ROOT, source)}); the engine tests install it into their own PULUMI_HOME.`,
    `exec node -r '${path.join(PROJECT_ROOT, "tools", "transpile-on-load.js")}' '${source}' "$@"`,
    "",
  ].join("\n");
}

function pulumi(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("pulumi", args, { env, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`pulumi ${args.join(" ")} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** Installs both stand-ins into `pulumiHome` (created when missing); returns `pulumi plugin ls` there. */
export async function installProviderStandIns(pulumiHome: string): Promise<string> {
  fs.mkdirSync(pulumiHome, { recursive: true });
  const env = { ...process.env, PULUMI_HOME: pulumiHome, PULUMI_SKIP_UPDATE_CHECK: "true" };
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "provider-stand-ins-"));
  try {
    for (const plugin of STAND_IN_PLUGINS) {
      const folder = path.join(staging, plugin.name);
      fs.mkdirSync(folder);
      const launcher = path.join(folder, `pulumi-resource-${plugin.name}`);
      fs.writeFileSync(launcher, launcherScript(plugin.source), { mode: 0o755 });
      await pulumi(
        ["plugin", "install", "resource", plugin.name, plugin.version, "--file", folder, "--reinstall"],
        env,
      );
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return pulumi(["plugin", "ls"], env);
}
