import type { System } from './system.ts';

/**
 * Resolves once a SIGINT/SIGTERM-triggered shutdown has finished. The process exits within SHUTDOWN_TIMEOUT_MS
 * whatever Kafka and ClickHouse are doing: System.stop gives each part a share of that time, and should the stop still
 * not finish (or something keep the event loop alive after it), the process exits anyway; nothing uncommitted is
 * lost, Kafka delivers it again. A second signal exits at once.
 */
export function shutdownOnSignal(system: Pick<System, 'stop' | 'config'>, progress: (line: string) => void): Promise<void> {
  const timeoutMs = system.config.SHUTDOWN_TIMEOUT_MS;
  return new Promise((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        progress(`${signal} again: exiting without waiting`);
        process.exit(130);
      }
      signalled = true;
      progress(`${signal}: shutting down (at most ${timeoutMs / 1000} s)`);
      setTimeout(() => {
        progress(`did not stop within ${timeoutMs / 1000} s: exiting; uncommitted messages are delivered again on restart`);
        process.exit(1);
      }, timeoutMs).unref();
      void system.stop(Date.now() + timeoutMs - 1_000).then(() => {
        progress('stopped cleanly');
        // Exit even if a client library still holds a timer or socket open (e.g. a reconnect to a broker that is gone).
        setTimeout(() => process.exit(0), 1_000).unref();
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
