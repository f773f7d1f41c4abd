import { describe, expect, it } from "vitest";
import { relayClientStream, type RelayEnding } from "./relay-client-stream.js";

/** A source of `count` chunks that notes how far it was read and whether it was returned early. */
function source(count: number) {
  const seen = { read: 0, returned: false };
  async function* chunks(): AsyncGenerator<number> {
    try {
      for (let index = 0; index < count; index++) {
        seen.read = index + 1;
        await new Promise((resolve) => setTimeout(resolve, 1));
        yield index;
      }
    } finally {
      if (seen.read < count) seen.returned = true;
    }
  }
  return { seen, chunks: chunks() };
}

async function takeTwo(stream: AsyncIterable<number>): Promise<void> {
  for await (const chunk of stream) if (chunk === 1) break;
}

describe("relayClientStream", () => {
  it("a consumer that leaves ends the source at once when draining is off", async () => {
    const { seen, chunks } = source(10);
    const endings: RelayEnding[] = [];
    await takeTwo(relayClientStream(chunks, () => false, (ending) => endings.push(ending)));
    expect(seen).toEqual({ read: 2, returned: true });
    expect(endings).toEqual([{ finished: false, drained: false }]);
  });

  it("a consumer that leaves lets the source run to its end when draining is on, and reports only then", async () => {
    const { seen, chunks } = source(10);
    let ended: (ending: RelayEnding) => void = () => undefined;
    const ending = new Promise<RelayEnding>((resolve) => (ended = resolve));
    await takeTwo(relayClientStream(chunks, () => true, (value) => ended(value)));
    expect(seen.read).toBeLessThan(10);
    expect(await ending).toEqual({ finished: true, drained: true });
    expect(seen).toEqual({ read: 10, returned: false });
  });

  it("a finished or failed stream reports once, as it ended", async () => {
    const endings: RelayEnding[] = [];
    const whole: number[] = [];
    for await (const chunk of relayClientStream(source(3).chunks, () => true, (ending) => endings.push(ending))) whole.push(chunk);
    expect(whole).toEqual([0, 1, 2]);
    async function* failing(): AsyncGenerator<number> {
      yield 1;
      throw new Error("boom");
    }
    await expect(async () => {
      for await (const chunk of relayClientStream(failing(), () => true, (ending) => endings.push(ending))) void chunk;
    }).rejects.toMatchObject({ code: "internal" });
    expect(endings.map((ending) => [ending.finished, ending.drained, ending.thrown?.code])).toEqual([
      [true, false, undefined],
      [false, false, "internal"],
    ]);
  });
});
