// Differential tests of string instructions, enter/leave, pusha/popa and loops; forms in groups/string.ts and groups/stack.ts.
import { defineDifferentialGroups } from './differential.js';
import { stackGroups } from './groups/stack.js';
import { stringGroups } from './groups/string.js';

defineDifferentialGroups('string', stringGroups);
defineDifferentialGroups('stack', stackGroups);
