// @ts-check
"use strict";
/**
 * Fetches a Flamenco release archive into the shared release cache, verifies its sha256
 * and stages the manager image's build context. The `release` command of the program runs
 * this at `pulumi up` (never at preview). Settings come from environment variables (see
 * readRequest); the result is one JSON line on stdout; progress goes to stderr.
 *
 * Guarantees: nothing unverified ever lands in the cache or the build context (downloads
 * go to a partial file that is verified, then renamed), and a cache entry that still
 * matches its recorded digest is reused without touching the network.
 */
const fs = require("fs");
const fsp = require("fs/promises");
const path = require("path");
const crypto = require("crypto");
const { Readable } = require("stream");
const { pipeline } = require("stream/promises");
const { fileURLToPath } = require("url");
const { writeAtomically } = require("./atomic-write");

const ARCHIVE_IN_CONTEXT = "flamenco-release.tar.gz";

/**
 * @typedef {{ url: string; archiveName: string; cacheEntry: string; sha256?: string; checksumsUrl?: string }} ReleaseRequest
 * @typedef {{ archive: string; sha256: string; downloaded: boolean }} CachedRelease
 */

/** @param {string} file */
async function sha256OfFile(file) {
  const hash = crypto.createHash("sha256");
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest("hex");
}

/** @param {string} location */
function isLocal(location) {
  return location.startsWith("/") || location.startsWith("file:");
}

/** @param {string} location */
function localPath(location) {
  return location.startsWith("file:") ? fileURLToPath(location) : location;
}

/**
 * @param {string} location
 * @returns {Promise<{ stream: NodeJS.ReadableStream; size: number | undefined }>}
 */
async function openSource(location) {
  if (isLocal(location)) {
    const file = localPath(location);
    const { size } = await fsp.stat(file).catch(() => {
      throw new Error(`Release file ${location} does not exist or cannot be read`);
    });
    return { stream: fs.createReadStream(file), size };
  }
  let response;
  try {
    response = await fetch(location, { redirect: "follow" });
  } catch (error) {
    throw new Error(`Download of ${location} failed: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`);
  }
  if (!response.ok || !response.body) {
    throw new Error(`Download of ${location} failed: HTTP ${response.status} ${response.statusText}`);
  }
  const length = Number(response.headers.get("content-length"));
  // The web stream type of fetch and the one Readable.fromWeb expects differ only in typings.
  const body = /** @type {import("stream/web").ReadableStream<Uint8Array>} */ (/** @type {unknown} */ (response.body));
  return { stream: Readable.fromWeb(body), size: Number.isFinite(length) && length > 0 ? length : undefined };
}

/** @param {string} location */
async function readText(location) {
  const { stream } = await openSource(location);
  const chunks = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The digest for `archiveName` in a `sha256sum`-format list (`<hex>  <name>` or `<hex> *<name>`).
 * @param {string} checksums
 * @param {string} archiveName
 */
function findChecksum(checksums, archiveName) {
  for (const line of checksums.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.trim());
    if (match && path.basename(match[2].trim()) === archiveName) return match[1].toLowerCase();
  }
  return undefined;
}

