// Differential tests of mul, imul, div and idiv; the forms are generated in groups/muldiv.ts.
import { defineDifferentialGroups } from './differential.js';
import { mulDivGroups } from './groups/muldiv.js';

defineDifferentialGroups('muldiv', mulDivGroups);
