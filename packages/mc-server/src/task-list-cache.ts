/**
 * Serialised `GET /api/tasks` answers, keyed by the parsed and normalised query (so `?limit=500&limit=7`
 * and `?limit=500` share one entry) and bounded by bytes, least recently used first out. A body
 * larger than half the budget is never kept. The default budget (16 MiB as UTF-16) holds a full
 * 500-task page with long descriptions.
 */
export class TaskListCache {
  private readonly entries = new Map<string, string>();
  private bytes = 0;
  /** The most recently used key: the last in `entries` unless set() added another since. */
  private lastKey: string | undefined;
  readonly maxBytes: number;
  readonly maxEntries: number;

  constructor(opts: { maxBytes?: number; maxEntries?: number } = {}) {
    this.maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
    this.maxEntries = opts.maxEntries ?? 256;
  }

  get(key: string): string | undefined {
    const body = this.entries.get(key);
    if (body === undefined) return undefined;
    // Refresh its place in the LRU order (already there when it is the one asked for last).
    if (key !== this.lastKey) {
      this.entries.delete(key);
      this.entries.set(key, body);
      this.lastKey = key;
    }
    return body;
  }

  set(key: string, body: string): void {
    const size = TaskListCache.sizeOf(key, body);
    if (size > this.maxBytes / 2) return;
    this.delete(key);
    while (this.entries.size > 0 && (this.bytes + size > this.maxBytes || this.entries.size >= this.maxEntries)) {
      this.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, body);
    this.lastKey = key;
    this.bytes += size;
  }

  private delete(key: string): void {
    const old = this.entries.get(key);
    if (old === undefined) return;
    this.entries.delete(key);
    this.bytes -= TaskListCache.sizeOf(key, old);
  }

  clear(): void {
    this.entries.clear();
    this.lastKey = undefined;
    this.bytes = 0;
  }

  /** What is held now (for /api/health and tests). */
  stats(): { entries: number; bytes: number; maxBytes: number } {
    return { entries: this.entries.size, bytes: this.bytes, maxBytes: this.maxBytes };
  }

  /** UTF-16 code units × 2: what V8 holds for a two-byte string, an upper bound for a one-byte one. */
  private static sizeOf(key: string, body: string): number {
    return (key.length + body.length) * 2;
  }
}
