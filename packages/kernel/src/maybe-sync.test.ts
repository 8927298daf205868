import type { MaybePromise } from '@kmos/abi-driver';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { after, drive, type Steps, wait } from './maybe-sync.js';

/** An input step: a value or an error, given at once or later. */
type Input = { value: number; fails: boolean; later: boolean };

function give(x: Input): MaybePromise<number> {
  const error = new Error(`step ${x.value}`);
  if (!x.later) {
    if (x.fails) throw error;
    return x.value;
  }
  return x.fails ? Promise.reject(error) : Promise.resolve(x.value);
}

/** The oracle: the same computation as an async function (a step that fails is caught and counted). */
async function summedAsync(inputs: Input[]): Promise<number> {
  let sum = 0;
  for (const x of inputs) {
    try {
      sum = sum * 3 + (await give(x));
    } catch {
      sum -= 1;
    }
  }
  if (sum === 7) throw new Error('seven');
  return sum;
}

function* summedSteps(inputs: Input[]): Steps<number> {
  let sum = 0;
  for (const x of inputs) {
    try {
      sum = sum * 3 + (yield* wait(give(x)));
    } catch {
      sum -= 1;
    }
  }
  if (sum === 7) throw new Error('seven');
  return sum;
}

async function settle(run: () => MaybePromise<number>): Promise<{ value: number } | { error: string }> {
  try {
    return { value: await run() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

const inputs = fc.array(
  fc.record({ value: fc.integer({ min: 0, max: 5 }), fails: fc.boolean(), later: fc.boolean() }),
  { maxLength: 6 },
);

describe('drive', () => {
  it('gives what the same code gives as an async function, values and errors alike', async () => {
    await fc.assert(
      fc.asyncProperty(inputs, async (xs) => {
        expect(await settle(() => drive(summedSteps(xs)))).toEqual(await settle(() => summedAsync(xs)));
      }),
    );
  });

  it('finishes at once, without a promise, when no step waits', () => {
    fc.assert(
      fc.property(inputs, (xs) => {
        const now = xs.map((x) => ({ ...x, later: false }));
        let result: MaybePromise<number> | undefined;
        let thrown: unknown = null;
        try {
          result = drive(summedSteps(now));
        } catch (e) {
          thrown = e;
        }
        expect(result instanceof Promise).toBe(false);
        if (thrown === null) expect(typeof result).toBe('number');
      }),
    );
  });

  it('returns a promise from the first step that waits on', () => {
    const result = drive(summedSteps([{ value: 1, fails: false, later: true }]));
    expect(result).toBeInstanceOf(Promise);
    return expect(result).resolves.toBe(1);
  });
});

describe('after', () => {
  it('applies at once to a value and later to a promise', async () => {
    expect(after(2, (v) => v + 1)).toBe(3);
    const later = after(Promise.resolve(2), (v) => v + 1);
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toBe(3);
  });
});
