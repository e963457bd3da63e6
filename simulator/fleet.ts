import { unitAttributes } from '../analytics/units.ts';
import { addMonths, dayFromIso, isoFromDay } from '../core/calendar.ts';
import { type Catalog, type CatalogModel, decodeSerial } from '../core/catalog/load.ts';
import { Rng } from '../core/random.ts';
import { wearLimit } from '../warranty/evaluate.ts';
import { badBatchLines, type FleetProfile, firmwareReleases, fleetProfiles, listPrices } from './profiles.ts';
import { SerialFactory } from './serials.ts';

/** Everything fixed about one unit when it joins a fleet. */
export interface DriveSpec {
  index: number;
  serial: string;
  model: CatalogModel;
  fleet: FleetProfile;
  manufactured: number;
  purchased: number;
  deployed: number;
  /** Purchase date as the customer enters it; present with a proof of purchase and sometimes without one. */
  purchase_date?: number;
  proof_of_purchase?: string;
  price_paid: number;
  firmware: string;
  /** Manufacturing batch as the analytics name it: product line and the decoded week or month, e.g. "SA 2025-07-14". */
  batch: string;
  /** Failure-rate multiplier from firmware and batch. */
  hazard: number;
  dwpd: number;
  waf: number;
  /** Seconds after midnight UTC when the unit's agent reports. */
  report_second: number;
  capacity_bytes: number;
  /** Bytes (SSD) or P/E cycles (TF) at which the rating is reached. */
  rating: number;
  /** First day no longer covered by date (the day after the anniversary, or after d + 90 for a replacement on day d). */
  coverage_end: number;
  /** Days around coverage_end in which the date the rules decode from a serial could fall either side. */
  coverage_band: number;
  replaces?: string;
}

export interface FleetPlan {
  drives: DriveSpec[];
  bad_batches: { line: string; batch: string; hazard: number }[];
}

/** Days before the window that the oldest lots were bought, so some units age out of warranty during it. */
const PRE_WINDOW_DAYS = 730;

/**
 * The fleets at the start of the simulation: each fleet buys its drives in lots (same model, same purchase day, same
 * manufacturing week), which is how real fleets grow and why a bad batch shows up as a cluster.
 */
export function planFleet(catalog: Catalog, seed: number, options: { drives: number; start: number; end: number }): FleetPlan {
  const serials = new SerialFactory(catalog, seed);
  const models = new Map(catalog.models.map((m) => [m.model, m]));
  const lots: { fleet: FleetProfile; model: CatalogModel; purchased: number; manufactured: number; size: number }[] = [];
  const first = options.start - PRE_WINDOW_DAYS;
  const last = options.end - 14;
  for (const fleet of fleetProfiles) {
    const rng = Rng.derive(seed, `lots:${fleet.fleet_id}`);
    let remaining = Math.max(1, Math.round(options.drives * fleet.share));
    while (remaining > 0) {
      const size = Math.min(remaining, Math.max(1, Math.round(rng.lognormal(fleet.lot_size, 0.6))));
      const entry = rng.weighted(fleet.models, (m) => m.weight);
      const model = models.get(entry.model);
      if (!model) throw new Error(`fleet ${fleet.fleet_id} uses ${entry.model}, which is not in the catalog`);
      const purchased = first + rng.int(Math.max(1, last - first));
      lots.push({ fleet, model, purchased, manufactured: purchased - Math.round(rng.lognormal(50, 0.8)), size });
      remaining -= size;
    }
  }
  lots.sort((a, b) => a.purchased - b.purchased || a.fleet.fleet_id.localeCompare(b.fleet.fleet_id));
  const badBatches = pickBadBatches(lots, catalog, serials, options);
  const drives: DriveSpec[] = [];
  for (const lot of lots) {
    for (let i = 0; i < lot.size; i++) {
      const index = drives.length;
      const rng = Rng.derive(seed, `spec:${index}`);
      const serial = serials.make(lot.model.product_line, lot.manufactured, index);
      const hasProof = rng.chance(lot.fleet.proof_of_purchase);
      const deployed = lot.purchased + rng.int(10);
      const batch = unitAttributes(catalog, serial, lot.model.model).batch;
      const bad = badBatches.find((b) => b.batch === batch);
      drives.push(
        specFor({
          rng,
          catalog,
          end: options.end,
          index,
          serial,
          model: lot.model,
          fleet: lot.fleet,
          manufactured: lot.manufactured,
          purchased: lot.purchased,
          deployed,
          purchaseDate: hasProof || rng.chance(0.5) ? lot.purchased : undefined,
          proof: hasProof ? `INV-${isoFromDay(lot.purchased).slice(0, 4)}-${String(100000 + rng.int(900000))}` : undefined,
          price: roundCents(listPrices[lot.model.model]! * lot.fleet.price_factor * rng.lognormal(1, 0.04)),
          batchHazard: bad?.hazard ?? 1,
          coverageEnd: addMonths(hasProof ? lot.purchased : decodedManufacture(catalog, serial, lot.model), lot.model.warranty_months) + 1,
          coverageBand: hasProof ? 2 : lot.model.kind === 'tf' ? 40 : 10,
        }),
      );
    }
  }
  return { drives, bad_batches: badBatches };
}

