import type { System } from './system.ts';

/** Resolves once a SIGINT/SIGTERM-triggered shutdown has finished; a second signal exits at once. */
export function shutdownOnSignal(system: Pick<System, 'stop'>, progress: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        progress(`${signal} again: exiting without waiting`);
        process.exit(130);
      }
      signalled = true;
      progress(`${signal}: shutting down`);
      void system.stop().then(() => {
        progress('stopped cleanly');
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
