import { GO_DURATION_HINT, isGoDuration } from "../../components/config/durations";

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
