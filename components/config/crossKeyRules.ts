import type { z } from "zod";
import { blenderArchiveVersion, isBlenderPackage } from "./blender";
import type { ConfigProblem } from "./errors";
import { overlappingPaths, UsedPath } from "./hostPaths";
import {
  hostConfigFilePath,
  hostDirectory,
  hostLayout,
  imageContextDirectory,
  managerFqdn,
  managerImageName,
  workerImageContextDirectory,
  workersRootOf,
} from "./layout";
import { officialArchiveVersion } from "./release";
import { DEFAULTS, networkSchema, stackConfigSchema, StackConfig, workerHostSchema, WorkerHostConfig } from "./schema";
import { HIDDEN, keyName, shownValue, valueAt } from "./shown";

/** What a host path is on this machine: the storage check needs the filesystem. */
export type PathKind = "missing" | "directory" | "other";

export interface CrossKeyContext {
  homeDirectory: string;
  hasMqttPassword: boolean;
  /** Looks a host path up (following symlinks); without it, nothing is looked up. */
  pathKind?: (hostPath: string) => PathKind;
}

/** Docker's limits (Linux HOST_NAME_MAX, and the tag length of its reference grammar). */
export const MAX_HOSTNAME_LENGTH = 64;
export const MAX_IMAGE_TAG_LENGTH = 128;

type Fields = Partial<StackConfig>;
type Input = Record<string, unknown>;

/**
 * The top-level keys that are valid on their own, with their defaults. Rules that span keys
 * run on these, so they report in the same error as problems of unrelated keys.
 */
export function validFields(input: Input): Fields {
  const fields: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(stackConfigSchema.shape)) {
    const result = (schema as z.ZodType).safeParse(input[key]);
    if (result.success) fields[key] = result.data;
  }
  return fields as Fields;
}

function problem(input: Input, keyPath: readonly PropertyKey[], expected: string): ConfigProblem {
  return { key: keyName(keyPath), got: shownValue(input, keyPath), expected };
}

function isSet(input: Input, keyPath: readonly PropertyKey[]): boolean {
  return valueAt(input, keyPath) !== undefined;
}

/** The network's alias and domain when each is valid, even when another network key is not. */
function validAliasAndDomain(input: Input): { alias: string; domain: string } | undefined {
  const alias = networkSchema.shape.alias.safeParse(valueAt(input, ["network", "alias"]));
  const domain = networkSchema.shape.domain.safeParse(valueAt(input, ["network", "domain"]));
  return alias.success && domain.success ? { alias: alias.data, domain: domain.data } : undefined;
}

/** Each valid render host with its index, even when another entry is not valid. */
function validWorkerHosts(input: Input): Array<{ host: WorkerHostConfig; index: number }> {
  const entries: unknown[] = Array.isArray(input.workers) ? input.workers : [];
  return entries.flatMap((entry, index) => {
    const parsed = workerHostSchema.safeParse(entry);
    return parsed.success ? [{ host: parsed.data, index }] : [];
  });
}

/**
 * An override named like an official archive of another version than flamencoVersion would
 * tag the image with one version while it holds another.
 */
function releaseVersionMismatch(raw: Input): ConfigProblem[] {
  const url = valueAt(raw, ["flamencoRelease", "url"]);
  const version = raw.flamencoVersion ?? DEFAULTS.flamencoVersion;
  if (typeof url !== "string") return [];
  const archiveVersion = officialArchiveVersion(url);
  if (archiveVersion === undefined || archiveVersion === version) return [];
  return [
    {
      key: keyName(["flamencoVersion"]),
      got: version,
      expected: `the version of the archive in flamencoRelease.url ("${archiveVersion}"), so the image tag names what it holds`,
    },
  ];
}

/** blenderRelease says where the archive comes from; blenderVersion which version it holds. */
function blenderReleaseVersion(fields: Fields, input: Input): ConfigProblem[] {
  if (!isSet(input, ["blenderRelease"])) return [];
  if (!isSet(input, ["blenderVersion"])) {
    return [
      problem(
        input,
        ["blenderVersion"],
        'a Blender release version such as "4.2.3" beside blenderRelease: the release says where the archive comes from, the version which Blender it holds',
      ),
    ];
  }
  const url = valueAt(input, ["blenderRelease", "url"]);
  const archiveVersion = typeof url === "string" ? blenderArchiveVersion(url) : undefined;
  if (fields.blenderVersion === undefined || archiveVersion === undefined || archiveVersion === fields.blenderVersion)
    return [];
  return [
    problem(
      input,
      ["blenderVersion"],
      `the version of the archive in blenderRelease.url ("${archiveVersion}"), so the worker image holds the version the stack names`,
    ),
  ];
}

