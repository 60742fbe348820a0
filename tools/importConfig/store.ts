import * as path from "path";
import { expandHome, FEATURE_DIRECTORY } from "../../components/config/placeholders";

/** The seed's config store: one folder per feature, each with a config.yml. */
export const STORE_ENVIRONMENT_VARIABLE = "OPENSTUDIOLANDSCAPES__CONFIGSTORE_ROOT";
export const DEFAULT_STORE = "~/.config/OpenStudioLandscapes/config-store";
const CONFIG_FILE_NAME = "config.yml";

export type StoreSource = "--store" | `$${typeof STORE_ENVIRONMENT_VARIABLE}` | "default location";

export interface StoreLocation {
  /** Absolute store root. */
  root: string;
  source: StoreSource;
}

/**
 * Where the store is, in the seed's order: `--store`, then
 * `$OPENSTUDIOLANDSCAPES__CONFIGSTORE_ROOT`, then `~/.config/OpenStudioLandscapes/config-store`.
 * Relative paths are taken from `cwd`.
 */
export function resolveStore(options: {
  store?: string;
  env: Readonly<Record<string, string | undefined>>;
  homeDirectory: string;
  cwd: string;
}): StoreLocation {
  const fromEnvironment = options.env[STORE_ENVIRONMENT_VARIABLE];
  const [value, source]: [string, StoreSource] =
    options.store !== undefined && options.store !== ""
      ? [options.store, "--store"]
      : fromEnvironment !== undefined && fromEnvironment !== ""
        ? [fromEnvironment, `$${STORE_ENVIRONMENT_VARIABLE}`]
        : [DEFAULT_STORE, "default location"];
  return { root: path.resolve(options.cwd, expandHome(value, options.homeDirectory)), source };
}

/**
 * Candidate config files for a store root, best first: `<root>/OpenStudioLandscapes-Flamenco/config.yml`;
 * also accepted: the feature folder itself, or the config.yml file, given as the store.
 */
export function seedConfigCandidates(root: string): string[] {
  const candidates = [path.join(root, FEATURE_DIRECTORY, CONFIG_FILE_NAME)];
  if (path.basename(root) === FEATURE_DIRECTORY) candidates.push(path.join(root, CONFIG_FILE_NAME));
  if (path.basename(root) === CONFIG_FILE_NAME && path.basename(path.dirname(root)) === FEATURE_DIRECTORY)
    candidates.push(root);
  return candidates;
}
