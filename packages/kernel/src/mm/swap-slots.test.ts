// The swap-slot allocator against a model: random allocations, extra holders and releases; the model is a
// map of slot -> holders. Slots handed out are free in the model, inside the area and never a reserved one;
// alloc fails exactly when the model is full; counts and totals agree after every step.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SwapSlots } from './swap-slots.js';

type Op = { k: 'alloc' } | { k: 'dup'; pick: number } | { k: 'put'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ k: 'alloc' }),
  fc.record({ k: fc.constant('dup' as const), pick: fc.nat() }),
  fc.record({ k: fc.constant('put' as const), pick: fc.nat() }),
);

describe('SwapSlots', () => {
  it('agrees with a model of holders per slot', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 100 }),
        fc.array(opArb, { maxLength: 400 }),
        (first, span, ops) => {
          const slots = new SwapSlots(first, first + span);
          const model = new Map<number, number>();
          for (const op of ops) {
            const live = [...model.keys()];
            if (op.k === 'alloc') {
              const s = slots.alloc();
              if (model.size === span) {
                expect(s).toBe(-1);
                continue;
              }
              expect(s).toBeGreaterThanOrEqual(first);
              expect(s).toBeLessThan(first + span);
              expect(model.has(s)).toBe(false);
              model.set(s, 1);
            } else if (live.length > 0) {
              const s = live[op.pick % live.length];
              if (op.k === 'dup') {
                slots.dup(s);
                model.set(s, (model.get(s) ?? 0) + 1);
              } else {
                const left = (model.get(s) ?? 0) - 1;
                expect(slots.put(s)).toBe(left);
                if (left === 0) model.delete(s);
                else model.set(s, left);
              }
            }
            expect(slots.usedCount).toBe(model.size);
            expect(slots.freeCount).toBe(span - model.size);
            for (const [s, n] of model) expect(slots.count(s)).toBe(n);
          }
        },
      ),
    );
  });

  it('hands out every slot once before failing, then reuses a freed one', () => {
    const slots = new SwapSlots(1, 70);
    const got = new Set<number>();
    for (let i = 0; i < 69; i++) got.add(slots.alloc());
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 69 }, (_, i) => i + 1));
    expect(slots.alloc()).toBe(-1);
    slots.put(33);
    expect(slots.alloc()).toBe(33);
  });

  it('panics on a release or extra holder of a free or reserved slot', () => {
    const slots = new SwapSlots(1, 8);
    expect(() => slots.put(3)).toThrow(/not in use/);
    expect(() => slots.dup(0)).toThrow(/not in use/);
    const s = slots.alloc();
    slots.put(s);
    expect(() => slots.put(s)).toThrow(/not in use/);
  });
});
