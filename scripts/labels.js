// @ts-check
"use strict";
/**
 * The Docker labels the program and its scripts put on what they create. A CommonJS module,
 * so the scripts (run by node directly) and the TypeScript program share it.
 */
const LABEL_PREFIX = "org.openstudiolandscapes";
/** The landscape a network or container belongs to. */
const LANDSCAPE_LABEL = `${LABEL_PREFIX}.landscape`;
/** What a container is: flamenco-manager, flamenco-worker, flamenco-worker-home. */
const FEATURE_LABEL = `${LABEL_PREFIX}.feature`;

module.exports = { LABEL_PREFIX, LANDSCAPE_LABEL, FEATURE_LABEL };
