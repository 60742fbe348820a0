// @ts-check
"use strict";
/**
 * Fetches a Flamenco release archive into the shared release cache, verifies its sha256
 * and stages an image's build context: the manager image's, or the worker image's, which may
 * also hold the official Blender build, fetched and verified the same way. The `release`
 * commands of the program run this at `pulumi up` (never at preview). Settings come from
 * environment variables (see readRequest); the result is one JSON line on stdout; progress
 * goes to stderr.
 *
 * Guarantees: nothing unverified ever lands in the cache or the build context (downloads
 * go to a partial file that is verified, then renamed), and a cache entry that still
 * matches its recorded digest is reused without touching the network. A release comes only
 * from the address the config names: redirects are followed only from https to https on the
 * same host, and sizes are bounded (DEFAULT_LIMITS); a refused source is refused before
 * anything is written.
 */
const fs = require("fs");
const fsp = require("fs/promises");
const path = require("path");
const crypto = require("crypto");
const { Readable, Transform } = require("stream");
const { pipeline } = require("stream/promises");
const { fileURLToPath } = require("url");
const { writeAtomically } = require("./atomic-write");
const { runCommand } = require("./command");
const { requiredVariable } = require("./environment");

const ARCHIVE_IN_CONTEXT = "flamenco-release.tar.gz";
const BLENDER_ARCHIVE_IN_CONTEXT = "blender-release.tar.xz";

/**
 * Largest sizes accepted, in bytes. An official checksum list is well under 1 KiB; a Linux
 * release archive (manager, worker and ffmpeg) is about 100 MiB.
 * @typedef {{ checksumListBytes: number; archiveBytes: number }} SizeLimits
 * @type {SizeLimits}
 */
const DEFAULT_LIMITS = { checksumListBytes: 64 * 1024, archiveBytes: 512 * 1024 * 1024 };
/**
 * A Blender Linux build is about 350 MiB (4.2) and grows with each series.
 * @type {SizeLimits}
 */
const BLENDER_LIMITS = { checksumListBytes: 64 * 1024, archiveBytes: 1024 * 1024 * 1024 };
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = [301, 302, 303, 307, 308];
const REDIRECT_RULE = "redirects are followed only from https to https on the same host";

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
 * Why a redirect from `from` to `to` is not followed, or undefined when it is: only https
 * vouches for the host a release comes from, so an http source is never redirected.
 * @param {URL} from
 * @param {URL} to
 */
function redirectRefusal(from, to) {
  if (from.protocol === "https:" && to.protocol === "http:") return `a downgrade from https to http (${REDIRECT_RULE})`;
  if (from.protocol !== "https:" || to.protocol !== "https:") return REDIRECT_RULE;
  if (from.host !== to.host) return `another host (${REDIRECT_RULE})`;
  return undefined;
}

/**
 * A source within its size limit.
 * @typedef {{ location: string; limit: number; what: string }} Source
 * @param {Source} source
 */
function tooLarge(source) {
  return new Error(
    `Download of ${source.location} refused: it is larger than the ${source.limit} bytes allowed for ${source.what}`,
  );
}

/**
 * The response for `location`, following only redirects redirectRefusal allows.
 * @param {string} location
 */
async function fetchFollowingSafeRedirects(location) {
  let current = new URL(location);
  for (let redirects = 0; ; redirects += 1) {
    let response;
    try {
      response = await fetch(current, { redirect: "manual" });
    } catch (error) {
      throw new Error(
        `Download of ${location} failed: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`,
      );
    }
    if (!REDIRECT_STATUSES.includes(response.status)) return response;
    await response.body?.cancel();
    const target = new URL(response.headers.get("location") ?? "", current);
    const refusal = redirectRefusal(current, target);
    if (refusal !== undefined)
      throw new Error(`Download of ${location} refused: it redirects to ${target.href}, ${refusal}`);
    if (redirects >= MAX_REDIRECTS)
      throw new Error(`Download of ${location} refused: more than ${MAX_REDIRECTS} redirects`);
    current = target;
  }
}

/**
 * Opens a source, refusing it when it is announced larger than its limit.
 * @param {Source} source
 * @returns {Promise<{ stream: NodeJS.ReadableStream; size: number | undefined }>}
 */
