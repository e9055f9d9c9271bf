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

/** Refuses keys outside `allowed`: a misspelt option (`activaton`, `lr`) must not be ignored. */
export function rejectUnknownKeys(value: object, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      throw new ArgumentError(`${path}.${key}`, `one of the options ${allowed.join(", ")}`, key);
  }
}

/** An options argument, refused unless it is an object of the `allowed` keys (undefined
 *  means no options); `name` names it and prefixes a misspelt key. */
export function checkOptions<T extends object>(
  name: string,
  options: T | undefined,
  allowed: readonly string[],
): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object")
    throw new ArgumentError(name, `options { ${allowed.join(", ")} }`, options);
  rejectUnknownKeys(options, allowed, name);
  return options;
}

/** Something inside simdnet failed (a wasm trap, memory exhausted): not the caller's fault. */
export class InternalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InternalError";
  }
}

/** A call that the object's state does not allow now: a disposed model, a second fit at once. */
export class StateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StateError";
  }
}

/** Where a non-finite value first appeared in a training step. */
export type NonFiniteStage = "input normalization" | "pre-activation" | "activation" | "loss" | "gradient" | "update";

/** Training met NaN or infinity. `layer` is 1-based (0 for the input normalization or the loss as a whole). */
export class NonFiniteError extends Error {
  constructor(
    readonly stage: NonFiniteStage,
    readonly layer: number,
    readonly step: number,
    readonly epoch: number,
    detail: string,
  ) {
    super(
      `non-finite ${stage} ${detail} at step ${step} (epoch ${epoch + 1}); ` +
        "lower the learning rate, clip gradients (optimizer clipNorm) or normalize the inputs",
    );
    this.name = "NonFiniteError";
  }
}
