// The types of shared-names.js, for TypeScript that does not read JavaScript: Pulumi's Node.js
// host runs the component package with its own compiler options. A test keeps the two equal.
export declare const LABEL_PREFIX: "org.openstudiolandscapes";
export declare const LANDSCAPE_LABEL: "org.openstudiolandscapes.landscape";
export declare const FEATURE_LABEL: "org.openstudiolandscapes.feature";
export declare const FLAMENCO_VERSION_LABEL: "org.openstudiolandscapes.flamenco.version";
export declare const DATABASE_FILE: "flamenco-manager.sqlite";
export declare const DATABASE_VERSION_FILE: "flamenco-manager.sqlite.version";
