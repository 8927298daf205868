// Differential tests of movzx/movsx, conversions, lahf/sahf and pushf/popf; forms in groups/moves.ts.
import { defineDifferentialGroups } from './differential.js';
import { moveGroups } from './groups/moves.js';

defineDifferentialGroups('moves', moveGroups);