async function openSource(source) {
  const { location, limit } = source;
  if (isLocal(location)) {
    const file = localPath(location);
    const { size } = await fsp.stat(file).catch(() => {
      throw new Error(`Release file ${location} does not exist or cannot be read`);
    });
    if (size > limit) throw tooLarge(source);
    return { stream: fs.createReadStream(file), size };
  }
  const response = await fetchFollowingSafeRedirects(location);
  if (!response.ok || !response.body) {
    throw new Error(`Download of ${location} failed: HTTP ${response.status} ${response.statusText}`);
  }
  const length = Number(response.headers.get("content-length"));
  if (Number.isFinite(length) && length > limit) {
    await response.body.cancel();
    throw tooLarge(source);
  }
  // The web stream type of fetch and the one Readable.fromWeb expects differ only in typings.
  const body = /** @type {import("stream/web").ReadableStream<Uint8Array>} */ (/** @type {unknown} */ (response.body));
  const stream = Readable.fromWeb(body);
  // The stream is piped only after the cache directory exists; an error before that (a dropped
  // connection) stays on the stream for the pipeline to report instead of crashing the process.
  stream.on("error", () => undefined);
  return { stream, size: Number.isFinite(length) && length > 0 ? length : undefined };
}

/**
 * Passes bytes on until there are more than the source's limit, then fails: a size the
 * server did not announce is bounded too.
 * @param {Source} source
 */
function sizeGuard(source) {
  let seen = 0;
  return new Transform({
    transform(chunk, _encoding, callback) {
      seen += chunk.length;
      callback(seen > source.limit ? tooLarge(source) : null, chunk);
    },
  });
}

