/**
 * The stack outputs, in the order components/landscapeStack.ts returns them, as the
 * configuration reference describes them (an example, then what it is for). The docs test
 * checks at compile time that these are exactly the outputs the program returns.
 */
export const STACK_OUTPUTS = {
  enabled:
    "whether the farm is deployed for this landscape; with `enabled: false`, `enabled` and `status` are the only outputs",
  status: '`Flamenco manager of landscape "dev"`, or why nothing is deployed',
  managerUrl:
    "the `managerUrl` key, by default `http://flamenco-manager.openstudiolandscapes.lan:8484`: for browsers and workers in the studio (the default needs the studio's DNS)",
  managerLocalUrl: "`http://127.0.0.1:8484`: on the host that runs the manager",
  workerManagerUrl: "`http://flamenco-manager:8080`: for workers on the landscape network",
  workerCommand: "`flamenco-worker -manager <managerUrl>`: to start a worker by hand on another machine",
  networkName: "`openstudiolandscapes-dev`: the landscape network",
  imageName: "`openstudiolandscapes/flamenco-manager:dev-3.7`: the manager image",
  imageId: "`sha256:…`: the manager image's id",
  managerContainerName: "`flamenco-manager--dev`",
  configFile: "host path of `flamenco-manager.yaml`",
  storagePath: "host path of the manager's storage (`storage`, expanded)",
  sharedStoragePath: "host path of the shared storage (`sharedStorage`, expanded)",
  newestBackup:
    "`…/storage/backups/2026-11-29T10-15-03.123Z-3.7`: the newest database backup, named for the Flamenco version that wrote the data it holds; `null` before the first",
  workers:
    '`{"render-01": {"names": ["farm-render-01-1", …], "managerUrl": "http://flamenco-manager.studio.lan:8484"}}`: per render host, its workers\' names and the URL they use; `{}` without workers',
} as const satisfies Record<string, string>;
