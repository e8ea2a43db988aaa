/** How a piece of work the client waits on ended, or that it did not end in time. */
export type Settled<T> =
  | { status: "fulfilled"; value: T }
  | { status: "rejected"; reason: unknown }
  | { status: "timeout"; ms: number; reason: Error };

/**
 * Waits for `work` at most `ms`. The client awaits code it does not own (an identity loader, a
 * device token store) before and after a connection; one that never settles must not hold
 * connect() or close() forever. The work itself keeps running: a caller that stops waiting must
 * not depend on it. A timeout carries its own reason, so a caller that treats it as a failure
 * reads both the same way.
 */
export function settleWithin<T>(work: Promise<T>, ms: number): Promise<Settled<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => resolve({ status: "timeout", ms, reason: new Error(`no answer within ${ms} ms`) }),
      ms,
    );
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve({ status: "fulfilled", value });
      },
      (reason: unknown) => {
        clearTimeout(timer);
        resolve({ status: "rejected", reason });
      },
    );
  });
}