/** @param {Source} source */
async function readText(source) {
  const { stream } = await openSource(source);
  /** @type {Buffer[]} */
  const chunks = [];
  await pipeline(stream, sizeGuard(source), async (/** @type {AsyncIterable<Buffer>} */ guarded) => {
    for await (const chunk of guarded) chunks.push(Buffer.from(chunk));
  });
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
 * Copies an opened source into `target` while hashing it; reports progress every 10 %.
 * @param {Source} source
 * @param {{ stream: NodeJS.ReadableStream; size: number | undefined }} opened
 * @param {string} target
 * @param {(line: string) => void} log
 */
async function download(source, opened, target, log) {
  const { location } = source;
  const { stream, size } = opened;
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
  await pipeline(stream, sizeGuard(source), fs.createWriteStream(target, { mode: 0o644 }));
  log(`  fetched ${mebibytes(received)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return hash.digest("hex");
}

/**
 * Returns the verified archive from the cache, downloading it first when needed.
 * @param {ReleaseRequest} request
 * @param {(line: string) => void} log
 * @param {SizeLimits} [limits]
 * @returns {Promise<CachedRelease>}
 */
async function ensureArchive(request, log, limits = DEFAULT_LIMITS) {
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
    const list = { location: request.checksumsUrl, limit: limits.checksumListBytes, what: "a checksum list" };
    expected = findChecksum(await readText(list), request.archiveName);
    if (!expected) throw new Error(`The checksum list ${request.checksumsUrl} has no entry for ${request.archiveName}`);
  }

  // Opened before anything is written, so a refused source leaves no trace.
  const source = { location: request.url, limit: limits.archiveBytes, what: "a release archive" };
  const opened = await openSource(source);
  const cacheRoot = path.dirname(request.cacheEntry);
  await fsp.mkdir(cacheRoot, { recursive: true });
  const partial = path.join(cacheRoot, `.${path.basename(request.cacheEntry)}.${process.pid}.partial`);
  try {
    const actual = await download(source, opened, partial, log);
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
 * Makes `contextDirectory` hold exactly the Dockerfile, the verified archive and the `extra`
 * verified files (each under its name in the context). The new context is assembled beside
 * the old one and swapped in, so a build never sees half of it. The digests are the ones
 * ensureArchive verified, so the cache is not read a second time.
 * @typedef {{ archive: string; sha256: string; name: string }} StagedFile
 * @param {{ archive: string; sha256: string }} verified
 * @param {string} contextDirectory
 * @param {string} dockerfile
 * @param {(line: string) => void} log
 * @param {StagedFile[]} [extra]
 */
async function stageContext(verified, contextDirectory, dockerfile, log, extra = []) {
  const files = [{ ...verified, name: ARCHIVE_IN_CONTEXT }, ...extra];
  const stagedDockerfile = path.join(contextDirectory, "Dockerfile");
  const current = await fsp.readFile(stagedDockerfile, "utf8").catch(() => undefined);
  const entries = await fsp.readdir(contextDirectory).catch(() => /** @type {string[]} */ ([]));
  const expected = ["Dockerfile", ...files.map((file) => file.name)];
  const onlyThese = entries.length === expected.length && expected.every((name) => entries.includes(name));
  if (current === dockerfile && onlyThese && (await allStaged(files, contextDirectory))) {
    log(`image context ${contextDirectory} is up to date`);
    return;
  }
  await fsp.mkdir(path.dirname(contextDirectory), { recursive: true });
  const staging = `${contextDirectory}.${process.pid}.staging`;
  const previous = `${contextDirectory}.${process.pid}.previous`;
  await fsp.rm(staging, { recursive: true, force: true });
  try {
    await fsp.mkdir(staging);
    for (const file of files) await fsp.copyFile(file.archive, path.join(staging, file.name));
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

/**
 * Whether every file is in the context with its verified digest.
 * @param {StagedFile[]} files
 * @param {string} contextDirectory
 */
async function allStaged(files, contextDirectory) {
  for (const file of files) {
    if ((await sha256OfFile(path.join(contextDirectory, file.name))) !== file.sha256) return false;
  }
  return true;
}

/**
 * An archive's request from the variables `<prefix>_URL`, `_ARCHIVE`, `_CACHE_ENTRY`, and
 * `_SHA256` or `_CHECKSUMS_URL`.
 * @param {NodeJS.ProcessEnv} env
 * @param {string} prefix
 * @returns {ReleaseRequest}
 */
function archiveRequest(env, prefix) {
  /** @param {string} name */
  const required = (name) => requiredVariable(`${prefix}_${name}`, env);
  return {
    url: required("URL"),
    archiveName: required("ARCHIVE"),
    cacheEntry: required("CACHE_ENTRY"),
    sha256: env[`${prefix}_SHA256`] || undefined,
    checksumsUrl: env[`${prefix}_CHECKSUMS_URL`] || undefined,
  };
}

/**
 * The release (FLAMENCO_RELEASE_*), the context to stage with its Dockerfile, and for the worker
 * image the official Blender build (BLENDER_RELEASE_*, with BLENDER_RELEASE_CONFIG naming the
 * stack config it comes from).
 * @param {NodeJS.ProcessEnv} env
 */
function readRequest(env) {
  return {
    release: archiveRequest(env, "FLAMENCO_RELEASE"),
    contextDirectory: requiredVariable("FLAMENCO_IMAGE_CONTEXT", env),
    dockerfile: requiredVariable("FLAMENCO_DOCKERFILE", env),
    blender: env.BLENDER_RELEASE_URL
      ? { ...archiveRequest(env, "BLENDER_RELEASE"), config: requiredVariable("BLENDER_RELEASE_CONFIG", env) }
      : undefined,
  };
}

/**
 * The Blender archive from the cache or its source; a failure names the stack config it comes from.
 * @param {ReleaseRequest & { config: string }} request
 * @param {(line: string) => void} log
 * @param {SizeLimits} [limits]
 */
async function ensureBlenderArchive(request, log, limits = BLENDER_LIMITS) {
  try {
    return await ensureArchive(request, (line) => log(`blender: ${line}`), limits);
  } catch (error) {
    throw new Error(`${request.config}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The command: the request from `env`, the result line on stdout, progress on stderr.
 * @param {import("./command").CommandIo} io
 */
async function main({ env, stdout, stderr }) {
  /** @param {string} line */
  const log = (line) => stderr.write(`flamenco release: ${line}\n`);
  const request = readRequest(env);
  const cached = await ensureArchive(request.release, log);
  const blender = request.blender && (await ensureBlenderArchive(request.blender, log));
  const extra = blender ? [{ ...blender, name: BLENDER_ARCHIVE_IN_CONTEXT }] : [];
  await stageContext(cached, request.contextDirectory, request.dockerfile, log, extra);
  stdout.write(
    `${JSON.stringify({ ...cached, context: request.contextDirectory, ...(blender ? { blender } : {}) })}\n`,
  );
}

module.exports = {
  main,
  ensureArchive,
  stageContext,
  findChecksum,
  sha256OfFile,
  readRequest,
  redirectRefusal,
  ensureBlenderArchive,
  ARCHIVE_IN_CONTEXT,
  BLENDER_ARCHIVE_IN_CONTEXT,
  DEFAULT_LIMITS,
  BLENDER_LIMITS,
};

if (require.main === module) runCommand("flamenco release", main);
