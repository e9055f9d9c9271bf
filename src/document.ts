// Reading an untrusted document (a saved model from the network, a postMessage) into plain
// data. Every property is read exactly once, so a getter or a Proxy cannot show the checks
// one value and the model another; each object's keys and each array's length are checked
// before anything beneath them is read, so nothing is walked that the document's shape does
// not allow, and no shared child or cycle can make the walk longer than the document.
import { ArgumentError } from "./errors.js";

/** Keys that would reach prototypes if copied into an object. */
const FORBIDDEN = ["__proto__", "constructor", "prototype"];
/** Most values a free-form config (a loss, an optimizer with its schedule, an initializer)
 *  may hold, nested ones included: the largest has 12. */
export const MAX_CONFIG_VALUES = 32;
/** Longest string a config may hold: names and modes are a few characters. */
const MAX_CONFIG_STRING = 64;

/** A throwing getter or a revoked Proxy met at `path`, as an ArgumentError naming it. */
function unreadable(e: unknown, path: string): ArgumentError {
  if (e instanceof ArgumentError) return e;
  let detail = "";
  try {
    if (e instanceof Error) detail = ` (${String(e.message).slice(0, 200)})`;
  } catch {
    // What was thrown is itself hostile: the place is enough.
  }
  return new ArgumentError(path, "plain data", `a value that throws when read${detail}`);
}

function guarded<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw unreadable(e, path);
  }
}

/** What an error may show of an untrusted value: primitives as they are, but a long string by
 *  its length (the message must not copy the document) and an object by its kind only (its
 *  properties may be getters, it may be a revoked Proxy). */
export function shown(value: unknown): unknown {
  if (typeof value === "string")
    return value.length > MAX_CONFIG_STRING ? `a string of ${value.length} characters` : value;
  if (typeof value === "function") return "a function";
  if (value === null || typeof value !== "object") return value;
  try {
    return Array.isArray(value) ? "an array" : "an object";
  } catch {
    return "a revoked Proxy";
  }
}

/**
 * The own keys of an object, each value read once into a fresh null-prototype record; an
 * unknown or prototype key is refused when met, before any value after it is read. `first`
 * names keys read and checked (by `check`) before all others: a document's format and
 * version, since another version may have other keys. Missing required keys are refused.
 */
export function readRecord(
  value: unknown,
  path: string,
  expected: string,
  required: readonly string[],
  optional: readonly string[] = [],
  first?: { keys: readonly string[]; check: (record: Record<string, unknown>) => void },
): Record<string, unknown> {
  if (value === null || typeof value !== "object" || guarded(path, () => Array.isArray(value)))
    throw new ArgumentError(path, expected, shown(value));
  const source = value as Record<string, unknown>;
  const record: Record<string, unknown> = Object.create(null);
  const read = (key: string): void => {
    record[key] = guarded(`${path}.${key}`, () => source[key]);
  };
  if (first) {
    for (const key of first.keys) if (guarded(path, () => Object.hasOwn(source, key))) read(key);
    first.check(record);
  }
  for (const key of guarded(path, () => Object.keys(source))) {
    if (key in record) continue;
    if (FORBIDDEN.includes(key))
      throw new ArgumentError(`${path}.${key}`, "no such key (it could pollute prototypes)", key);
    if (!required.includes(key) && !optional.includes(key))
      throw new ArgumentError(
        `${path}.${shown(key)}`,
        `one of the keys ${[...required, ...optional].join(", ")}`,
        shown(key),
      );
    read(key);
  }
  for (const key of required)
    if (!(key in record)) throw new ArgumentError(`${path}.${key}`, "present (a saved model always has it)", undefined);
  return record;
}

/** A number, boolean, null or short string: never an object, whose conversion to a key or a
 *  number could run code. */
export function readScalar(value: unknown, path: string, expected: string): unknown {
  const objectLike =
    value !== null &&
    (typeof value === "object" ||
      typeof value === "function" ||
      typeof value === "symbol" ||
      typeof value === "bigint");
  if (objectLike || (typeof value === "string" && value.length > MAX_CONFIG_STRING))
    throw new ArgumentError(path, expected, shown(value));
  return value;
}

/** The length of an array of `min` to `max` entries, checked before any element is read. */
function arrayLength(value: unknown, path: string, expected: string, min: number, max: number): number {
  if (!guarded(path, () => Array.isArray(value))) throw new ArgumentError(path, expected, shown(value));
  const length = guarded(`${path}.length`, () => (value as unknown[]).length);
  if (!Number.isSafeInteger(length) || length < min || length > max)
    throw new ArgumentError(path, expected, `an array of ${shown(length)}`);
  return length;
}

