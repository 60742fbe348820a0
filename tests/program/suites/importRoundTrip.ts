/**
 * The import round trip: the stack file `npm run import-config` writes from a fixture store,
 * run through the program under mocks, gives the manager container the seed would have run.
 */
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { FEATURE, store, useImportScratch } from "../../unit/support/importCli";
import { runProgram } from "../harness";

const SHA256 = "cd".repeat(32);

describe("round trip: import, then run the program with the resulting stack file", () => {
  const { cli, stackConfig } = useImportScratch();

  async function deploy(stack: string) {
    const run = await runProgram({ stack, config: stackConfig(stack) });
    const containers = run.ofType("docker:index/container:Container");
    expect(containers).toHaveLength(1);
    const fetches = run
      .ofType("command:local:Command")
      .filter((command) => String(command.inputs.create).includes("fetch-release"));
    expect(fetches).toHaveLength(1);
    return { run, container: containers[0].inputs, release: fetches[0].inputs.environment as Record<string, string> };
  }

  test("the README's config.yml: the seed's manager container", async () => {
    expect(cli(["--store", store("documented"), "--stack", "studio-a"]).code).toBe(0);
    const { container, release } = await deploy("studio-a");
    const feature = path.join(os.homedir(), ".openstudiolandscapes", "landscapes", "studio-a", FEATURE);
    expect(container.name).toBe("flamenco-manager--studio-a");
    expect(container.restart).toBe("always");
    expect(container.ports).toEqual([{ internal: 8080, external: 8484, ip: "0.0.0.0" }]);
    expect(container.volumes).toEqual([
      { hostPath: `${feature}/flamenco-manager.yaml`, containerPath: "/app/flamenco-manager.yaml", readOnly: true },
      { hostPath: `${feature}/storage`, containerPath: "/app/flamenco-manager-storage", readOnly: false },
      { hostPath: `${feature}/shared_storage`, containerPath: "/app/flamenco-manager-storage-shared", readOnly: false },
    ]);
    expect(release.FLAMENCO_RELEASE_URL).toBe("https://flamenco.blender.org/downloads/flamenco-3.7-linux-amd64.tar.gz");
  });

  test("custom placeholders: ports and storage paths as the store had them", async () => {
    expect(cli(["--store", store("custom-placeholders")]).code).toBe(0);
    const { container, release } = await deploy("studio-a");
    expect(container.name).toBe("flamenco-manager--studio-a");
    expect(container.ports).toEqual([{ internal: 8080, external: 9484, ip: "0.0.0.0" }]);
    expect(container.volumes).toEqual([
      {
        hostPath: `/srv/openstudiolandscapes/.landscapes/studio-a/${FEATURE}/flamenco-manager.yaml`,
        containerPath: "/app/flamenco-manager.yaml",
        readOnly: true,
      },
      {
        hostPath: path.join(os.homedir(), "flamenco", "studio-a", FEATURE, "manager-storage"),
        containerPath: "/app/flamenco-manager-storage",
        readOnly: false,
      },
      {
        hostPath: "/mnt/studio/.shared_volumes/render/studio-a",
        containerPath: "/app/flamenco-manager-storage-shared",
        readOnly: false,
      },
    ]);
    expect(release.FLAMENCO_RELEASE_URL).toBe(
      "https://flamenco.blender.org/downloads/flamenco-3.8.2-linux-amd64.tar.gz",
    );
  });

  test("a newer seed: landscape id, environment and the manager's yaml settings", async () => {
    expect(cli(["--store", store("newer-seed"), "--stack", "studio-a"]).code).toBe(0);
    const landscape = "2025-12-14-19-18-32-49ccd914b2a94c3480c99baed42570af";
    const { run, container } = await deploy("studio-a");
    expect(container.name).toBe(`flamenco-manager--${landscape}`);
    expect(container.envs).toEqual(["TZ=Europe/Zurich", "STUDIO=acme"]);
    expect(container.volumes).toContainEqual({
      hostPath: `/srv/openstudiolandscapes/.landscapes/${landscape}/${FEATURE}/storage`,
      containerPath: "/app/flamenco-manager-storage",
      readOnly: false,
    });
    const files = run
      .ofType("command:local:Command")
      .find((command) => String(command.inputs.create).includes("write-manager-files"));
    const managerYaml = parse(String(files?.inputs.stdin)) as Record<string, unknown>;
    expect(managerYaml).toEqual(
      expect.objectContaining({
        manager_name: "OpenStudioLandscapes-Flamenco",
        task_timeout: "10m0s",
        database_check_period: "10m0s",
        listen: ":8080",
      }),
    );
    expect((managerYaml.variables as Record<string, unknown>).blenderArgs).toEqual({
      values: [{ platform: "all", audience: "all", value: "--background --debug --enable-autoexec" }],
    });
  });

  test("an unknown version url: pulumi up refuses until the sha256 is added", async () => {
    expect(cli(["--store", store("unknown-version-url"), "--stack", "studio-a"]).code).toBe(0);
    await expect(runProgram({ stack: "studio-a", config: stackConfig("studio-a") })).rejects.toThrow(
      /flamencoRelease\.sha256/,
    );
  });

  test("an unknown version url with the sha256 added: the release is fetched from it and checked against it", async () => {
    expect(cli(["--store", store("unknown-version-url"), "--stack", "studio-a"]).code).toBe(0);
    const config = stackConfig("studio-a");
    const withSha = {
      ...config,
      "flamenco-landscape:flamencoRelease": {
        ...(config["flamenco-landscape:flamencoRelease"] as object),
        sha256: SHA256,
      },
    };
    const run = await runProgram({ stack: "studio-a", config: withSha });
    const fetch = run
      .ofType("command:local:Command")
      .find((command) => String(command.inputs.create).includes("fetch-release"));
    expect((fetch?.inputs.environment as Record<string, string>).FLAMENCO_RELEASE_SHA256).toBe(SHA256);
  });
});
