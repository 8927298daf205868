/*
 * The fast-check seed of a test run, chosen once per run here (vitest `globalSetup`, in the main process) and
 * applied in every test worker by apply-property-seed.ts (vitest `setupFiles`), through vitest's provide/inject.
 *
 * CI must not go red on a bug nobody touched, so when `CI` is set the seed is a fixed constant; a developer's
 * run picks a fresh random seed each time, so local runs keep exploring. `KMOS_PROPERTY_SEED=<int>` forces a
 * seed either way (to repeat a run, or to let CI explore on purpose). The seed in use is printed once per run.
 * A property that passes its own `seed` to `fc.assert` (the CPU fuzz tests) keeps it: a per-call seed wins
 * over the global one.
 */
import type { TestProject } from 'vitest/node';

/** CI's seed: fixed, so a CI run is repeatable; 'kmOS' in ASCII. Change it on purpose, never per run. */
export const CI_PROPERTY_SEED = 0x6b6d4f53;

declare module 'vitest' {
  export interface ProvidedContext {
    propertySeed: number;
  }
}

type SeedSource = 'KMOS_PROPERTY_SEED' | 'CI' | 'random';

/** The run's seed and where it came from; throws on a malformed KMOS_PROPERTY_SEED. */
export function choosePropertySeed(env: NodeJS.ProcessEnv): { seed: number; source: SeedSource } {
  const forced = env.KMOS_PROPERTY_SEED?.trim();
  if (forced) {
    const seed = Number(forced);
    if (!Number.isSafeInteger(seed))
      throw new Error(`KMOS_PROPERTY_SEED must be an integer, not "${forced}"`);
    return { seed: seed | 0, source: 'KMOS_PROPERTY_SEED' };
  }
  if (isCi(env)) return { seed: CI_PROPERTY_SEED, source: 'CI' };
  // The one place a test run may be random: it is what local exploration is for, and the seed is printed.
  return { seed: Math.floor(Math.random() * 0x8000_0000), source: 'random' };
}

function isCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

/** vitest `globalSetup`: choose the run's seed, print it, hand it to the workers. */
export default function setup(project: TestProject): void {
  const { seed, source } = choosePropertySeed(process.env);
  const how = source === 'random' ? 'random; set CI or KMOS_PROPERTY_SEED to fix it' : `from ${source}`;
  console.log(
    `property tests: fast-check seed ${seed} (${how}); KMOS_PROPERTY_SEED=${seed} repeats this run`,
  );
  project.provide('propertySeed', seed);
}
