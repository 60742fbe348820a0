import * as childProcess from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { pathToFileURL } from "url";
import * as zlib from "zlib";
import fetchRelease = require("../../scripts/fetch-release");
import { parseSettings, Settings } from "../../components/config/settings";
import {
  parseFetchedRelease,
  releaseCommandEnvironment,
  workerImageCommandEnvironment,
} from "../../components/render/commands";
import { renderDockerfile } from "../../components/render/dockerfile";
import {
  BLENDER_ARCHIVE_IN_CONTEXT as BLENDER_ARCHIVE_IN_RENDERED_CONTEXT,
  RELEASE_ARCHIVE_IN_CONTEXT,
} from "../../components/render/names";
import { capturedStreams } from "./support/streams";

const {
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
} = fetchRelease;

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const VERSION = "3.7";
const ARCHIVE_NAME = `flamenco-${VERSION}-linux-amd64.tar.gz`;
const LIST_NAME = `flamenco-${VERSION}.sha256`;

function sha256(content: Buffer | string): string {
  return crypto.createHash("sha256").update(content).digest("hex");
}

/** A small gzip file standing in for the release archive. */
function makeArchive(label: string): Buffer {
  return zlib.gzipSync(Buffer.from(`flamenco-${VERSION}-linux-amd64/flamenco-manager stand-in ${label}\n`.repeat(200)));
}

function checksumList(entries: Record<string, Buffer>): string {
  return Object.entries(entries)
    .map(([name, content]) => `${sha256(content)}  ${name}\n`)
    .join("");
}

/** Every file and directory below `root`, relative to it, sorted. */
function tree(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[]).map(String).sort();
}

// --- a local HTTP server on 127.0.0.1 only -----------------------------------------------

interface Route {
  status: number;
  body: Buffer | string;
  /** Announce the whole body but send only this many bytes, then drop the connection. */
  truncateAt?: number;
  /** Answer with this Location header (and a 3xx status). */
  location?: string;
  /** Send the body in chunks without announcing its length. */
  chunked?: boolean;
}

const routes = new Map<string, Route>();
const hits = new Map<string, number>();
let server: http.Server;
let baseUrl: string;
let port: number;

function serve(urlPath: string, body: Buffer | string, status = 200): string {
  routes.set(urlPath, { status, body });
  return `${baseUrl}${urlPath}`;
}

function redirect(urlPath: string, location: string, status = 302): string {
  routes.set(urlPath, { status, body: "", location });
  return `${baseUrl}${urlPath}`;
}

function hitsOf(urlPath: string): number {
  return hits.get(urlPath) ?? 0;
}

function totalHits(): number {
  return [...hits.values()].reduce((sum, count) => sum + count, 0);
}

beforeAll(async () => {
  server = http.createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;
});

/** Answers from `routes`, and counts the requests per path. */
function answer(request: http.IncomingMessage, response: http.ServerResponse): void {
  const urlPath = request.url ?? "/";
  hits.set(urlPath, hitsOf(urlPath) + 1);
  const route = routes.get(urlPath);
  if (!route) {
    response.writeHead(404, { "content-type": "text/plain" });
    response.end("not found");
    return;
  }
  if (route.location !== undefined) {
    response.writeHead(route.status, { location: route.location, "content-length": 0 });
    response.end();
    return;
  }
  const body = Buffer.from(route.body);
  if (route.chunked) {
    response.writeHead(route.status, { "content-type": "application/octet-stream" });
    for (let offset = 0; offset < body.length; offset += 1024) response.write(body.subarray(offset, offset + 1024));
    response.end();
    return;
  }
  response.writeHead(route.status, { "content-type": "application/octet-stream", "content-length": body.length });
  if (route.truncateAt !== undefined) {
    response.write(body.subarray(0, route.truncateAt), () => response.destroy());
    return;
  }
  response.end(body);
}

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let tmp: string;
let logs: string[];
const log = (line: string) => {
  logs.push(line);
};

