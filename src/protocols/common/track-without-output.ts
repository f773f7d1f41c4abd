import type { StreamEvent } from "../../unified/index.js";

/** An encoder's output switch: its frame writers return "" while `muted` is set. */
export interface OutputSwitch {
  muted: boolean;
}

/**
 * `StreamEncoder.track`: runs the encoder's `push` for its state only, with every frame writer muted (nothing is
 * serialized), and unmutes even when `push` throws.
 */
export function trackWithoutOutput(output: OutputSwitch, push: (event: StreamEvent) => string, event: StreamEvent): void {
  output.muted = true;
  try {
    push(event);
  } finally {
    output.muted = false;
  }
}
