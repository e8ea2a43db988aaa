import { type GatewayEventMap, type GatewayEventName, isTypedEvent, parseEventPayload } from "../events/schemas.js";
import type { EventFrame } from "../protocol/frames.js";

/** A handler of an event without a schema (or of "*"): the payload as the gateway sent it. */
export type EventHandler = (payload: unknown, frame: EventFrame) => void;
/** A handler of a typed event: the payload checked against its schema. */
export type TypedEventHandler<E extends GatewayEventName> = (payload: GatewayEventMap[E], frame: EventFrame) => void;

export interface SeqGap {
  expected: number;
  received: number;
}

export interface EventHubHooks {
  /** A handler threw: logged, never breaks the connection. */
  handlerFailed(err: unknown): void;
  /** A typed event's payload did not match its schema: not delivered by name. */
  invalidPayload(event: string, problem: string): void;
  gap(gap: SeqGap): void;
}

/** The client's event fan-out: handlers by name and "*", payload checks, and `seq` gap detection. */
export class EventHub {
  readonly #handlers = new Map<string, Set<EventHandler>>();
  readonly #gapHandlers = new Set<(gap: SeqGap) => void>();
  readonly #hooks: EventHubHooks;
  #lastSeq: number | undefined;

  constructor(hooks: EventHubHooks) {
    this.#hooks = hooks;
  }

  on(event: string, handler: EventHandler): () => void {
    let set = this.#handlers.get(event);
    if (!set) this.#handlers.set(event, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  onGap(handler: (gap: SeqGap) => void): () => void {
    this.#gapHandlers.add(handler);
    return () => {
      this.#gapHandlers.delete(handler);
    };
  }

  /** A new connection: its `seq` counter starts again. */
  resetSeq(): void {
    this.#lastSeq = undefined;
  }

  dispatch(frame: EventFrame): void {
    if (typeof frame.seq === "number") {
      const last = this.#lastSeq;
      if (last !== undefined && frame.seq > last + 1) {
        const gap = { expected: last + 1, received: frame.seq };
        this.#hooks.gap(gap);
        for (const h of this.#gapHandlers) this.#safe(() => h(gap));
      }
      if (last === undefined || frame.seq > last) this.#lastSeq = frame.seq;
    }
    const named = this.#handlers.get(frame.event);
    // A typed payload is checked once per frame, and only when someone listens to it by name.
    if (named && named.size > 0) {
      let payload: unknown = frame.payload;
      let deliver = true;
      if (isTypedEvent(frame.event)) {
        const checked = parseEventPayload(frame.event, frame.payload);
        if (checked.ok) payload = checked.payload;
        else {
          deliver = false;
          this.#hooks.invalidPayload(frame.event, checked.problem);
        }
      }
      if (deliver) for (const h of named) this.#safe(() => h(payload, frame));
    }
    const any = this.#handlers.get("*");
    if (any) for (const h of any) this.#safe(() => h(frame.payload, frame));
  }

  #safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#hooks.handlerFailed(err);
    }
  }
}