beforeEach(() => {
  routes.clear();
  hits.clear();
  logs = [];
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-fetch-test-"));
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Serves a good archive and its checksum list under /<dir>/. */
function publishRelease(dir: string, archive = makeArchive(dir)) {
  const archiveUrl = serve(`/${dir}/${ARCHIVE_NAME}`, archive);
  const checksumsUrl = serve(
    `/${dir}/${LIST_NAME}`,
    checksumList({ [`flamenco-${VERSION}-windows-amd64.zip`]: Buffer.from("other"), [ARCHIVE_NAME]: archive }),
  );
  return {
    archive,
    archiveUrl,
    checksumsUrl,
    archivePath: `/${dir}/${ARCHIVE_NAME}`,
    listPath: `/${dir}/${LIST_NAME}`,
  };
}

function cacheEntryIn(root: string, key = "0123456789abcdef"): string {
  return path.join(root, "cache", key);
}

// --- ensureArchive -------------------------------------------------------------------------

describe("ensureArchive with the published checksum list", () => {
  it("downloads and verifies once, then reuses the cache without any request", async () => {
    const release = publishRelease("v1");
    const cacheEntry = cacheEntryIn(tmp);
    const request = {
      url: release.archiveUrl,
      archiveName: ARCHIVE_NAME,
      cacheEntry,
      checksumsUrl: release.checksumsUrl,
    };

    const first = await ensureArchive(request, log);
    expect(first).toEqual({
      archive: path.join(cacheEntry, ARCHIVE_NAME),
      sha256: sha256(release.archive),
      downloaded: true,
    });
    expect(fs.readFileSync(first.archive).equals(release.archive)).toBe(true);
    expect(hitsOf(release.archivePath)).toBe(1);
    expect(hitsOf(release.listPath)).toBe(1);
    expect(totalHits()).toBe(2);

    const second = await ensureArchive(request, log);
    expect(second).toEqual({ ...first, downloaded: false });
    expect(totalHits()).toBe(2);
  });

  it("rejects a tampered archive naming url, expected and actual digest, and caches nothing", async () => {
    const good = makeArchive("good");
    const tampered = makeArchive("tampered");
    const archiveUrl = serve(`/t/${ARCHIVE_NAME}`, tampered);
    const checksumsUrl = serve(`/t/${LIST_NAME}`, checksumList({ [ARCHIVE_NAME]: good }));
    const cacheEntry = cacheEntryIn(tmp);

    const attempt = ensureArchive({ url: archiveUrl, archiveName: ARCHIVE_NAME, cacheEntry, checksumsUrl }, log);
    await expect(attempt).rejects.toThrow(archiveUrl);
    await attempt.catch((error: Error) => {
      expect(error.message).toContain(sha256(good));
      expect(error.message).toContain(sha256(tampered));
    });
    expect(fs.existsSync(cacheEntry)).toBe(false);
    // No partial download is left anywhere.
    expect(tree(tmp).filter((entry) => entry !== "cache")).toEqual([]);
  });

  it("re-downloads a cache entry whose archive changed after caching", async () => {
    const release = publishRelease("v2");
    const cacheEntry = cacheEntryIn(tmp);
    const request = {
      url: release.archiveUrl,
      archiveName: ARCHIVE_NAME,
      cacheEntry,
      checksumsUrl: release.checksumsUrl,
    };
    const first = await ensureArchive(request, log);

    fs.appendFileSync(first.archive, "corruption");
    const again = await ensureArchive(request, log);
    expect(again.downloaded).toBe(true);
    expect(again.sha256).toBe(sha256(release.archive));
    expect(fs.readFileSync(again.archive).equals(release.archive)).toBe(true);
    expect(hitsOf(release.archivePath)).toBe(2);

    // And the repaired entry is used from the cache again.
    const third = await ensureArchive(request, log);
    expect(third.downloaded).toBe(false);
    expect(hitsOf(release.archivePath)).toBe(2);
  });

  it("fails clearly when the checksum list has no entry for the archive", async () => {
    const archive = makeArchive("x");
    const archiveUrl = serve(`/m/${ARCHIVE_NAME}`, archive);
    const checksumsUrl = serve(`/m/${LIST_NAME}`, checksumList({ "flamenco-3.7-macos-arm64.zip": archive }));
    const cacheEntry = cacheEntryIn(tmp);

    const attempt = ensureArchive({ url: archiveUrl, archiveName: ARCHIVE_NAME, cacheEntry, checksumsUrl }, log);
    await expect(attempt).rejects.toThrow(checksumsUrl);
    await expect(attempt).rejects.toThrow(`no entry for ${ARCHIVE_NAME}`);
    expect(hitsOf(`/m/${ARCHIVE_NAME}`)).toBe(0);
    expect(fs.existsSync(cacheEntry)).toBe(false);
  });

  it("fails with the url and the HTTP status when the archive is missing", async () => {
    const archiveUrl = `${baseUrl}/missing/${ARCHIVE_NAME}`;
    const checksumsUrl = serve(`/missing/${LIST_NAME}`, checksumList({ [ARCHIVE_NAME]: makeArchive("y") }));
    const cacheEntry = cacheEntryIn(tmp);

    const attempt = ensureArchive({ url: archiveUrl, archiveName: ARCHIVE_NAME, cacheEntry, checksumsUrl }, log);
    await expect(attempt).rejects.toThrow(archiveUrl);
    await expect(attempt).rejects.toThrow(/\b404\b/);
    expect(fs.existsSync(cacheEntry)).toBe(false);
    expect(tree(tmp).filter((entry) => entry !== "cache")).toEqual([]);
  });

  it("fails with the url and the HTTP status when the checksum list is missing", async () => {
    const archiveUrl = serve(`/nolist/${ARCHIVE_NAME}`, makeArchive("z"));
    const checksumsUrl = `${baseUrl}/nolist/${LIST_NAME}`;
    const attempt = ensureArchive(
      { url: archiveUrl, archiveName: ARCHIVE_NAME, cacheEntry: cacheEntryIn(tmp), checksumsUrl },
      log,
    );
    await expect(attempt).rejects.toThrow(checksumsUrl);
    await expect(attempt).rejects.toThrow(/\b404\b/);
  });

  it("leaves nothing behind when the connection drops mid-download", async () => {
    const archive = makeArchive("dropped");
    const archivePath = `/drop/${ARCHIVE_NAME}`;
    routes.set(archivePath, { status: 200, body: archive, truncateAt: Math.floor(archive.length / 2) });
    const cacheEntry = cacheEntryIn(tmp);
    const attempt = ensureArchive(
      { url: `${baseUrl}${archivePath}`, archiveName: ARCHIVE_NAME, cacheEntry, sha256: sha256(archive) },
      log,
    );
    await expect(attempt).rejects.toThrow();
    expect(fs.existsSync(cacheEntry)).toBe(false);
    expect(tree(tmp).filter((entry) => entry !== "cache")).toEqual([]);
  });

  it("fails with the url and status on a server error", async () => {
    const archiveUrl = serve(`/broken/${ARCHIVE_NAME}`, "oops", 500);
    const attempt = ensureArchive(
      { url: archiveUrl, archiveName: ARCHIVE_NAME, cacheEntry: cacheEntryIn(tmp), sha256: "a".repeat(64) },
      log,
    );
    await expect(attempt).rejects.toThrow(archiveUrl);
    await expect(attempt).rejects.toThrow(/\b500\b/);
    expect(fs.existsSync(cacheEntryIn(tmp))).toBe(false);
  });
});

describe("ensureArchive with an explicit sha256", () => {
  it("verifies against it without fetching any checksum list, in either letter case", async () => {
    const archive = makeArchive("explicit");
    const archiveUrl = serve(`/e/custom-build.tar.gz`, archive);
    const cacheEntry = cacheEntryIn(tmp);
    const request = {
      url: archiveUrl,
      archiveName: "custom-build.tar.gz",
      cacheEntry,
      sha256: sha256(archive).toUpperCase(),
    };

    const first = await ensureArchive(request, log);
    expect(first).toEqual({
      archive: path.join(cacheEntry, "custom-build.tar.gz"),
      sha256: sha256(archive),
      downloaded: true,
    });
    expect(totalHits()).toBe(1);

    const second = await ensureArchive(request, log);
    expect(second.downloaded).toBe(false);
    expect(totalHits()).toBe(1);
  });

  it("rejects an archive that does not match it and caches nothing", async () => {
    const archive = makeArchive("real");
    const archiveUrl = serve(`/e2/${ARCHIVE_NAME}`, archive);
    const wrong = "b".repeat(64);
    const cacheEntry = cacheEntryIn(tmp);
    const attempt = ensureArchive({ url: archiveUrl, archiveName: ARCHIVE_NAME, cacheEntry, sha256: wrong }, log);
    await expect(attempt).rejects.toThrow(wrong);
    await expect(attempt).rejects.toThrow(sha256(archive));
    expect(fs.existsSync(cacheEntry)).toBe(false);
    expect(tree(tmp).filter((entry) => entry !== "cache")).toEqual([]);
  });
});

describe("ensureArchive from local sources", () => {
  function mirror(archive: Buffer): { archiveFile: string; listFile: string } {
    const dir = path.join(tmp, "mirror");
    fs.mkdirSync(dir);
    const archiveFile = path.join(dir, ARCHIVE_NAME);
    const listFile = path.join(dir, LIST_NAME);
    fs.writeFileSync(archiveFile, archive);
    fs.writeFileSync(listFile, checksumList({ [ARCHIVE_NAME]: archive }));
    return { archiveFile, listFile };
  }

  it("copies a file:// archive verified by a file:// checksum list", async () => {
    const archive = makeArchive("file-url");
    const { archiveFile, listFile } = mirror(archive);
    const cacheEntry = cacheEntryIn(tmp);
    const result = await ensureArchive(
      {
        url: pathToFileURL(archiveFile).href,
        archiveName: ARCHIVE_NAME,
        cacheEntry,
        checksumsUrl: pathToFileURL(listFile).href,
      },
      log,
    );
    expect(result).toEqual({ archive: path.join(cacheEntry, ARCHIVE_NAME), sha256: sha256(archive), downloaded: true });
    expect(fs.readFileSync(result.archive).equals(archive)).toBe(true);
    expect(totalHits()).toBe(0);
  });

  it("copies an archive given as an absolute path with a sha256", async () => {
    const archive = makeArchive("abs-path");
    const { archiveFile } = mirror(archive);
    const cacheEntry = cacheEntryIn(tmp);
    const result = await ensureArchive(
      { url: archiveFile, archiveName: ARCHIVE_NAME, cacheEntry, sha256: sha256(archive) },
      log,
    );
    expect(result.downloaded).toBe(true);
    expect(fs.readFileSync(result.archive).equals(archive)).toBe(true);
    // The source is left in place.
    expect(fs.readFileSync(archiveFile).equals(archive)).toBe(true);
  });

  it("names a local file that does not exist", async () => {
    const missing = path.join(tmp, "nowhere", ARCHIVE_NAME);
    const attempt = ensureArchive(
      { url: missing, archiveName: ARCHIVE_NAME, cacheEntry: cacheEntryIn(tmp), sha256: "c".repeat(64) },
      log,
    );
    await expect(attempt).rejects.toThrow(missing);
    expect(fs.existsSync(cacheEntryIn(tmp))).toBe(false);
  });
});

// --- stageContext ---------------------------------------------------------------------------

describe("stageContext", () => {
  /** An archive as ensureArchive hands it on: its path and its verified digest. */
  function cachedArchive(label: string): {
    file: string;
    content: Buffer;
    verified: { archive: string; sha256: string };
  } {
    const content = makeArchive(label);
    const file = path.join(tmp, `${label}.tar.gz`);
    fs.writeFileSync(file, content);
    return { file, content, verified: { archive: file, sha256: sha256(content) } };
  }

  it("stages exactly the Dockerfile and the archive, under the name the Dockerfile copies", async () => {
    expect(ARCHIVE_IN_CONTEXT).toBe(RELEASE_ARCHIVE_IN_CONTEXT);
    const { verified, content } = cachedArchive("a");
    const context = path.join(tmp, "feature", "image-context");
    await stageContext(verified, context, "FROM scratch\n", log);

    expect(fs.readdirSync(context).sort()).toEqual(["Dockerfile", "flamenco-release.tar.gz"]);
    expect(fs.readFileSync(path.join(context, "Dockerfile"), "utf8")).toBe("FROM scratch\n");
    expect(fs.readFileSync(path.join(context, "flamenco-release.tar.gz")).equals(content)).toBe(true);
    // No staging or previous directories are left beside it.
    expect(fs.readdirSync(path.join(tmp, "feature"))).toEqual(["image-context"]);
  });

  it("replaces an old context completely", async () => {
    const context = path.join(tmp, "feature", "image-context");
    fs.mkdirSync(context, { recursive: true });
    fs.writeFileSync(path.join(context, "Dockerfile"), "FROM old\n");
    fs.writeFileSync(path.join(context, "flamenco-release.tar.gz"), "old archive");
    fs.writeFileSync(path.join(context, "stale.txt"), "left over");

    const { verified, content } = cachedArchive("b");
    await stageContext(verified, context, "FROM new\n", log);

    expect(fs.readdirSync(context).sort()).toEqual(["Dockerfile", "flamenco-release.tar.gz"]);
    expect(fs.readFileSync(path.join(context, "Dockerfile"), "utf8")).toBe("FROM new\n");
    expect(fs.readFileSync(path.join(context, "flamenco-release.tar.gz")).equals(content)).toBe(true);
    expect(fs.readdirSync(path.join(tmp, "feature"))).toEqual(["image-context"]);
  });

  it("replaces the archive when only the archive changed", async () => {
    const context = path.join(tmp, "image-context");
    const first = cachedArchive("first");
    await stageContext(first.verified, context, "FROM same\n", log);
    const second = cachedArchive("second");
    await stageContext(second.verified, context, "FROM same\n", log);
    expect(fs.readFileSync(path.join(context, "flamenco-release.tar.gz")).equals(second.content)).toBe(true);
  });

  it("leaves an up-to-date context as it is", async () => {
    const context = path.join(tmp, "image-context");
    const { verified, content } = cachedArchive("c");
    await stageContext(verified, context, "FROM same\n", log);
    const staged = fs.statSync(context).ino;
    logs = [];
    await stageContext(verified, context, "FROM same\n", log);
    expect(logs).toEqual([`image context ${context} is up to date`]);
    // Not swapped for a copy: the same directory, so Docker's build cache sees no change either.
    expect(fs.statSync(context).ino).toBe(staged);
    expect(fs.readdirSync(context).sort()).toEqual(["Dockerfile", "flamenco-release.tar.gz"]);
    expect(fs.readFileSync(path.join(context, "flamenco-release.tar.gz")).equals(content)).toBe(true);
    expect(fs.readdirSync(tmp).sort()).toEqual(["c.tar.gz", "image-context"]);
  });

  it("says where it staged a context", async () => {
    const context = path.join(tmp, "image-context");
    await stageContext(cachedArchive("d").verified, context, "FROM scratch\n", log);
    expect(logs).toEqual([`staged image context ${context}`]);
  });

  it("restages a context that holds anything besides the Dockerfile and the archive", async () => {
    const context = path.join(tmp, "image-context");
    const { verified } = cachedArchive("e");
    await stageContext(verified, context, "FROM same\n", log);
    fs.writeFileSync(path.join(context, "notes.txt"), "sent to the build otherwise");
    await stageContext(verified, context, "FROM same\n", log);
    expect(fs.readdirSync(context).sort()).toEqual(["Dockerfile", "flamenco-release.tar.gz"]);
  });

  it("restages a context whose archive was altered, or whose Dockerfile is missing", async () => {
    const context = path.join(tmp, "image-context");
    const { verified, content } = cachedArchive("f");
    await stageContext(verified, context, "FROM same\n", log);
    fs.writeFileSync(path.join(context, "flamenco-release.tar.gz"), "altered");
    await stageContext(verified, context, "FROM same\n", log);
    expect(fs.readFileSync(path.join(context, "flamenco-release.tar.gz")).equals(content)).toBe(true);

    fs.rmSync(path.join(context, "Dockerfile"));
    fs.writeFileSync(path.join(context, "dockerfile"), "FROM same\n");
    await stageContext(verified, context, "FROM same\n", log);
    expect(fs.readdirSync(context).sort()).toEqual(["Dockerfile", "flamenco-release.tar.gz"]);
    expect(fs.readFileSync(path.join(context, "Dockerfile"), "utf8")).toBe("FROM same\n");
  });
});

describe("what a download reports while pulumi up runs", () => {
  const MIB = 1024 * 1024;

  it("announces the list and the archive with its size, reports progress in tenths, then the time taken and the digest", async () => {
    const archive = crypto.randomBytes(2.5 * MIB);
    const { archiveUrl, checksumsUrl } = publishRelease("progress", archive);
    const cacheEntry = cacheEntryIn(tmp);
    await ensureArchive({ url: archiveUrl, archiveName: ARCHIVE_NAME, cacheEntry, checksumsUrl }, log);

    expect(logs[0]).toBe(`fetching checksum list ${checksumsUrl}`);
    expect(logs[1]).toBe(`fetching ${archiveUrl} (2.5 MiB)`);
    expect(logs[logs.length - 1]).toBe(`verified sha256 ${sha256(archive)}`);
    const fetched = /^ {2}fetched 2\.5 MiB in (\d+\.\d) s$/.exec(logs[logs.length - 2]);
    expect(fetched).not.toBeNull();
    expect(Number(fetched![1])).toBeLessThan(60);

    const progress = logs.slice(2, -2).map((line) => {
      const match = /^ {2}(\d+\.\d) MiB of 2\.5 MiB \((\d+) %\)$/.exec(line);
      expect(match).not.toBeNull();
      return { mebibytes: Number(match![1]), percent: Number(match![2]) };
    });
    const tenths = progress.map(({ percent }) => Math.floor(percent / 10));
    // At most one line per tenth, in order, from the first tenth to the whole archive.
    expect(new Set(tenths).size).toBe(tenths.length);
    expect([...tenths].sort((a, b) => a - b)).toEqual(tenths);
    expect(tenths[0]).toBe(1);
    expect(progress[progress.length - 1]).toEqual({ mebibytes: 2.5, percent: 100 });
    expect(progress.length).toBeGreaterThanOrEqual(5);
    for (const { mebibytes, percent } of progress) expect(Math.abs((mebibytes / 2.5) * 100 - percent)).toBeLessThan(5);
  });

  it("without an announced size: no size, no progress, the amount at the end", async () => {
    const archive = crypto.randomBytes(300 * 1024);
    const archiveUrl = `${baseUrl}/chunked/${ARCHIVE_NAME}`;
    routes.set(`/chunked/${ARCHIVE_NAME}`, { status: 200, body: archive, chunked: true });
    await ensureArchive(
      { url: archiveUrl, archiveName: ARCHIVE_NAME, cacheEntry: cacheEntryIn(tmp), sha256: sha256(archive) },
      log,
    );
    expect(logs[0]).toBe(`fetching ${archiveUrl}`);
    expect(logs[1]).toMatch(/^ {2}fetched 0\.3 MiB in \d+\.\d s$/);
    expect(logs).toHaveLength(3);
  });

  it("a cache hit says which archive it reuses and nothing else", async () => {
    const { archive, archiveUrl, checksumsUrl } = publishRelease("hit");
    const cacheEntry = cacheEntryIn(tmp);
    const request = { url: archiveUrl, archiveName: ARCHIVE_NAME, cacheEntry, checksumsUrl };
    await ensureArchive(request, log);
    logs = [];
    await ensureArchive(request, log);
    expect(logs).toEqual([`using cached ${path.join(cacheEntry, ARCHIVE_NAME)} (sha256 ${sha256(archive)})`]);
  });
});

// --- helpers --------------------------------------------------------------------------------

describe("findChecksum", () => {
  const digest = "ABCDEF0123456789".repeat(4);

  it("reads sha256sum text and binary lines, lowercased, by file name", () => {
    expect(findChecksum(`${digest}  ${ARCHIVE_NAME}\n`, ARCHIVE_NAME)).toBe(digest.toLowerCase());
    expect(findChecksum(`${digest} *${ARCHIVE_NAME}\r\n`, ARCHIVE_NAME)).toBe(digest.toLowerCase());
    expect(findChecksum(`${digest}  ./dist/${ARCHIVE_NAME}\n`, ARCHIVE_NAME)).toBe(digest.toLowerCase());
  });

  it("does not confuse archives of the same version", () => {
    const list = `${"1".repeat(64)}  flamenco-3.7-windows-amd64.zip\n${"2".repeat(64)}  ${ARCHIVE_NAME}\n${"3".repeat(64)}  flamenco-3.7-macos-amd64.dmg\n`;
    expect(findChecksum(list, ARCHIVE_NAME)).toBe("2".repeat(64));
    expect(findChecksum(list, "flamenco-3.6-linux-amd64.tar.gz")).toBeUndefined();
  });
});

describe("sha256OfFile", () => {
  it("hashes the file's bytes", async () => {
    const file = path.join(tmp, "data.bin");
    fs.writeFileSync(file, "hello");
    await expect(sha256OfFile(file)).resolves.toBe(sha256("hello"));
  });
});

describe("readRequest", () => {
  // Computed per test (not while collecting tests), so mutation testing runs only the tests that use it.
  let settings: Settings;
  let dockerfile: string;
  beforeEach(() => {
    settings = parseSettings({}, { stack: "dev", homeDirectory: "/home/artist" });
    dockerfile = renderDockerfile(settings);
  });

  it("reads back what the program passes to the release command", () => {
    const env = releaseCommandEnvironment(settings, dockerfile);
    expect(readRequest(env)).toEqual({
      release: {
        url: settings.release.url,
        archiveName: ARCHIVE_NAME,
        cacheEntry: `/home/artist/.openstudiolandscapes/landscapes/.cache/flamenco-releases/${settings.release.cacheKey}`,
        sha256: undefined,
        checksumsUrl: "https://flamenco.blender.org/downloads/flamenco-3.7.sha256",
      },
      contextDirectory: "/home/artist/.openstudiolandscapes/landscapes/dev/OpenStudioLandscapes-Flamenco/image-context",
      dockerfile,
    });
  });

  it("names a missing variable", () => {
    const env: Record<string, string> = { ...releaseCommandEnvironment(settings, dockerfile) };
    delete env.FLAMENCO_IMAGE_CONTEXT;
    expect(() => readRequest(env)).toThrow("FLAMENCO_IMAGE_CONTEXT is not set");
  });
});

// --- the script as the release command runs it -----------------------------------------------

function runScript(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    childProcess.execFile(
      process.execPath,
      ["scripts/fetch-release.js"],
      { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? "", ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

describe("the command's main, in this process", () => {
  it("prints the result line the program parses; progress goes to stderr, each line marked", async () => {
    const release = publishRelease("main");
    const context = path.join(tmp, "image-context");
    const cacheEntry = cacheEntryIn(tmp);
    const { streams, stdout: out, stderr: err } = capturedStreams();
    await main({
      env: {
        FLAMENCO_RELEASE_URL: release.archiveUrl,
        FLAMENCO_RELEASE_ARCHIVE: ARCHIVE_NAME,
        FLAMENCO_RELEASE_CACHE_ENTRY: cacheEntry,
        FLAMENCO_RELEASE_CHECKSUMS_URL: release.checksumsUrl,
        FLAMENCO_IMAGE_CONTEXT: context,
        FLAMENCO_DOCKERFILE: "FROM scratch\n",
      },
      ...streams,
    });
    expect(out).toEqual([
      `${JSON.stringify({ archive: path.join(cacheEntry, ARCHIVE_NAME), sha256: sha256(release.archive), downloaded: true, context })}\n`,
    ]);
    expect(err[0]).toBe(`flamenco release: fetching checksum list ${release.checksumsUrl}\n`);
    expect(err[err.length - 1]).toBe(`flamenco release: staged image context ${context}\n`);
    expect(err.every((line) => line.startsWith("flamenco release: ") && line.endsWith("\n"))).toBe(true);
  });

  it("fails before writing anything when a variable is missing", async () => {
    const write = () => undefined;
    await expect(
      main({ env: { FLAMENCO_RELEASE_URL: "https://x/a.tar.gz" }, stdout: { write }, stderr: { write } }),
    ).rejects.toThrow("FLAMENCO_RELEASE_ARCHIVE is not set");
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});

describe("node scripts/fetch-release.js", () => {
  it("fetches, stages and prints the result line the program parses", async () => {
    const release = publishRelease("cli");
    const settings = parseSettings(
      {
        landscapesRoot: path.join(tmp, "landscapes"),
        flamencoRelease: { url: release.archiveUrl, sha256: sha256(release.archive) },
      },
      { stack: "dev", homeDirectory: tmp },
    );
    const dockerfile = renderDockerfile(settings);
    const env = releaseCommandEnvironment(settings, dockerfile);
    expect(env.FLAMENCO_RELEASE_SHA256).toBe(sha256(release.archive));

    const run = await runScript(env);
    expect(run.code).toBe(0);
    const result = parseFetchedRelease(run.stdout);
    expect(result).toEqual({
      archive: path.join(env.FLAMENCO_RELEASE_CACHE_ENTRY, ARCHIVE_NAME),
      sha256: sha256(release.archive),
      context: env.FLAMENCO_IMAGE_CONTEXT,
      downloaded: true,
    });
    expect(fs.readFileSync(path.join(result.context, "Dockerfile"), "utf8")).toBe(dockerfile);

    const rerun = await runScript(env);
    expect(rerun.code).toBe(0);
    expect(parseFetchedRelease(rerun.stdout).downloaded).toBe(false);
    expect(hitsOf(release.archivePath)).toBe(1);
  });

  it("exits non-zero with the reason on stderr", async () => {
    const good = makeArchive("g");
    const archiveUrl = serve(`/bad/${ARCHIVE_NAME}`, makeArchive("evil"));
    const run = await runScript({
      FLAMENCO_RELEASE_URL: archiveUrl,
      FLAMENCO_RELEASE_ARCHIVE: ARCHIVE_NAME,
      FLAMENCO_RELEASE_CACHE_ENTRY: cacheEntryIn(tmp),
      FLAMENCO_RELEASE_SHA256: sha256(good),
      FLAMENCO_IMAGE_CONTEXT: path.join(tmp, "image-context"),
      FLAMENCO_DOCKERFILE: "FROM scratch\n",
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("Checksum mismatch");
    expect(run.stderr).toContain(archiveUrl);
    expect(run.stdout).toBe("");
    expect(fs.existsSync(path.join(tmp, "image-context"))).toBe(false);
  });
});

// --- where a release may come from, and how big it may be ---------------------------------

/** Files below `root`, relative to it: directories alone are not content. */
function filesIn(root: string): string[] {
  return tree(root).filter((entry) => fs.statSync(path.join(root, entry)).isFile());
}

describe("redirects", () => {
  it("refuses a redirect to another host, naming both addresses, before anything is written", async () => {
    const archive = makeArchive("elsewhere");
    serve(`/elsewhere/${ARCHIVE_NAME}`, archive);
    const target = `http://localhost:${port}/elsewhere/${ARCHIVE_NAME}`;
    const url = redirect(`/moved/${ARCHIVE_NAME}`, target);
    const attempt = ensureArchive(
      { url, archiveName: ARCHIVE_NAME, cacheEntry: cacheEntryIn(tmp), sha256: sha256(archive) },
      log,
    );
    await expect(attempt).rejects.toThrow(`Download of ${url} refused: it redirects to ${target}`);
    expect(hitsOf(`/elsewhere/${ARCHIVE_NAME}`)).toBe(0);
    expect(tree(tmp)).toEqual([]);
  });

  it("does not follow an http redirect even to the same host: only https protects where it leads", async () => {
    const archive = makeArchive("same-host");
    const target = serve(`/same/${ARCHIVE_NAME}`, archive);
    const url = redirect(`/old/${ARCHIVE_NAME}`, `/same/${ARCHIVE_NAME}`, 301);
    const attempt = ensureArchive(
      { url, archiveName: ARCHIVE_NAME, cacheEntry: cacheEntryIn(tmp), sha256: sha256(archive) },
      log,
    );
    await expect(attempt).rejects.toThrow(`Download of ${url} refused: it redirects to ${target}`);
    await expect(attempt).rejects.toThrow("redirects are followed only from https to https on the same host");
    expect(hitsOf(`/same/${ARCHIVE_NAME}`)).toBe(0);
    expect(tree(tmp)).toEqual([]);
  });

  it("refuses a redirected checksum list before fetching the archive", async () => {
    const release = publishRelease("list-moved");
    const checksumsUrl = redirect(`/list-moved/old.sha256`, `http://localhost:${port}${release.listPath}`);
    const attempt = ensureArchive(
      { url: release.archiveUrl, archiveName: ARCHIVE_NAME, cacheEntry: cacheEntryIn(tmp), checksumsUrl },
      log,
    );
    await expect(attempt).rejects.toThrow(`Download of ${checksumsUrl} refused: it redirects to`);
    expect(hitsOf(release.archivePath)).toBe(0);
    expect(tree(tmp)).toEqual([]);
  });

  it.each([
    ["https://a.example/x.tar.gz", "https://a.example/mirror/x.tar.gz", undefined],
    ["https://a.example/x.tar.gz", "https://a.example:443/y.tar.gz", undefined],
    ["https://a.example/x.tar.gz", "http://a.example/x.tar.gz", "a downgrade from https to http"],
    ["https://a.example/x.tar.gz", "https://b.example/x.tar.gz", "another host"],
    ["https://a.example/x.tar.gz", "https://a.example:8443/x.tar.gz", "another host"],
    [
      "http://a.example/x.tar.gz",
      "http://a.example/y.tar.gz",
      "redirects are followed only from https to https on the same host",
    ],
    [
      "https://a.example/x.tar.gz",
      "file:///etc/passwd",
      "redirects are followed only from https to https on the same host",
    ],
  ])("a redirect from %s to %s: %s", (from, to, refusal) => {
    const reason = redirectRefusal(new URL(from), new URL(to));
    if (refusal === undefined) expect(reason).toBeUndefined();
    else expect(reason).toContain(refusal);
  });
});

describe("size limits", () => {
  it("has documented defaults: 64 KiB for a checksum list, 512 MiB for an archive", () => {
    expect(DEFAULT_LIMITS).toEqual({ checksumListBytes: 64 * 1024, archiveBytes: 512 * 1024 * 1024 });
  });

  /** Fetches `archive` from `url` with its sha256 pinned, allowing archives of at most `archiveBytes`. */
  function fetchLimited(url: string, archive: Buffer, archiveBytes: number) {
    return ensureArchive(
      { url, archiveName: ARCHIVE_NAME, cacheEntry: cacheEntryIn(tmp), sha256: sha256(archive) },
      log,
      { ...DEFAULT_LIMITS, archiveBytes },
    );
  }

  it("refuses an archive announced larger than the limit before anything is written", async () => {
    const archive = crypto.randomBytes(8192);
    const url = serve(`/big/${ARCHIVE_NAME}`, archive);
    await expect(fetchLimited(url, archive, 4096)).rejects.toThrow(
      `Download of ${url} refused: it is larger than the 4096 bytes allowed for a release archive`,
    );
    expect(tree(tmp)).toEqual([]);
  });

  it("stops an archive that grows beyond the limit without announcing its size, and keeps nothing", async () => {
    const archive = crypto.randomBytes(64 * 1024);
    const urlPath = `/stream/${ARCHIVE_NAME}`;
    routes.set(urlPath, { status: 200, body: archive, chunked: true });
    const url = `${baseUrl}${urlPath}`;
    await expect(fetchLimited(url, archive, 8192)).rejects.toThrow(
      `Download of ${url} refused: it is larger than the 8192 bytes allowed for a release archive`,
    );
    expect(filesIn(tmp)).toEqual([]);
  });

  it("refuses a checksum list over 64 KiB before fetching the archive", async () => {
    const archive = makeArchive("long-list");
    const archiveUrl = serve(`/long/${ARCHIVE_NAME}`, archive);
    const padding = `${"0".repeat(64)}  padding.tar.gz\n`.repeat(Math.ceil((64 * 1024) / 80) + 1);
    const checksumsUrl = serve(`/long/${LIST_NAME}`, `${padding}${checksumList({ [ARCHIVE_NAME]: archive })}`);
    const attempt = ensureArchive(
      { url: archiveUrl, archiveName: ARCHIVE_NAME, cacheEntry: cacheEntryIn(tmp), checksumsUrl },
      log,
    );
    await expect(attempt).rejects.toThrow(
      `Download of ${checksumsUrl} refused: it is larger than the 65536 bytes allowed for a checksum list`,
    );
    expect(hitsOf(`/long/${ARCHIVE_NAME}`)).toBe(0);
    expect(tree(tmp)).toEqual([]);
  });

  it("refuses a local archive larger than the limit", async () => {
    const file = path.join(tmp, "local.tar.gz");
    fs.writeFileSync(file, crypto.randomBytes(8192));
    const attempt = ensureArchive(
      { url: file, archiveName: ARCHIVE_NAME, cacheEntry: cacheEntryIn(tmp), sha256: "c".repeat(64) },
      log,
      {
        ...DEFAULT_LIMITS,
        archiveBytes: 4096,
      },
    );
    await expect(attempt).rejects.toThrow(
      `Download of ${file} refused: it is larger than the 4096 bytes allowed for a release archive`,
    );
    expect(tree(tmp)).toEqual(["local.tar.gz"]);
  });
});

describe("over https", () => {
  let certificates: string;
  let secure: https.Server;
  let secureUrl: string;

  beforeAll(async () => {
    certificates = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-fetch-tls-"));
    childProcess.execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        // An EC key: made at once, where an RSA key takes a fifth of a second of CPU time.
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ].concat(["-keyout", path.join(certificates, "key.pem"), "-out", path.join(certificates, "cert.pem")]),
      { stdio: "ignore" },
    );
    secure = https.createServer(
      {
        key: fs.readFileSync(path.join(certificates, "key.pem")),
        cert: fs.readFileSync(path.join(certificates, "cert.pem")),
      },
      answer,
    );
    await new Promise<void>((resolve) => secure.listen(0, "127.0.0.1", resolve));
    secureUrl = `https://127.0.0.1:${(secure.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    secure.closeAllConnections();
    await new Promise<void>((resolve) => secure.close(() => resolve()));
    fs.rmSync(certificates, { recursive: true, force: true });
  });

  /** The release command, trusting the test's own certificate. */
  function runTrusting(url: string, archive: Buffer) {
    return runScript({
      NODE_EXTRA_CA_CERTS: path.join(certificates, "cert.pem"),
      FLAMENCO_RELEASE_URL: url,
      FLAMENCO_RELEASE_ARCHIVE: ARCHIVE_NAME,
      FLAMENCO_RELEASE_CACHE_ENTRY: cacheEntryIn(tmp),
      FLAMENCO_RELEASE_SHA256: sha256(archive),
      FLAMENCO_IMAGE_CONTEXT: path.join(tmp, "image-context"),
      FLAMENCO_DOCKERFILE: "FROM scratch\n",
    });
  }

  it("follows a redirect to the same https host", async () => {
    const archive = makeArchive("tls");
    serve(`/tls/${ARCHIVE_NAME}`, archive);
    routes.set(`/tls-old/${ARCHIVE_NAME}`, { status: 302, body: "", location: `${secureUrl}/tls/${ARCHIVE_NAME}` });
    const run = await runTrusting(`${secureUrl}/tls-old/${ARCHIVE_NAME}`, archive);
    expect(run.stderr).toContain("verified sha256");
    expect(run.code).toBe(0);
    expect(parseFetchedRelease(run.stdout).sha256).toBe(sha256(archive));
  });

  it("refuses a downgrade to http, even to the same address, and writes nothing", async () => {
    const archive = makeArchive("downgrade");
    serve(`/plain/${ARCHIVE_NAME}`, archive);
    routes.set(`/secure/${ARCHIVE_NAME}`, { status: 302, body: "", location: `${baseUrl}/plain/${ARCHIVE_NAME}` });
    const url = `${secureUrl}/secure/${ARCHIVE_NAME}`;
    const run = await runTrusting(url, archive);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(
      `Download of ${url} refused: it redirects to ${baseUrl}/plain/${ARCHIVE_NAME}, a downgrade from https to http`,
    );
    expect(hitsOf(`/plain/${ARCHIVE_NAME}`)).toBe(0);
    expect(run.stdout).toBe("");
    expect(tree(tmp)).toEqual([]);
  });
});

// --- the worker image's context: the release and the official Blender build -------------------

describe("the worker image's context with the official Blender build", () => {
  const BLENDER_ARCHIVE = "blender-4.2.3-linux-x64.tar.xz";
  const CONFIG = 'flamenco-landscape:blenderVersion "4.2.3" (expected a version blender.org publishes)';

  /** Serves Flamenco's release and a Blender archive with its checksum list under /<dir>/. */
  function publishBlender(dir: string, list = true) {
    const release = publishRelease(`${dir}-flamenco`);
    const blender = Buffer.from(`blender-4.2.3-linux-x64/blender stand-in ${dir}\n`.repeat(100));
    const archiveUrl = serve(`/${dir}/${BLENDER_ARCHIVE}`, blender);
    const checksumsUrl = `${baseUrl}/${dir}/blender-4.2.3.sha256`;
    if (list) {
      serve(
        `/${dir}/blender-4.2.3.sha256`,
        checksumList({ "blender-4.2.3-windows-x64.zip": Buffer.from("other"), [BLENDER_ARCHIVE]: blender }),
      );
    }
    const env = {
      FLAMENCO_RELEASE_URL: release.archiveUrl,
      FLAMENCO_RELEASE_ARCHIVE: ARCHIVE_NAME,
      FLAMENCO_RELEASE_CACHE_ENTRY: cacheEntryIn(tmp, "release"),
      FLAMENCO_RELEASE_SHA256: sha256(release.archive),
      FLAMENCO_IMAGE_CONTEXT: path.join(tmp, "worker-image-context"),
      FLAMENCO_DOCKERFILE: "FROM worker\n",
      BLENDER_RELEASE_URL: archiveUrl,
      BLENDER_RELEASE_ARCHIVE: BLENDER_ARCHIVE,
      BLENDER_RELEASE_CACHE_ENTRY: cacheEntryIn(tmp, "blender"),
      BLENDER_RELEASE_CHECKSUMS_URL: checksumsUrl,
      BLENDER_RELEASE_CONFIG: CONFIG,
    };
    return { release, blender, archiveUrl, checksumsUrl, env };
  }

  it("stages the Dockerfile, the release and the Blender archive verified against its published list, then reuses the cache", async () => {
    const { release, blender, env } = publishBlender("b1");
    const { streams, stdout: out, stderr: err } = capturedStreams();
    await main({ env, ...streams });

    const context = env.FLAMENCO_IMAGE_CONTEXT;
    expect(fs.readdirSync(context).sort()).toEqual(
      ["Dockerfile", BLENDER_ARCHIVE_IN_CONTEXT, ARCHIVE_IN_CONTEXT].sort(),
    );
    expect(fs.readFileSync(path.join(context, BLENDER_ARCHIVE_IN_CONTEXT)).equals(blender)).toBe(true);
    expect(fs.readFileSync(path.join(context, ARCHIVE_IN_CONTEXT)).equals(release.archive)).toBe(true);
    expect(parseFetchedRelease(out.join(""))).toEqual({
      archive: path.join(env.FLAMENCO_RELEASE_CACHE_ENTRY, ARCHIVE_NAME),
      sha256: sha256(release.archive),
      context,
      downloaded: true,
      blender: {
        archive: path.join(env.BLENDER_RELEASE_CACHE_ENTRY, BLENDER_ARCHIVE),
        sha256: sha256(blender),
        downloaded: true,
      },
    });
    expect(err).toContain(`flamenco release: blender: fetching checksum list ${env.BLENDER_RELEASE_CHECKSUMS_URL}\n`);

    hits.clear();
    const again = capturedStreams();
    await main({ env, ...again.streams });
    expect(totalHits()).toBe(0);
    expect(parseFetchedRelease(again.stdout.join("")).blender?.downloaded).toBe(false);
    expect(again.stderr).toContain(`flamenco release: image context ${context} is up to date\n`);
  });

  it("restages the context when only the Blender archive changed", async () => {
    const first = publishBlender("b2");
    await main({ env: first.env, ...capturedStreams().streams });
    const newer = Buffer.from("blender-4.2.3-linux-x64/blender newer\n");
    const env = {
      ...first.env,
      BLENDER_RELEASE_URL: serve(`/b2-newer/${BLENDER_ARCHIVE}`, newer),
      BLENDER_RELEASE_CACHE_ENTRY: cacheEntryIn(tmp, "newer"),
      BLENDER_RELEASE_SHA256: sha256(newer),
      BLENDER_RELEASE_CHECKSUMS_URL: "",
    };
    await main({ env, ...capturedStreams().streams });
    const staged = path.join(env.FLAMENCO_IMAGE_CONTEXT, BLENDER_ARCHIVE_IN_CONTEXT);
    expect(fs.readFileSync(staged).equals(newer)).toBe(true);
  });

  it.each([
    ["a version whose checksum list is not published", { list: false, sha256: undefined }, "HTTP 404"],
    [
      "a checksum list without the archive",
      { list: "other", sha256: undefined },
      "has no entry for blender-4.2.4-linux-x64.tar.xz",
    ],
    [
      "an archive that does not match the configured sha256",
      { list: true, sha256: "0".repeat(64) },
      `expected sha256 ${"0".repeat(64)}, got`,
    ],
  ])(
    "%s fails, naming the config first; nothing is cached and the staged context stays",
    async (_title, given, reason) => {
      const staged = publishBlender("b3");
      await main({ env: staged.env, ...capturedStreams().streams });
      const before = tree(staged.env.FLAMENCO_IMAGE_CONTEXT).map((name) => [
        name,
        sha256(fs.readFileSync(path.join(staged.env.FLAMENCO_IMAGE_CONTEXT, name))),
      ]);

      const blender = Buffer.from("blender-4.2.4-linux-x64/blender\n");
      const archive = "blender-4.2.4-linux-x64.tar.xz";
      const archiveUrl = serve(`/b4/${archive}`, blender);
      if (given.list === true) serve("/b4/blender-4.2.4.sha256", checksumList({ [archive]: blender }));
      if (given.list === "other")
        serve("/b4/blender-4.2.4.sha256", checksumList({ "blender-4.2.4-macos-arm64.dmg": blender }));
      const config = 'flamenco-landscape:blenderVersion "4.2.4" (expected a version blender.org publishes)';
      const env = {
        ...staged.env,
        BLENDER_RELEASE_URL: archiveUrl,
        BLENDER_RELEASE_ARCHIVE: archive,
        BLENDER_RELEASE_CACHE_ENTRY: cacheEntryIn(tmp, "b4"),
        BLENDER_RELEASE_SHA256: given.sha256 ?? "",
        BLENDER_RELEASE_CHECKSUMS_URL: given.sha256 === undefined ? `${baseUrl}/b4/blender-4.2.4.sha256` : "",
        BLENDER_RELEASE_CONFIG: config,
      };
      const attempt = main({ env, ...capturedStreams().streams });
      await expect(attempt).rejects.toThrow(`${config}: `);
      await expect(attempt).rejects.toThrow(reason);
      expect(fs.existsSync(cacheEntryIn(tmp, "b4"))).toBe(false);
      expect(
        tree(staged.env.FLAMENCO_IMAGE_CONTEXT).map((name) => [
          name,
          sha256(fs.readFileSync(path.join(staged.env.FLAMENCO_IMAGE_CONTEXT, name))),
        ]),
      ).toEqual(before);
    },
  );

  it("bounds a Blender archive at 1 GiB, a release archive at 512 MiB", async () => {
    expect(BLENDER_LIMITS).toEqual({ checksumListBytes: 64 * 1024, archiveBytes: 1024 * 1024 * 1024 });
    expect(DEFAULT_LIMITS.archiveBytes).toBe(512 * 1024 * 1024);
    const { env } = publishBlender("b5");
    const request = { ...readRequest(env).blender!, sha256: undefined };
    const attempt = ensureBlenderArchive(request, log, { checksumListBytes: 64 * 1024, archiveBytes: 100 });
    await expect(attempt).rejects.toThrow(
      `${CONFIG}: Download of ${env.BLENDER_RELEASE_URL} refused: it is larger than`,
    );
  });

  it("reads back what the program passes to the worker image's release command", () => {
    const settings = parseSettings(
      { blenderVersion: "4.2.3", workers: [{ name: "a", count: 1 }] },
      { stack: "dev", homeDirectory: "/home/artist" },
    );
    const env = workerImageCommandEnvironment(settings, "FROM worker\n");
    const request = readRequest(env);
    expect(request.contextDirectory).toBe(
      "/home/artist/.openstudiolandscapes/landscapes/dev/OpenStudioLandscapes-Flamenco/worker-image-context",
    );
    expect(request.blender).toEqual({
      url: "https://download.blender.org/release/Blender4.2/blender-4.2.3-linux-x64.tar.xz",
      archiveName: BLENDER_ARCHIVE,
      cacheEntry: `/home/artist/.openstudiolandscapes/landscapes/.cache/flamenco-releases/${settings.blender!.cacheKey}`,
      sha256: undefined,
      checksumsUrl: "https://download.blender.org/release/Blender4.2/blender-4.2.3.sha256",
      config: env.BLENDER_RELEASE_CONFIG,
    });
    expect(BLENDER_ARCHIVE_IN_CONTEXT).toBe(BLENDER_ARCHIVE_IN_RENDERED_CONTEXT);
    expect(readRequest(releaseCommandEnvironment(settings, "FROM manager\n")).blender).toBeUndefined();
  });
});
