import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WaitQueue } from './wait-queue.js';

describe('WaitQueue', () => {
  it('wakes waiters oldest first, each once, and honours removal (model: an array)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constant({ op: 'add' as const }),
            fc.record({ op: fc.constant('remove' as const), which: fc.nat() }),
            fc.record({ op: fc.constant('wake' as const), count: fc.nat(4) }),
          ),
        ),
        (ops) => {
          const queue = new WaitQueue();
          const model: number[] = [];
          const removers = new Map<number, () => void>();
          const woken: number[] = [];
          const expected: number[] = [];
          let next = 0;
          for (const step of ops) {
            if (step.op === 'add') {
              const id = next++;
              removers.set(
                id,
                queue.add(() => woken.push(id)),
              );
              model.push(id);
            } else if (step.op === 'remove') {
              const id = step.which % Math.max(next, 1);
              removers.get(id)?.();
              const at = model.indexOf(id);
              if (at >= 0) model.splice(at, 1);
            } else {
              const ids = model.splice(0, step.count);
              expected.push(...ids);
              expect(queue.wake(step.count)).toBe(ids.length);
            }
            expect(queue.size).toBe(model.length);
          }
          expect(woken).toEqual(expected);
        },
      ),
    );
  });

  it('wakeAll empties the queue even when a waiter adds itself again', () => {
    const queue = new WaitQueue();
    let runs = 0;
    const waiter = () => {
      runs++;
      queue.add(waiter);
    };
    queue.add(waiter);
    queue.wakeAll();
    expect(runs).toBe(1);
    expect(queue.size).toBe(1);
  });
});
