/**
 * `pnpm bench mm`: the memory allocators. Throughput of the buddy page allocator and of each object allocator
 * (SLUB, slab, SLOB) in the fast paths and in a mixed workload, each against a plain JS free list doing the
 * same operations in the same run; then fragmentation after a fixed workload. Every job runs in its own
 * worker (see suite.ts). Layer: the bench tool.
 */
import { PAGE_SIZE } from '@kmos/abi-driver';
import { measure as measureRounds, type Throughput, type Workload } from '../measure.js';
import {
  FRAG_OBJECTS,
  type FragmentationResult,
  fragmentation,
  pageFragmentation,
} from '../mm/fragmentation.js';
import { OBJECT_ALLOCATORS, objectAllocator, pageMachine } from '../mm/machine.js';
import { MIXED_SIZES_LABEL, STREAM_LENGTH } from '../mm/random-stream.js';
import {
  BATCH,
  baselineBatch,
  baselineSlots,
  cacheBatch,
  cacheSlots,
  JsFreeList,
  kmallocSlots,
  pagesBatch,
  pagesSlots,
  SLOTS,
} from '../mm/workloads.js';
import type { Cell, Report, Table } from '../report.js';
import type { Suite } from '../suite.js';
import { type PageFaultResult, pageFaultJob, pageFaultTable } from './page-faults.js';
import { swapFaultJob, swapFaultTable } from './swap-faults.js';

type Pattern = 'batch' | 'slots';

interface Measured {
  readonly workload: string;
  readonly pattern: Pattern;
  readonly throughput: Throughput;
}

const CACHE_OBJECT_BYTES = 64;

/** Rounds replay whole random streams (a multiple of the batch size too). */
function measure(workload: Workload): Throughput {
  return measureRounds(workload, STREAM_LENGTH);
}
const DESIGNS = [...OBJECT_ALLOCATORS.keys()];

function baselineJob(): Measured[] {
  const objects = SLOTS + BATCH;
  return [
    {
      workload: 'pop/push',
      pattern: 'batch',
      throughput: measure(baselineBatch(new JsFreeList(objects, 64))),
    },
    {
      workload: 'pop/push',
      pattern: 'slots',
      throughput: measure(baselineSlots(new JsFreeList(objects, 64))),
    },
  ];
}

function buddyJob(): Measured[] {
  return [
    {
      workload: 'allocPages/freePages order 0',
      pattern: 'batch',
      throughput: measure(pagesBatch(pageMachine().pages, 0)),
    },
    {
      workload: 'allocPages/freePages orders 0..3',
      pattern: 'slots',
      throughput: measure(pagesSlots(pageMachine().pages)),
    },
  ];
}

function objectJob(design: string): Measured[] {
  const withCache = () => {
    const objects = objectAllocator(design, pageMachine());
    return { objects, cache: objects.createCache(`bench-${CACHE_OBJECT_BYTES}`, CACHE_OBJECT_BYTES) };
  };
  const a = withCache();
  const b = withCache();
  return [
    {
      workload: `cacheAlloc/cacheFree ${CACHE_OBJECT_BYTES} B`,
      pattern: 'batch',
      throughput: measure(cacheBatch(a.objects, a.cache)),
    },
    {
      workload: `cacheAlloc/cacheFree ${CACHE_OBJECT_BYTES} B`,
      pattern: 'slots',
      throughput: measure(cacheSlots(b.objects, b.cache)),
    },
    {
      workload: `kmalloc/kfree ${MIXED_SIZES_LABEL}`,
      pattern: 'slots',
      throughput: measure(kmallocSlots(objectAllocator(design, pageMachine()))),
    },
  ];
}

function fragmentationJob(): FragmentationResult[] {
  return [...DESIGNS.map(fragmentation), pageFragmentation()];
}

