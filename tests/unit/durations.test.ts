import { GO_DURATION_HINT, goDurationNanoseconds, isGoDuration } from "../../components/config/durations";

describe("isGoDuration", () => {
  it.each(["10m", "1h30m", "1.5h", "0", "30s", "744h", "500ms", "2h45m30s", "1us", "10ns"])("accepts %s", (value) => {
    expect(isGoDuration(value)).toBe(true);
  });

  it.each(["10", "10 m", "m", "-5m", "", "10min", "1d", " 10m", "10m ", "1h 30m", "h1"])("rejects %j", (value) => {
    expect(isGoDuration(value)).toBe(false);
  });

  it("has a hint with valid examples", () => {
    const examples = [...GO_DURATION_HINT.matchAll(/"([^"]+)"/g)].map((match) => match[1]);
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) expect(isGoDuration(example)).toBe(true);
  });
});

describe("the int64 nanoseconds Go keeps a duration in", () => {
  it.each(["2562047h47m16.854775807s", "9223372036854775807ns", "2562047h"])("accepts %s, within it", (value) => {
    expect(isGoDuration(value)).toBe(true);
  });

  it.each(["2562047h47m16.854775808s", "9223372036854775808ns", "2562048h", "99999999999999999999h", "1h2562047h"])(
    "rejects %s, beyond it",
    (value) => {
      expect(isGoDuration(value)).toBe(false);
    },
  );

  it("adds up every group, fractions included", () => {
    expect(goDurationNanoseconds("1h30m")).toBe(5_400_000_000_000n);
    expect(goDurationNanoseconds("1.5s")).toBe(1_500_000_000n);
    expect(goDurationNanoseconds("0")).toBe(0n);
  });
});
