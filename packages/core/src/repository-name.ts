/**
 * Repository names follow the Distribution grammar (distribution/reference): path components of
 * lowercase alphanumerics joined by separators (".", "_", "__", or runs of "-"), split by "/",
 * at most 255 characters in all. Hookyard also needs a namespace, so a name has two or more
 * components; the first is the namespace.
 */
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 255;

export function isValidNamespace(value: string): boolean {
  return value.length > 0 && value.length <= MAX_NAME_LENGTH && COMPONENT.test(value);
}

export function isValidRepositoryName(value: string): boolean {
  if (value.length === 0 || value.length > MAX_NAME_LENGTH) return false;
  const parts = value.split("/");
  return parts.length >= 2 && parts.every((part) => COMPONENT.test(part));
}

/** The registry's own grammar: one or more components ("alpine" is a valid Distribution name). */
export function isValidDistributionName(value: string): boolean {
  if (value.length === 0 || value.length > MAX_NAME_LENGTH) return false;
  return value.split("/").every((part) => COMPONENT.test(part));
}

/** Splits "ns/path/to/repo" into its namespace ("ns") and name ("path/to/repo"). */
export function splitRepositoryName(value: string): { namespace: string; name: string } {
  const slash = value.indexOf("/");
  return { namespace: value.slice(0, slash), name: value.slice(slash + 1) };
}