/** @param {number} bytes */
function mebibytes(bytes) {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/**
 * Copies the source into `target` while hashing it; reports progress every 10 %.
 * @param {string} location
 * @param {string} target
 * @param {(line: string) => void} log
 */
async function download(location, target, log) {
  const { stream, size } = await openSource(location);
  const hash = crypto.createHash("sha256");
  let received = 0;
  let nextReport = 0.1;
  const started = Date.now();
  log(`fetching ${location}${size ? ` (${mebibytes(size)})` : ""}`);
  stream.on("data", (/** @type {Buffer} */ chunk) => {
    hash.update(chunk);
    received += chunk.length;
    if (size && received / size >= nextReport) {
      log(`  ${mebibytes(received)} of ${mebibytes(size)} (${Math.floor((received / size) * 100)} %)`);
      nextReport = Math.floor((received / size) * 10) / 10 + 0.1;
    }
  });
  await pipeline(stream, fs.createWriteStream(target, { mode: 0o644 }));
  log(`  fetched ${mebibytes(received)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return hash.digest("hex");
}

/**
 * Returns the verified archive from the cache, downloading it first when needed.
 * @param {ReleaseRequest} request
 * @param {(line: string) => void} log
 * @returns {Promise<CachedRelease>}
 */
async function ensureArchive(request, log) {
  const archive = path.join(request.cacheEntry, request.archiveName);
  const record = `${archive}.sha256`;
  const cached = await cachedDigest(archive, record);
  if (cached && (!request.sha256 || cached === request.sha256.toLowerCase())) {
    log(`using cached ${archive} (sha256 ${cached})`);
    return { archive, sha256: cached, downloaded: false };
  }

  let expected = request.sha256?.toLowerCase();
  if (!expected) {
    if (!request.checksumsUrl) throw new Error(`No sha256 and no checksum list for ${request.url}`);
    log(`fetching checksum list ${request.checksumsUrl}`);
    expected = findChecksum(await readText(request.checksumsUrl), request.archiveName);
    if (!expected) throw new Error(`The checksum list ${request.checksumsUrl} has no entry for ${request.archiveName}`);
  }

  const cacheRoot = path.dirname(request.cacheEntry);
  await fsp.mkdir(cacheRoot, { recursive: true });
  const partial = path.join(cacheRoot, `.${path.basename(request.cacheEntry)}.${process.pid}.partial`);
  try {
    const actual = await download(request.url, partial, log);
    if (actual !== expected) {
      throw new Error(
        `Checksum mismatch for ${request.url}: expected sha256 ${expected}, got ${actual}. The download was discarded and nothing was cached.`,
      );
    }
    await fsp.mkdir(request.cacheEntry, { recursive: true });
    await fsp.rename(partial, archive);
    await writeAtomically(record, `${actual}  ${request.archiveName}\n`);
    log(`verified sha256 ${actual}`);
    return { archive, sha256: actual, downloaded: true };
  } finally {
    await fsp.rm(partial, { force: true });
  }
}

/**
 * The digest of a cache entry when its archive still matches its record, else undefined.
 * @param {string} archive
 * @param {string} record
 */
async function cachedDigest(archive, record) {
  const recorded = await fsp.readFile(record, "utf8").then(
    (text) => findChecksum(text, path.basename(archive)),
    () => undefined,
  );
  if (!recorded || !fs.existsSync(archive)) return undefined;
  return (await sha256OfFile(archive)) === recorded ? recorded : undefined;
}

/**
 * Makes `contextDirectory` hold exactly the Dockerfile and the verified archive. The new
 * context is assembled beside the old one and swapped in, so a build never sees half of it.
 * The archive's digest is the one ensureArchive verified, so it is not read a second time.
 * @param {{ archive: string; sha256: string }} verified
 * @param {string} contextDirectory
 * @param {string} dockerfile
 * @param {(line: string) => void} log
 */
async function stageContext(verified, contextDirectory, dockerfile, log) {
  const stagedArchive = path.join(contextDirectory, ARCHIVE_IN_CONTEXT);
  const stagedDockerfile = path.join(contextDirectory, "Dockerfile");
  const current = await fsp.readFile(stagedDockerfile, "utf8").catch(() => undefined);
  const entries = await fsp.readdir(contextDirectory).catch(() => /** @type {string[]} */ ([]));
  const onlyTheTwo = entries.length === 2 && entries.includes("Dockerfile") && entries.includes(ARCHIVE_IN_CONTEXT);
  if (current === dockerfile && onlyTheTwo && (await sha256OfFile(stagedArchive)) === verified.sha256) {
    log(`image context ${contextDirectory} is up to date`);
    return;
  }
  await fsp.mkdir(path.dirname(contextDirectory), { recursive: true });
  const staging = `${contextDirectory}.${process.pid}.staging`;
  const previous = `${contextDirectory}.${process.pid}.previous`;
  await fsp.rm(staging, { recursive: true, force: true });
  try {
    await fsp.mkdir(staging);
    await fsp.copyFile(verified.archive, path.join(staging, ARCHIVE_IN_CONTEXT));
    await fsp.writeFile(path.join(staging, "Dockerfile"), dockerfile, { mode: 0o644 });
    const hadContext = fs.existsSync(contextDirectory);
    if (hadContext) await fsp.rename(contextDirectory, previous);
    await fsp.rename(staging, contextDirectory);
    if (hadContext) await fsp.rm(previous, { recursive: true, force: true });
    log(`staged image context ${contextDirectory}`);
  } finally {
    await fsp.rm(staging, { recursive: true, force: true });
  }
}

/** @param {NodeJS.ProcessEnv} env */
function readRequest(env) {
  /** @param {string} name */
  const required = (name) => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  return {
    release: {
      url: required("FLAMENCO_RELEASE_URL"),
      archiveName: required("FLAMENCO_RELEASE_ARCHIVE"),
      cacheEntry: required("FLAMENCO_RELEASE_CACHE_ENTRY"),
      sha256: env.FLAMENCO_RELEASE_SHA256 || undefined,
      checksumsUrl: env.FLAMENCO_RELEASE_CHECKSUMS_URL || undefined,
    },
    contextDirectory: required("FLAMENCO_IMAGE_CONTEXT"),
    dockerfile: required("FLAMENCO_DOCKERFILE"),
  };
}

async function main() {
  /** @param {string} line */
  const log = (line) => process.stderr.write(`flamenco release: ${line}\n`);
  try {
    const request = readRequest(process.env);
    const cached = await ensureArchive(request.release, log);
    await stageContext(cached, request.contextDirectory, request.dockerfile, log);
    process.stdout.write(`${JSON.stringify({ ...cached, context: request.contextDirectory })}\n`);
  } catch (error) {
    process.stderr.write(`flamenco release: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

module.exports = { ensureArchive, stageContext, findChecksum, sha256OfFile, readRequest, ARCHIVE_IN_CONTEXT };

if (require.main === module) void main();