/** Each element of an array of `min` to `max` entries, read once and passed to `each` (which
 *  checks or reads it further, naming it `${path}[${index}]`); returns the length. Nothing is
 *  allocated per element, so a long array costs its reading only. */
export function forEachElement(
  value: unknown,
  path: string,
  expected: string,
  min: number,
  max: number,
  each: (element: unknown, index: number) => void,
): number {
  const length = arrayLength(value, path, expected, min, max);
  const source = value as unknown[];
  let i = 0;
  try {
    for (; i < length; i++) each(source[i], i);
  } catch (e) {
    throw unreadable(e, `${path}[${i}]`);
  }
  return length;
}

/** The elements of a short array, each read once through `each`. */
export function readArray<T = unknown>(
  value: unknown,
  path: string,
  expected: string,
  min: number,
  max: number,
  each: (element: unknown, index: number) => T = (v) => v as T,
): T[] {
  const out: T[] = [];
  forEachElement(value, path, expected, min, max, (v, i) => {
    out.push(each(v, i));
  });
  return out;
}

/** Largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** An array of exactly `length` finite numbers within float32's range, copied once (no
 *  allocation per element). */
export function readFloats(value: unknown, path: string, length: number): number[] {
  const out = new Array<number>(length);
  forEachElement(value, path, `${length} finite float32 numbers`, length, length, (v, i) => {
    if (typeof v !== "number" || !(Math.abs(v) <= FLOAT32_MAX))
      throw new ArgumentError(`${path}[${i}]`, "a finite float32 number", shown(v));
    out[i] = v;
  });
  return out;
}

/**
 * A configuration as plain data: a name, or an object of numbers, booleans, short strings and
 * nested objects of the same (an optimizer's schedule), at most MAX_CONFIG_VALUES values in
 * all. Which keys are allowed is for the config's own validator to say, on this copy.
 */
export function readConfig(value: unknown, path: string, expected: string): string | Record<string, unknown> {
  if (value === null || (typeof value !== "object" && typeof value !== "string"))
    throw new ArgumentError(path, expected, shown(value));
  let budget = MAX_CONFIG_VALUES;
  const copy = (v: unknown, at: string, depth: number): unknown => {
    if (--budget < 0) throw new ArgumentError(path, `${expected} of at most ${MAX_CONFIG_VALUES} values`, "more");
    if (v === null || typeof v !== "object") return readScalar(v, at, "a number, boolean or short string");
    if (depth > 1 || guarded(at, () => Array.isArray(v)))
      throw new ArgumentError(at, "a number, boolean, short string or (at the top) an object", shown(v));
    const out: Record<string, unknown> = Object.create(null);
    for (const key of guarded(at, () => Object.keys(v))) {
      if (FORBIDDEN.includes(key))
        throw new ArgumentError(`${at}.${key}`, "no such key (it could pollute prototypes)", key);
      const name = `${at}.${shown(key)}`;
      out[key] = copy(
        guarded(name, () => (v as Record<string, unknown>)[key]),
        name,
        depth + 1,
      );
    }
    return out;
  };
  const config = copy(value, path, 0) as string | Record<string, unknown>;
  if (typeof config !== "string" && !("name" in config))
    throw new ArgumentError(`${path}.name`, "present (a saved model always has it)", undefined);
  return config;
}

/** Runs a validator written for user options on a document's part, naming its errors by their
 *  place in the document: `part` (the validator's name for it, like "loss") becomes `path`. */
export function within<T>(path: string, part: string, validate: () => T): T {
  try {
    return validate();
  } catch (e) {
    if (!(e instanceof ArgumentError) || e.argument.startsWith(path)) throw e;
    const at =
      e.argument === part
        ? path
        : e.argument.startsWith(`${part}.`)
          ? path + e.argument.slice(part.length)
          : `${path}.${e.argument}`;
    throw new ArgumentError(at, e.expected, e.given);
  }
}

/** Every key `resolved` has (what a save writes for this config) is present in `given`:
 *  a document that lost one must not load with its default. Names stand for their defaults. */
export function requireComplete(given: unknown, resolved: object, path: string): void {
  if (typeof given === "string") return;
  const record = given as Record<string, unknown>;
  for (const [key, value] of Object.entries(resolved)) {
    if (!Object.hasOwn(record, key))
      throw new ArgumentError(`${path}.${key}`, "present (a saved model always has it)", undefined);
    if (value !== null && typeof value === "object") requireComplete(record[key], value, `${path}.${key}`);
  }
}
