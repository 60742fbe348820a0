/**
 * How offending values appear in a config error: as the user wrote them, except that
 * nothing that looks like a password is ever echoed.
 */

/** The Pulumi project name, which is also the stack config namespace. */
export const PROJECT = "flamenco-landscape";

export const HIDDEN = "a value (not shown)";
const PASSWORD_WORD = /password|passwd|secret|token/i;
/** `scheme://user:password@`: the password part. */
const URL_PASSWORD = /(\/\/[^/?#@\s:]*:)[^/?#@\s]*@/g;

/**
 * A string shown as it is, with a URL's password blanked; a string that mentions a password
 * (such as a mistyped object `{password: ...}` that is not valid JSON) is not shown at all.
 */
function shownString(value: string): string {
  if (PASSWORD_WORD.test(value)) return HIDDEN;
  return value.replace(URL_PASSWORD, "$1(not shown)@");
}

/** A copy of `value` with every password-like property and string, at any depth, blanked out. */
export function withoutPasswords(value: unknown): unknown {
  if (typeof value === "string") return shownString(value);
  if (Array.isArray(value)) return value.map(withoutPasswords);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, PASSWORD_WORD.test(key) ? HIDDEN : withoutPasswords(inner)]),
    );
  }
  return value;
}

export function valueAt(raw: unknown, keyPath: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const segment of keyPath) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** The offending value as shown in an error; passwords are never echoed. */
export function shownValue(raw: unknown, keyPath: readonly PropertyKey[]): unknown {
  const value = valueAt(raw, keyPath);
  const last = String(keyPath[keyPath.length - 1] ?? "");
  if (PASSWORD_WORD.test(last) && value !== undefined) return HIDDEN;
  return withoutPasswords(value);
}

export function keyName(keyPath: readonly PropertyKey[]): string {
  return `${PROJECT}:${keyPath.map(String).join(".")}`;
}
