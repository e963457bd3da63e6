import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Nice value for every thread but the event loop's: weight 110 against its 1024 under the Linux scheduler. */
const backgroundNice = 10;

/** Threads come and go with chDB's pools; one started from the event loop's thread would run at its priority. */
const rescanMs = 1_000;

const taskDir = '/proc/self/task';

/**
 * Gives the event loop precedence over the rest of the process. With embedded chDB, its merges and queries run on
 * threads of this process (its pools, and libuv workers calling into it); on a machine with few cores they held the
 * event loop off the CPU for tens of milliseconds at a time, which is what set the warranty lookup's tail latency,
 * not the lookup itself. Lowered, they still get every cycle the event loop leaves idle. V8's GC helpers are lowered
 * too (measured no worse): in a pause the event loop's thread itself does the work they have not picked up. Linux
 * only (per-thread nice through /proc); elsewhere a no-op. A failed scan is reported once and ends the rescans.
 * Returns a function that stops them.
 */
export function prioritizeEventLoop(onError: (error: unknown) => void): () => void {
  // On Linux the main thread's id is the process id.
  const eventLoop = String(process.pid);
  const done = new Set<string>([eventLoop]);
  const scan = () => {
    let tids: string[];
    try {
      tids = readdirSync(taskDir);
    } catch (error) {
      clearInterval(timer);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onError(error);
      return;
    }
    for (const tid of tids) {
      if (done.has(tid)) continue;
      done.add(tid);
      try {
        setPriority(Number(tid), backgroundNice);
      } catch {
        // ended between listing and renicing
      }
    }
    // Forget ended threads, so the set stays small and a reused thread id is reniced again.
    const alive = new Set(tids);
    for (const tid of done) if (!alive.has(tid) && tid !== eventLoop) done.delete(tid);
  };
  const timer = setInterval(scan, rescanMs);
  timer.unref();
  scan();
  return () => clearInterval(timer);
}
