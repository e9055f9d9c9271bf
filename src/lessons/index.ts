// The lessons, in the order of the article. Each is an experiment with a verdict.
import cost from "./cost.js";
import deadRelu from "./deadRelu.js";
import depth from "./depth.js";
import type { Lesson, LessonOptions, LessonResult } from "./lesson.js";
import linear from "./linear.js";
import normalization from "./normalization.js";
import normalizationLayers from "./normalizationLayers.js";
import saturation from "./saturation.js";
import summary from "./summary.js";
import symmetry from "./symmetry.js";
import tanh from "./tanh.js";
import zeroCentred from "./zeroCentred.js";
import { ArgumentError } from "../errors.js";

export type { Chart, Figure, Lesson, LessonOptions, LessonResult } from "./lesson.js";

/** The ten lessons, in the order of "Activation Functions and Initialization Methods", then
 *  the ones beyond it (normalization layers). */
export const LESSONS: readonly Lesson[] = [
  linear,
  saturation,
  zeroCentred,
  cost,
  tanh,
  deadRelu,
  symmetry,
  normalization,
  depth,
  summary,
  normalizationLayers,
];

/** The lesson of that name; an ArgumentError listing the names otherwise. */
export function lessonNamed(name: string): Lesson {
  const found = LESSONS.find((l) => l.name === name);
  if (!found) throw new ArgumentError("lesson", `one of ${LESSONS.map((l) => l.name).join(", ")}`, name);
  return found;
}

/** Runs every lesson in order (or the named ones). */
export async function runLessons(names?: string[], options: LessonOptions = {}): Promise<LessonResult[]> {
  const chosen = names?.length ? names.map(lessonNamed) : LESSONS;
  const results: LessonResult[] = [];
  for (const l of chosen) results.push(await l.run(options));
  return results;
}
