/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by file, top N.
 *
 *   [BUSY_SECONDS=a-b] tsx bench/lib/profile-summary.ts <file.cpuprofile> [N] [regexp for the inclusive list]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
const profile = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
};
const top = Number(process.argv[3] ?? 25);
// BUSY_SECONDS=a-b: only the seconds from a to b (counted among the busy seconds: under 20 % idle), to
// isolate one load phase from start-up and the other phases.
const idleId = profile.nodes.find((n) => n.callFrame.functionName === '(idle)')?.id;
const secondOf: number[] = [];
const idleBySecond = new Map<number, number>();
const allBySecond = new Map<number, number>();
let clock = 0;
profile.samples.forEach((id, i) => {
  clock += profile.timeDeltas[i] ?? 0;
  const second = Math.floor(clock / 1e6);
  secondOf[i] = second;
  allBySecond.set(second, (allBySecond.get(second) ?? 0) + (profile.timeDeltas[i] ?? 0));
  if (id === idleId) idleBySecond.set(second, (idleBySecond.get(second) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const busySeconds = [...allBySecond.keys()]
  .filter((s) => (idleBySecond.get(s) ?? 0) < 0.2 * allBySecond.get(s)!)
  .sort((a, b) => a - b);
const range = process.env.BUSY_SECONDS?.split('-').map(Number);
const keep = range ? new Set(busySeconds.slice(range[0], range[1])) : undefined;
if (range) console.log(`busy seconds (under 20 % idle): ${busySeconds.join(' ')}; keeping ${[...keep!].join(' ')}`);
const self = new Map<number, number>();
profile.samples.forEach((id, i) => {
  if (keep && !keep.has(secondOf[i]!)) return;
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const node of profile.nodes) {
  const t = self.get(node.id) ?? 0;
  const url = node.callFrame.url
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\//, 'nm/')
    .replace(/.*\/work\/main\//, '');
  const fn = `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
  const pkg = url.startsWith('nm/')
    ? url
        .split('/')
        .slice(0, url.startsWith('nm/@') ? 3 : 2)
        .join('/')
    : url || node.callFrame.functionName;
  byFile.set(pkg, (byFile.get(pkg) ?? 0) + t);
}
const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
};
print('self time by package / file', byFile);
print('self time by function', byFunction);

// Inclusive time: each sample counts once for every distinct function on its stack.
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const nodeById = new Map(profile.nodes.map((n) => [n.id, n]));
const label = (node: Node) =>
  `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\//, 'nm/')
    .replace(/.*\/work\/main\//, '')}:${node.callFrame.lineNumber + 1}`;
const inclusive = new Map<string, number>();
for (const [id, t] of self) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) seen.add(label(nodeById.get(cur)!));
  for (const l of seen) inclusive.set(l, (inclusive.get(l) ?? 0) + t);
}
const filter = process.argv[4] ? new RegExp(process.argv[4]) : /src\//;
print(`inclusive time of functions matching ${filter}`, new Map([...inclusive].filter(([k]) => filter.test(k))));
