// Differential tests of setcc/cmovcc and the exchanging instructions; forms in groups/cond.ts and groups/exchange.ts.
import { defineDifferentialGroups } from './differential.js';
import { conditionGroups } from './groups/cond.js';
import { exchangeGroups } from './groups/exchange.js';

defineDifferentialGroups('conditions', conditionGroups);
defineDifferentialGroups('exchange', exchangeGroups);