/** The worker image holds one Blender: the official build, or Debian's package. */
function twoBlenders(fields: Fields, input: Input): ConfigProblem[] {
  if (fields.blenderVersion === undefined || fields.workerPackages === undefined) return [];
  return fields.workerPackages.flatMap((entry, index) =>
    isBlenderPackage(entry)
      ? [
          problem(
            input,
            ["workerPackages", index],
            `a package other than blender while blenderVersion is set: the worker image holds one Blender, and blenderVersion puts the official build ${fields.blenderVersion} there`,
          ),
        ]
      : [],
  );
}

/** workerImage is an image the stack brings; the Blender keys make the program build one. */
function workerImageAndBuild(fields: Fields, input: Input): ConfigProblem[] {
  const builds = fields.blenderVersion !== undefined || (fields.workerPackages ?? []).length > 0;
  if (fields.workerImage === undefined || !builds) return [];
  return [
    problem(
      input,
      ["workerImage"],
      "no workerImage while blenderVersion or workerPackages is set: with them the program builds the worker image itself; leave them out to run an image of your own",
    ),
  ];
}

function hostnameTooLong(input: Input): ConfigProblem[] {
  const network = validAliasAndDomain(input);
  if (network === undefined) return [];
  const hostname = managerFqdn({ network });
  if (hostname.length <= MAX_HOSTNAME_LENGTH) return [];
  const blamed = isSet(input, ["network", "alias"]) && !isSet(input, ["network", "domain"]) ? "alias" : "domain";
  return [
    problem(
      input,
      ["network", blamed],
      `a shorter network.alias or network.domain: the manager's hostname "${hostname}" has ${hostname.length} characters; Docker allows at most ${MAX_HOSTNAME_LENGTH}`,
    ),
  ];
}

function imageTagTooLong(fields: Fields, input: Input): ConfigProblem[] {
  if (fields.landscape === undefined || fields.flamencoVersion === undefined) return [];
  const image = managerImageName(fields.landscape, fields.flamencoVersion);
  const tag = image.slice(image.lastIndexOf(":") + 1);
  if (tag.length <= MAX_IMAGE_TAG_LENGTH) return [];
  // A landscape name has at most 63 characters, so only a long flamencoVersion can get here.
  return [
    problem(
      input,
      ["flamencoVersion"],
      `a shorter flamencoVersion or landscape: the image tag "${tag}" has ${tag.length} characters; Docker allows at most ${MAX_IMAGE_TAG_LENGTH}`,
    ),
  ];
}

function rootUser(fields: Fields, input: Input): ConfigProblem[] {
  if (fields.managerUser === undefined || fields.allowRootUser !== false) return [];
  if (Number(fields.managerUser.split(":")[0]) !== 0) return [];
  return [
    problem(
      input,
      ["managerUser"],
      "a uid other than 0 (root), unless allowRootUser is true: root in the manager and worker containers is root over the storage they mount",
    ),
  ];
}

function passwordWithoutBroker(input: Input, context: CrossKeyContext): ConfigProblem[] {
  if (!context.hasMqttPassword || isSet(input, ["manager", "mqtt"])) return [];
  return [
    {
      key: keyName(["mqttPassword"]),
      got: HIDDEN,
      expected:
        'manager.mqtt with a broker: the password is only used for it (or remove it: "pulumi config rm mqttPassword")',
    },
  ];
}

