// What the API hands out about a model is frozen: a caller who writes to it gets a TypeError
// (in strict code) instead of silently changing a model, or another model on the same core.

/** Freezes `value` and every object and array it holds, and returns it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
