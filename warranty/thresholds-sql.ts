import type { Catalog } from '../core/catalog/load.ts';
import type { ThresholdSet } from './thresholds.ts';

/**
 * The columns th_warn, th_critical and th_ending (the thresholds of each unit's fleet and model, as `thresholdsFor`
 * picks them), to add to a SELECT with the LowCardinality columns `fleet_id` and `model`. The choices travel as array
 * parameters: a grid of (fleet position, catalog model position) cells naming a threshold entry, entry 1 being the
 * defaults. Both lookups run once per distinct fleet or model (LowCardinality); per row it is an index into constant
 * arrays, so the bulk evaluation costs about the same with or without fleet overrides.
 */
export function thresholdColumns(catalog: Catalog, set: ThresholdSet, params: Record<string, unknown>): string {
  const models = catalog.models.map((m) => m.model);
  const fleets = [...new Set(set.overrides.map((o) => o.fleetId))];
  const entries = [set.defaults, ...set.overrides];
  const width = models.length + 1;
  // Row 0 (fleets without overrides) and column 0 (models not in the catalog) keep the defaults or the fleet's own entry.
  const cells: number[] = new Array((fleets.length + 1) * width).fill(1);
  fleets.forEach((fleet, f) => {
    const fleetWide = set.overrides.findIndex((o) => o.fleetId === fleet && o.model === null);
    for (let m = 0; m < width; m++) {
      const own = m === 0 ? -1 : set.overrides.findIndex((o) => o.fleetId === fleet && o.model === models[m - 1]);
      const chosen = own >= 0 ? own : fleetWide;
      if (chosen >= 0) cells[(f + 1) * width + m] = chosen + 2;
    }
  });
  Object.assign(params, {
    th_models: models,
    th_model_at: models.map((_, i) => i + 1),
    th_fleets: fleets,
    th_fleet_at: fleets.map((_, i) => i + 1),
    th_cells: cells,
    th_warn: entries.map((e) => e.warnPct),
    th_critical: entries.map((e) => e.criticalPct),
    th_ending: entries.map((e) => e.endingDays),
  });
  const fleetAt = fleets.length ? `transform(fleet_id, {th_fleets:Array(String)}, {th_fleet_at:Array(UInt16)}, toUInt16(0))` : '0';
  return `{th_cells:Array(UInt16)}[${fleetAt} * ${width} + transform(model, {th_models:Array(String)}, {th_model_at:Array(UInt16)}, toUInt16(0)) + 1] AS th_entry,
     {th_warn:Array(Float64)}[th_entry] AS th_warn,
     {th_critical:Array(Float64)}[th_entry] AS th_critical,
     {th_ending:Array(UInt32)}[th_entry] AS th_ending`;
}
