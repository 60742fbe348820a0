/**
 * Go's time.ParseDuration syntax, as Flamenco reads durations: one or more
 * `<number><unit>` groups (`10m`, `1h30m`, `1.5h`), or a bare `0`.
 */
const GO_DURATION = /^(?:0|(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/;

export function isGoDuration(value: string): boolean {
  return GO_DURATION.test(value);
}

export const GO_DURATION_HINT = 'a Go duration such as "30s", "10m" or "1h30m"';
