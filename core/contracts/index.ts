export * from './alert.ts';
export * from './common.ts';
export * from './enrollment.ts';
export * from './rma.ts';
export * from './telemetry.ts';
