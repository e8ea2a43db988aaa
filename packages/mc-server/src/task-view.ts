import type { AppContext, Task } from "./context.js";
import { explainFailure, type Failure } from "./failures.js";

/** A task as the API and the stream show it: with the reason and fix when it failed. */
export type TaskView = Task & { failure: Failure | null };

export function presentTask(ctx: AppContext, task: Task): TaskView {
  if (task.status !== "failed") return { ...task, failure: null };
  return { ...task, failure: explainFailure(task.statusReason, ctx.failureContext()) };
}
