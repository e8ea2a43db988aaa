import type { Failure } from "../view-model.js";

/** A failure a person can act on, in one line: the gateway's reason, then the fix. */
export function FailureLine({ failure, id }: { failure: Failure | null | undefined; id?: string }) {
  if (!failure) return null;
  return (
    <p class="failure" id={id} data-testid="failure" data-kind={failure.kind}>
      <strong>{failure.reason}</strong> <span class="fix">Fix: {failure.fix}</span>
    </p>
  );
}
