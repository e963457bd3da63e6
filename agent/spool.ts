import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const entryName = /^(\d{16})\.json$/;

/**
 * Messages waiting to be sent, one file per message under a folder, named by a sequence number so that the oldest is
 * sent first and the order survives a restart. A message is written (and synced) before any send is tried and removed
 * only once the server has taken it, so an outage or a restart loses nothing. Bounded: at `maxEntries` the oldest is
 * dropped, and the count of dropped messages is kept in the folder too.
 */
export class Spool {
  private next: number;

  constructor(
    private readonly dir: string,
    private readonly maxEntries: number,
  ) {
    mkdirSync(dir, { recursive: true });
    const sequences = this.sequences();
    this.next = sequences.length ? sequences[sequences.length - 1]! + 1 : 1;
  }

  /** Messages dropped because the spool was full, since the spool was first created. */
  get dropped(): number {
    try {
      return Number(readFileSync(join(this.dir, 'dropped'), 'utf8').trim()) || 0;
    } catch {
      return 0;
    }
  }

  get size(): number {
    return this.sequences().length;
  }

  /** Appends a message; returns how many old messages it pushed out (0 unless the spool was full). */
  append(message: string): number {
    const name = join(this.dir, `${String(this.next++).padStart(16, '0')}.json`);
    const partial = `${name}.partial`;
    const fd = openSync(partial, 'w');
    try {
      writeSync(fd, message);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(partial, name);
    const sequences = this.sequences();
    const excess = sequences.slice(0, Math.max(0, sequences.length - this.maxEntries));
    for (const sequence of excess) unlinkSync(this.path(sequence));
    if (excess.length) writeFileSync(join(this.dir, 'dropped'), `${this.dropped + excess.length}\n`);
    return excess.length;
  }

  /** The oldest `limit` messages, oldest first, with the handle to remove them once sent. */
  peek(limit: number): { sequence: number; message: string }[] {
    return this.sequences()
      .slice(0, limit)
      .map((sequence) => ({ sequence, message: readFileSync(this.path(sequence), 'utf8') }));
  }

  remove(sequences: number[]): void {
    for (const sequence of sequences) unlinkSync(this.path(sequence));
  }

  private path(sequence: number): string {
    return join(this.dir, `${String(sequence).padStart(16, '0')}.json`);
  }

  private sequences(): number[] {
    return readdirSync(this.dir)
      .map((f) => entryName.exec(f)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }
}
