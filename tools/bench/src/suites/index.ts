// The suites `pnpm bench <suite>` knows, in one table. Add a suite as src/suites/<name>.ts and list it here.
import type { Suite } from '../suite.js';
import { cpuSuite } from './cpu.js';
import { mmSuite } from './mm.js';
import { startupSuite } from './startup.js';
import { sysSuite } from './sys.js';

export const SUITES: ReadonlyMap<string, Suite> = new Map([
  [cpuSuite.name, cpuSuite],
  [mmSuite.name, mmSuite],
  [startupSuite.name, startupSuite],
  [sysSuite.name, sysSuite],
]);
