// @ts-check
"use strict";
/**
 * The names the program and its scripts share: the Docker labels they put on what they create,
 * and the manager's database file. A CommonJS module, so the scripts (run by node directly) and
 * the TypeScript program share it; shared-names.d.ts gives its types to TypeScript that does not read
 * JavaScript (the component package, run by Pulumi's Node.js host from a consumer's directory).
 */
const LABEL_PREFIX = "org.openstudiolandscapes";
/** The landscape a network or container belongs to. */
const LANDSCAPE_LABEL = `${LABEL_PREFIX}.landscape`;
/** What a container is: flamenco-manager, flamenco-worker, flamenco-worker-home. */
const FEATURE_LABEL = `${LABEL_PREFIX}.feature`;
/** The Flamenco version a manager container runs. */
const FLAMENCO_VERSION_LABEL = `${LABEL_PREFIX}.flamenco.version`;

/** The manager's database, as its config names it and the backup script copies it. */
const DATABASE_FILE = "flamenco-manager.sqlite";
/**
 * Beside the database: the Flamenco version that last started on it, written by the manager
 * container as it starts, so a backup is named for the version that wrote its data.
 */
const DATABASE_VERSION_FILE = "flamenco-manager.sqlite.version";

module.exports = {
  LABEL_PREFIX,
  LANDSCAPE_LABEL,
  FEATURE_LABEL,
  FLAMENCO_VERSION_LABEL,
  DATABASE_FILE,
  DATABASE_VERSION_FILE,
};
