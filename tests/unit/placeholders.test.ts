import {
  expandHome,
  expandPathTemplate,
  FEATURE_DIRECTORY,
  PLACEHOLDERS,
  templateIsAbsolute,
  unknownPlaceholders,
} from "../../components/config/placeholders";

const VALUES = {
  DOT_LANDSCAPES: "/home/artist/.openstudiolandscapes/landscapes",
  LANDSCAPE: "dev",
  FEATURE: FEATURE_DIRECTORY,
};

describe("placeholders", () => {
  it("are those of the OpenStudioLandscapes config store", () => {
    expect([...PLACEHOLDERS]).toEqual(["DOT_LANDSCAPES", "LANDSCAPE", "FEATURE"]);
    expect(FEATURE_DIRECTORY).toBe("OpenStudioLandscapes-Flamenco");
  });

  it("unknownPlaceholders lists only the unknown ones", () => {
    expect(unknownPlaceholders("{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}/storage")).toEqual([]);
    expect(unknownPlaceholders("/data/{STUDIO}/{LANDSCAPE}/{user}")).toEqual(["STUDIO", "user"]);
    expect(unknownPlaceholders("/data/{landscape}")).toEqual(["landscape"]);
    expect(unknownPlaceholders("/data/{}")).toEqual([""]);
    expect(unknownPlaceholders("/plain/path")).toEqual([]);
  });
});

describe("expandHome", () => {
  it("expands a leading ~ only", () => {
    expect(expandHome("~", "/home/artist")).toBe("/home/artist");
    expect(expandHome("~/x/y", "/home/artist")).toBe("/home/artist/x/y");
    expect(expandHome("/data/~/x", "/home/artist")).toBe("/data/~/x");
    expect(expandHome("~other/x", "/home/artist")).toBe("~other/x");
  });
});

describe("expandPathTemplate", () => {
  it("expands the default storage template", () => {
    expect(expandPathTemplate("{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}/storage", VALUES, "/home/artist")).toBe(
      "/home/artist/.openstudiolandscapes/landscapes/dev/OpenStudioLandscapes-Flamenco/storage",
    );
  });

  it("expands ~ and placeholders together", () => {
    expect(expandPathTemplate("~/renders/{LANDSCAPE}", VALUES, "/home/artist")).toBe("/home/artist/renders/dev");
  });

  it("substitutes a placeholder used more than once", () => {
    expect(expandPathTemplate("/data/{LANDSCAPE}/{LANDSCAPE}-shared", VALUES, "/h")).toBe("/data/dev/dev-shared");
  });

  it("normalises the result", () => {
    expect(expandPathTemplate("/data//{LANDSCAPE}/./x/../storage", VALUES, "/h")).toBe("/data/dev/storage");
  });

  it("leaves an absolute template without placeholders alone", () => {
    expect(expandPathTemplate("/mnt/shared", VALUES, "/h")).toBe("/mnt/shared");
  });
});

describe("templateIsAbsolute", () => {
  it.each(["/data/{LANDSCAPE}", "~", "~/x", "{DOT_LANDSCAPES}/{LANDSCAPE}"])("accepts %s", (template) => {
    expect(templateIsAbsolute(template)).toBe(true);
  });

  it.each(["data/x", "{LANDSCAPE}/x", "{FEATURE}", "~other/x", "./x", ""])("rejects %s", (template) => {
    expect(templateIsAbsolute(template)).toBe(false);
  });
});