/** Host paths on this machine that the program writes, mounts or replaces wholesale. */
function usedPaths(fields: Fields, input: Input, homeDirectory: string): UsedPath[] | undefined {
  const { landscape, landscapesRoot, storage, sharedStorage } = fields;
  if (landscape === undefined || landscapesRoot === undefined) return undefined;
  // An invalid storage key is reported on its own; the default stands in so the rest is checked.
  const layout = hostLayout(
    {
      landscape,
      landscapesRoot,
      storage: storage ?? DEFAULTS.storage,
      sharedStorage: sharedStorage ?? DEFAULTS.sharedStorage,
    },
    homeDirectory,
  );
  const derived = (label: string, hostPath: string): UsedPath => ({
    keyPath: ["landscapesRoot"],
    label,
    path: hostPath,
    setByStack: false,
  });
  const own = (key: string, hostPath: string): UsedPath => ({
    keyPath: [key],
    label: key,
    path: hostDirectory(hostPath),
    setByStack: isSet(input, [key]),
  });
  const workersRoots = validWorkerHosts(input).flatMap(({ host, index }): UsedPath[] =>
    host.dockerHost === undefined
      ? [
          {
            keyPath: ["workers", index, "workersRoot"],
            label: `workers.${index}.workersRoot`,
            path: workersRootOf(host, layout.featureDirectory),
            setByStack: host.workersRoot !== undefined,
            group: "workersRoot",
          },
        ]
      : [],
  );
  return [
    derived("the release cache", layout.releaseCacheDirectory),
    derived("the config file", hostConfigFilePath(layout)),
    derived("the image build context", imageContextDirectory(layout)),
    derived("the worker image build context", workerImageContextDirectory(layout)),
    ...(storage === undefined ? [] : [own("storage", layout.storage.manager)]),
    ...(sharedStorage === undefined ? [] : [own("sharedStorage", layout.storage.shared)]),
    ...workersRoots,
  ];
}

function clobberedStorage(fields: Fields, input: Input, context: CrossKeyContext): ConfigProblem[] {
  const paths = usedPaths(fields, input, context.homeDirectory);
  if (paths === undefined) return [];
  const overlaps = overlappingPaths(paths).map((overlap) =>
    problem(
      input,
      overlap.keyPath,
      `a directory apart from every other one the program uses: ${overlap.reasons.join("; ")}`,
    ),
  );
  const { pathKind } = context;
  const notDirectories =
    pathKind === undefined
      ? []
      : paths
          .filter((used) => used.keyPath[0] !== "landscapesRoot" && pathKind(used.path) === "other")
          .map((used) =>
            problem(
              input,
              used.keyPath,
              `a directory or a path that does not exist yet (${JSON.stringify(used.path)} exists and is not a directory)`,
            ),
          );
  return [...overlaps, ...notDirectories];
}

/** A rule that spans keys: what it refuses, as the configuration reference says it, and its check. */
export interface CrossKeyRule {
  refuses: string;
  problems(fields: Fields, input: Input, context: CrossKeyContext): ConfigProblem[];
}

/** The rules no single key shows: limits on combined names, storage overlaps, key dependencies. */
export const CROSS_KEY_RULES: readonly CrossKeyRule[] = [
  {
    refuses:
      "a `flamencoRelease.url` named like an official archive of another version than `flamencoVersion`: the image tag would name another version than it holds",
    problems: (_fields, input) => releaseVersionMismatch(input),
  },
  {
    refuses:
      "`blenderRelease` without `blenderVersion`, or with a url named like an official archive of another version",
    problems: blenderReleaseVersion,
  },
  {
    refuses: "`blender` in `workerPackages` while `blenderVersion` is set: the worker image holds one Blender",
    problems: twoBlenders,
  },
  {
    refuses:
      "`workerImage` together with `blenderVersion` or `workerPackages`: with them the program builds the worker image itself",
    problems: workerImageAndBuild,
  },
  {
    refuses: `a manager hostname \`<network.alias>.<network.domain>\` over ${MAX_HOSTNAME_LENGTH} characters (Docker's limit)`,
    problems: (_fields, input) => hostnameTooLong(input),
  },
  {
    refuses: `an image tag \`<landscape>-<flamencoVersion>\` over ${MAX_IMAGE_TAG_LENGTH} characters (Docker's limit)`,
    problems: imageTagTooLong,
  },
  {
    refuses: "a `managerUser` with uid 0 (root) unless `allowRootUser` is `true`",
    problems: rootUser,
  },
  {
    refuses: "`mqttPassword` without `manager.mqtt`",
    problems: (_fields, input, context) => passwordWithoutBroker(input, context),
  },
  {
    refuses:
      "storage that could be clobbered: `storage`, `sharedStorage`, the `workersRoot` of each host without `dockerHost`, the config file, the release cache and the image build contexts must each be apart from the others, none equal to or inside another; and `storage`, `sharedStorage` or such a `workersRoot` that exists as something other than a directory",
    problems: clobberedStorage,
  },
];

/** Problems no single key shows, of every rule in {@link CROSS_KEY_RULES}. */
export function crossKeyProblems(input: Input, context: CrossKeyContext): ConfigProblem[] {
  const fields = validFields(input);
  return CROSS_KEY_RULES.flatMap((rule) => rule.problems(fields, input, context));
}
