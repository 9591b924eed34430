/**
 * Splitting a scenario run over CI jobs: `--shard i/n` takes every n-th file of the run's files
 * sorted by path, starting with the i-th. The split depends only on the set of files (not on the
 * order they were named in), every file lands in exactly one shard, and so the shards together
 * run exactly what the whole run would.
 */

export interface Shard {
  /** 1-based. */
  index: number;
  total: number;
}

/** `2/4` → {index: 2, total: 4}; anything else is a RangeError with one sentence. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) {
    throw new RangeError(`--shard must be written i/n (e.g. 2/4: the second of four shards), got "${text}"`);
  }
  const index = Number(match[1]);
  const total = Number(match[2]);
  if (total < 1) throw new RangeError(`--shard ${text}: the number of shards must be at least 1`);
  if (index < 1 || index > total) {
    throw new RangeError(`--shard ${text}: the shard index must be between 1 and ${total}`);
  }
  return { index, total };
}

/** The files of one shard, in the order given. */
export function shardFiles(files: readonly string[], shard: Shard): string[] {
  const unique = [...new Set(files)];
  const sorted = [...unique].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mine = new Set(sorted.filter((_, position) => position % shard.total === shard.index - 1));
  return unique.filter((file) => mine.has(file));
}
