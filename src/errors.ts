// Errors a user can act on: which argument, what was expected, what was given.

const describe = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  if (Array.isArray(value)) return `array(${value.length})`;
  return typeof value === "object" ? (value.constructor?.name ?? "object") : typeof value;
};

/** A bad argument: names it, says what was expected and what was given. */
export class ArgumentError extends RangeError {
  readonly argument: string;
  readonly expected: string;
  readonly given: unknown;
  constructor(argument: string, expected: string, given: unknown) {
    super(`${argument}: expected ${expected}, got ${describe(given)}`);
    this.name = "ArgumentError";
    this.argument = argument;
    this.expected = expected;
    this.given = given;
  }
}

/** Something inside simdnet failed (a wasm trap, memory exhausted): not the caller's fault. */
export class InternalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InternalError";
  }
}
