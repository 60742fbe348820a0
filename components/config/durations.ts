/**
 * Go's time.ParseDuration syntax, as Flamenco reads durations: one or more
 * `<number><unit>` groups (`10m`, `1h30m`, `1.5h`), or a bare `0`.
 */
const GO_DURATION = /^(?:0|(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/;
const GROUP = /(\d+)(?:\.(\d+))?(ns|us|µs|ms|s|m|h)/g;

const NANOSECONDS_PER_UNIT: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go keeps a duration in an int64 of nanoseconds; a longer one fails to parse there. */
const MAX_NANOSECONDS = 2n ** 63n - 1n;
export const MAX_GO_DURATION = "2562047h47m16.854775807s";

/** The duration in nanoseconds (fractions below a nanosecond dropped, as Go does). */
export function goDurationNanoseconds(value: string): bigint {
  let total = 0n;
  for (const [, whole, fraction = "", unit] of value.matchAll(GROUP)) {
    const perUnit = NANOSECONDS_PER_UNIT[unit];
    total +=
      BigInt(whole) * perUnit + (fraction === "" ? 0n : (BigInt(fraction) * perUnit) / 10n ** BigInt(fraction.length));
  }
  return total;
}

export function isGoDuration(value: string): boolean {
  return GO_DURATION.test(value) && goDurationNanoseconds(value) <= MAX_NANOSECONDS;
}

export const GO_DURATION_HINT = `a Go duration such as "30s", "10m" or "1h30m", at most ${MAX_GO_DURATION}`;