const PATTERN_NOTES = [
  `batch: ${BATCH} allocations, then frees newest first (LIFO reuse, the fast path).`,
  `slots: ${SLOTS} slots; each op frees the object in a random slot or allocates into an empty one (about half live, random free order).`,
  'Mops/s: best of 15 rounds timed in CPU time after warm-up (the median shows the noise); each job in a fresh worker thread (fresh JIT). One op = one alloc or one free.',
  'baseline: a plain JS number[] free list (pop to allocate, push to free) running the same pattern in the same run: no checks, no RAM.',
];

function throughputTable(title: string, rows: Measured[], baseline: Measured[]): Table {
  const base = (pattern: Pattern) => baseline.find((m) => m.pattern === pattern)!.throughput.opsPerSec;
  return {
    title,
    columns: ['workload', 'pattern', 'Mops/s', 'ns/op', 'median Mops/s', 'baseline Mops/s', 'vs baseline'],
    rows: rows.map((m): Cell[] => [
      m.workload,
      m.pattern,
      m.throughput.opsPerSec / 1e6,
      m.throughput.nsPerOp,
      m.throughput.medianOpsPerSec / 1e6,
      base(m.pattern) / 1e6,
      `${(m.throughput.opsPerSec / base(m.pattern)).toFixed(2)}x`,
    ]),
  };
}

function percent(bytes: number, pages: number): string {
  return `${((100 * bytes) / (pages * PAGE_SIZE)).toFixed(1)}%`;
}

function fragmentationTables(results: FragmentationResult[]): Table[] {
  const orders = results[0].freeBlocksByOrder.map((_, order) => String(order));
  return [
    {
      title: `mm fragmentation: ${FRAG_OBJECTS} kmallocs of ${MIXED_SIZES_LABEL}, two thirds freed, then shrink()`,
      columns: [
        'allocator',
        'live objs',
        'in use KiB',
        'pages held',
        'utilisation',
        'after shrink',
        'utilisation',
      ],
      rows: results.map((r) => [
        r.design,
        r.liveObjects,
        Math.round(r.bytesInUse / 1024),
        r.pagesHeld,
        percent(r.bytesInUse, r.pagesHeld),
        r.pagesHeldAfterShrink,
        percent(r.bytesInUse, r.pagesHeldAfterShrink),
      ]),
      notes: ['utilisation: bytes handed out (as rounded by the allocator) / bytes of the pages it holds.'],
    },
    {
      title:
        "mm fragmentation: free blocks by order after shrink (the page allocator's /proc/buddyinfo, all zones)",
      columns: ['allocator', ...orders],
      rows: results.map((r) => [r.design, ...r.freeBlocksByOrder]),
    },
  ];
}

export const mmSuite: Suite = {
  name: 'mm',
  description: 'memory allocators: buddy, SLUB, slab, SLOB throughput against a JS free list; fragmentation',
  jobs: ['baseline', 'buddy', ...DESIGNS, 'fragmentation', 'page-faults', 'swap'],
  runJob(job) {
    if (job === 'page-faults') return pageFaultJob();
    if (job === 'swap') return swapFaultJob();
    if (job === 'baseline') return baselineJob();
    if (job === 'buddy') return buddyJob();
    if (job === 'fragmentation') return fragmentationJob();
    return objectJob(job);
  },
  report(results): Report {
    const baseline = results.get('baseline') as Measured[];
    const tables: Table[] = [
      { ...throughputTable('mm baseline: plain JS free list', baseline, baseline), notes: PATTERN_NOTES },
      throughputTable('mm-buddy (page allocator)', results.get('buddy') as Measured[], baseline),
      ...DESIGNS.map((d) =>
        throughputTable(`mm-${d} (object allocator)`, results.get(d) as Measured[], baseline),
      ),
      ...fragmentationTables(results.get('fragmentation') as FragmentationResult[]),
      pageFaultTable(results.get('page-faults') as PageFaultResult),
      swapFaultTable(results.get('swap') as PageFaultResult),
    ];
    return { suite: 'mm', tables };
  },
};
