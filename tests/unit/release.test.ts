import {
  OFFICIAL_DOWNLOADS,
  officialReleaseUrl,
  publishedChecksumLocation,
  releaseArchiveName,
  resolveReleaseSource,
} from "../../components/config/release";

const SHA = "0123456789abcdef".repeat(4);

describe("official release locations", () => {
  it("names the Linux archive as flamenco.blender.org publishes it", () => {
    expect(releaseArchiveName("3.7")).toBe("flamenco-3.7-linux-amd64.tar.gz");
    expect(officialReleaseUrl("3.7")).toBe("https://flamenco.blender.org/downloads/flamenco-3.7-linux-amd64.tar.gz");
    expect(OFFICIAL_DOWNLOADS).toBe("https://flamenco.blender.org/downloads");
  });
});

describe("publishedChecksumLocation", () => {
  it.each([
    [
      "https://flamenco.blender.org/downloads/flamenco-3.7-linux-amd64.tar.gz",
      "https://flamenco.blender.org/downloads/flamenco-3.7.sha256",
    ],
    [
      "https://mirror.example.com/a/b/flamenco-3.6.1-linux-amd64.tar.gz",
      "https://mirror.example.com/a/b/flamenco-3.6.1.sha256",
    ],
    ["http://10.0.0.5:8000/flamenco-3.8-beta1-linux-amd64.tar.gz", "http://10.0.0.5:8000/flamenco-3.8-beta1.sha256"],
    ["file:///srv/mirror/flamenco-3.7-linux-amd64.tar.gz", "file:///srv/mirror/flamenco-3.7.sha256"],
    ["/srv/mirror/flamenco-3.7-linux-amd64.tar.gz", "/srv/mirror/flamenco-3.7.sha256"],
  ])("finds the list beside %s", (url, list) => {
    expect(publishedChecksumLocation(url)).toBe(list);
  });

  it.each([
    "https://mirror.example.com/flamenco-custom.tar.gz",
    "https://mirror.example.com/flamenco-3.7-windows-amd64.zip",
    "https://mirror.example.com/flamenco-3.7-linux-amd64.tar.gz/other.tar.gz",
  ])("has none for %s", (url) => {
    expect(publishedChecksumLocation(url)).toBeUndefined();
  });
});

describe("resolveReleaseSource", () => {
  it("defaults to the official archive, verified by the official checksum list", () => {
    const source = resolveReleaseSource("3.7");
    expect(source).toMatchObject({
      version: "3.7",
      url: "https://flamenco.blender.org/downloads/flamenco-3.7-linux-amd64.tar.gz",
      archiveName: "flamenco-3.7-linux-amd64.tar.gz",
      verification: {
        kind: "published-checksums",
        checksumsUrl: "https://flamenco.blender.org/downloads/flamenco-3.7.sha256",
      },
    });
  });

  it("looks for flamenco-<v>.sha256 beside the archive on any host", () => {
    const source = resolveReleaseSource("3.7", {
      url: "https://cache.studio.lan/flamenco/flamenco-3.7-linux-amd64.tar.gz",
    });
    expect(source.verification).toEqual({
      kind: "published-checksums",
      checksumsUrl: "https://cache.studio.lan/flamenco/flamenco-3.7.sha256",
    });
    expect(source.archiveName).toBe("flamenco-3.7-linux-amd64.tar.gz");
  });

  it("lets an explicit sha256 win over the checksum list, lowercased", () => {
    const source = resolveReleaseSource("3.7", { url: officialReleaseUrl("3.7"), sha256: SHA.toUpperCase() });
    expect(source.verification).toEqual({ kind: "sha256", sha256: SHA });
  });

  it("keeps the archive name of a custom url and falls back to the official name otherwise", () => {
    expect(resolveReleaseSource("3.7", { url: "/srv/builds/manager-build.tgz", sha256: SHA }).archiveName).toBe(
      "manager-build.tgz",
    );
    expect(resolveReleaseSource("3.7", { url: "/srv/builds/manager.bin", sha256: SHA }).archiveName).toBe(
      "flamenco-3.7-linux-amd64.tar.gz",
    );
  });

  it("refuses a source it cannot verify", () => {
    expect(() => resolveReleaseSource("3.7", { url: "https://mirror.example.com/custom.tar.gz" })).toThrow(
      /https:\/\/mirror\.example\.com\/custom\.tar\.gz/,
    );
  });

  describe("cache key", () => {
    const url = "https://mirror.example.com/flamenco-3.7-linux-amd64.tar.gz";

    it("is stable for the same input", () => {
      expect(resolveReleaseSource("3.7").cacheKey).toBe(resolveReleaseSource("3.7").cacheKey);
      expect(resolveReleaseSource("3.7", { url, sha256: SHA }).cacheKey).toBe(
        resolveReleaseSource("3.7", { url, sha256: SHA }).cacheKey,
      );
    });

    it("is a safe directory name", () => {
      expect(resolveReleaseSource("3.7").cacheKey).toMatch(/^[0-9a-f]{8,64}$/);
    });

    it("differs by url", () => {
      expect(resolveReleaseSource("3.7", { url }).cacheKey).not.toBe(resolveReleaseSource("3.7").cacheKey);
      expect(resolveReleaseSource("3.6").cacheKey).not.toBe(resolveReleaseSource("3.7").cacheKey);
    });

    it("differs by checksum", () => {
      const withList = resolveReleaseSource("3.7", { url });
      const withSha = resolveReleaseSource("3.7", { url, sha256: SHA });
      const withOtherSha = resolveReleaseSource("3.7", { url, sha256: "f".repeat(64) });
      expect(new Set([withList.cacheKey, withSha.cacheKey, withOtherSha.cacheKey]).size).toBe(3);
    });

    it("does not depend on the case of the sha256", () => {
      expect(resolveReleaseSource("3.7", { url, sha256: SHA.toUpperCase() }).cacheKey).toBe(
        resolveReleaseSource("3.7", { url, sha256: SHA }).cacheKey,
      );
    });
  });
});
