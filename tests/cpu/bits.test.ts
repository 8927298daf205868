// Differential tests of BCD adjusts and bit instructions; the forms are generated in groups/bcd.ts and groups/bits.ts.
import { defineDifferentialGroups } from './differential.js';
import { bcdGroups } from './groups/bcd.js';
import { bitGroups } from './groups/bits.js';

defineDifferentialGroups('bcd', bcdGroups);
defineDifferentialGroups('bits', bitGroups);