/** A replacement unit: same model, same fleet and workload, a fresh serial, coverage by the 90-day rule. */
export function planReplacement(catalog: Catalog, seed: number, original: DriveSpec, index: number, replacedDay: number, end: number, rng: Rng): DriveSpec {
  const manufactured = replacedDay - Math.round(rng.lognormal(30, 0.5));
  const serial = new SerialFactory(catalog, seed).make(original.model.product_line, manufactured, index);
  return specFor({
    rng,
    catalog,
    end,
    index,
    serial,
    model: original.model,
    fleet: original.fleet,
    manufactured,
    purchased: replacedDay,
    deployed: replacedDay + 2 + rng.int(6),
    purchaseDate: undefined,
    proof: undefined,
    price: original.price_paid,
    batchHazard: 1,
    coverageEnd: Math.max(original.coverage_end, replacedDay + 91),
    coverageBand: 3,
    replaces: original.serial,
  });
}

function specFor(
  input: Pick<DriveSpec, 'index' | 'serial' | 'model' | 'fleet' | 'manufactured' | 'purchased' | 'deployed'> & {
    rng: Rng;
    catalog: Catalog;
    end: number;
    purchaseDate: number | undefined;
    proof: string | undefined;
    price: number;
    batchHazard: number;
    coverageEnd: number;
    coverageBand: number;
    replaces?: string;
  },
): DriveSpec {
  const { rng, model, fleet } = input;
  const firmware = firmwareAt(model.product_line, input.manufactured, input.end);
  const capacity = model.capacity_gb * 1e9;
  // Clamped at two sigmas: the far tail of a lognormal is not a real controller.
  const waf = Math.min(Math.max(1.05, rng.lognormal(fleet.waf.median, fleet.waf.sigma)), fleet.waf.median * Math.exp(2 * fleet.waf.sigma));
  return {
    index: input.index,
    serial: input.serial,
    model,
    fleet,
    manufactured: input.manufactured,
    purchased: input.purchased,
    deployed: input.deployed,
    purchase_date: input.purchaseDate,
    proof_of_purchase: input.proof,
    price_paid: input.price,
    firmware: firmware.version,
    batch: unitAttributes(input.catalog, input.serial, model.model).batch,
    hazard: firmware.hazard * input.batchHazard,
    dwpd: Math.min(rng.lognormal(fleet.dwpd.median, fleet.dwpd.sigma), maxRatedMultiple[model.kind] * ratedDwpd(model, waf)),
    waf,
    report_second: rng.int(86_400),
    capacity_bytes: capacity,
    rating: wearLimit(model),
    coverage_end: input.coverageEnd,
    coverage_band: input.coverageBand,
    replaces: input.replaces,
  };
}

/**
 * Firmware a unit ships with: the newest release at manufacture. Releases are dated relative to the end of the
 * simulation so every run, whatever its end date, has units on each release.
 */
function firmwareAt(line: string, manufactured: number, end: number) {
  const releases = firmwareReleases[line];
  if (!releases?.length) return { version: 'unknown', hazard: 1 };
  return releases.reduce((chosen, r) => (addMonths(end, -r.months_before_end) <= manufactured ? r : chosen), releases[0]!);
}

/** The manufacturing date the policy reads from a serial (the catalog decoder: Monday of its week, or 1st of its month). */
function decodedManufacture(catalog: Catalog, serial: string, model: CatalogModel): number {
  const decoded = decodeSerial(catalog, serial, model.product_line);
  if (!decoded.ok) throw new Error(`simulated serial ${serial} does not decode: ${decoded.reason}`);
  return dayFromIso(decoded.manufactured);
}

/** One bad batch per listed line: its largest lot manufactured in the first half of the window. */
function pickBadBatches(
  lots: { model: CatalogModel; manufactured: number; size: number }[],
  catalog: Catalog,
  serials: SerialFactory,
  options: { start: number; end: number },
): FleetPlan['bad_batches'] {
  const middle = options.start + (options.end - options.start) / 2;
  return Object.entries(badBatchLines).flatMap(([line, hazard]) => {
    const candidates = lots.filter((l) => l.model.product_line === line && l.manufactured >= options.start - 180 && l.manufactured < middle);
    if (!candidates.length) return [];
    const lot = candidates.reduce((best, l) => (l.size > best.size ? l : best));
    return [{ line, batch: unitAttributes(catalog, serials.make(line, lot.manufactured, 0), lot.model.model).batch, hazard }];
  });
}

/**
 * No unit writes more than this multiple of its model's rated drive-writes-per-day: an owner writing several times the
 * rating would have worn the unit out long before the window (and a large SSD's lifetime NAND bytes would leave the
 * range a message can carry exactly). Cheap TF cards in dashcams are the ones most often worn past their rating.
 */
const maxRatedMultiple = { ssd: 1.2, tf: 1.3 } as const;

/** Drive writes per day that use up the rating exactly at the end of the warranty term. */
function ratedDwpd(model: CatalogModel, waf: number): number {
  const termDays = model.warranty_months * 30.44;
  return model.kind === 'ssd' ? ((model.tbw_tb ?? 0) * 1e12) / (model.capacity_gb * 1e9) / termDays : (model.pe_cycles ?? 0) / waf / termDays;
}

function roundCents(value: number): number {
  return Math.round(value * 100) / 100;
}
