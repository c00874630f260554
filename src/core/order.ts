// One order for records everywhere: Lamport clock, then wall clock, then id as a tiebreak.

export interface Ordered {
  clock: number;
  at: number;
  id: string;
}

export function compareRecords(a: Ordered, b: Ordered): number {
  if (a.clock !== b.clock) return a.clock - b.clock;
  if (a.at !== b.at) return a.at - b.at;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
