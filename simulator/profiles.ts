/**
 * The fleet model's assumptions, as data. Each fleet is a kind of customer with its own workload, environment and
 * habits; each product line ships a few firmware releases over time. Tuning the simulation means editing these tables.
 */
export interface FleetProfile {
  fleet_id: string;
  /** Share of the simulated drives this fleet holds. */
  share: number;
  models: readonly { model: string; weight: number }[];
  /** Drive writes per day (host writes as a multiple of capacity): lognormal across drives. */
  dwpd: { median: number; sigma: number };
  /** Day-to-day lognormal spread of one drive's writes around its own mean. */
  daily_sigma: number;
  /** Write amplification (NAND bytes / host bytes): lognormal across drives. */
  waf: { median: number; sigma: number };
  hours_per_day: number;
  power_cycles_per_day: number;
  unsafe_shutdowns_per_day: number;
  temperature: { base_c: number; seasonal_c: number; sigma_c: number; excursions_per_year: number };
  /** Probability a drive comes with a valid proof of purchase. */
  proof_of_purchase: number;
  /** Probability the owner of a failed drive files a claim. */
  claim_rate: number;
  /** Claims filed on drives that have not failed, per drive-year (they end as no-fault-found). */
  healthy_claims_per_year: number;
  /** Probability that inspection finds each exclusion on a returned unit. */
  mishandling: { physical_damage: number; liquid_damage: number; tampered_label: number };
  /** Purchases come in lots of this median size (lognormal, sigma 0.6). */
  lot_size: number;
  /** Price paid relative to list price. */
  price_factor: number;
}

export const fleetProfiles: readonly FleetProfile[] = [
  {
    fleet_id: 'acme-datacenter',
    share: 0.3,
    models: [
      { model: 'WW-NV4-1T', weight: 3 },
      { model: 'WW-NV4-2T', weight: 4 },
      { model: 'WW-NV4-4T', weight: 2 },
    ],
    dwpd: { median: 0.2, sigma: 0.7 },
    daily_sigma: 0.35,
    waf: { median: 1.5, sigma: 0.2 },
    hours_per_day: 24,
    power_cycles_per_day: 0.01,
    unsafe_shutdowns_per_day: 0.002,
    temperature: { base_c: 44, seasonal_c: 2, sigma_c: 3, excursions_per_year: 0.5 },
    proof_of_purchase: 0.95,
    claim_rate: 0.95,
    healthy_claims_per_year: 0.002,
    mishandling: { physical_damage: 0.02, liquid_damage: 0.01, tampered_label: 0.02 },
    lot_size: 30,
    price_factor: 0.82,
  },
  {
    fleet_id: 'globex-laptops',
    share: 0.3,
    models: [
      { model: 'WW-SA3-256', weight: 2 },
      { model: 'WW-SA3-512', weight: 4 },
      { model: 'WW-SA3-1T', weight: 2 },
      { model: 'WW-NV4-512', weight: 2 },
    ],
    dwpd: { median: 0.06, sigma: 0.9 },
    daily_sigma: 0.8,
    waf: { median: 1.8, sigma: 0.2 },
    hours_per_day: 9,
    power_cycles_per_day: 1.6,
    unsafe_shutdowns_per_day: 0.02,
    temperature: { base_c: 37, seasonal_c: 4, sigma_c: 4, excursions_per_year: 0.3 },
    proof_of_purchase: 0.7,
    claim_rate: 0.85,
    healthy_claims_per_year: 0.008,
    mishandling: { physical_damage: 0.1, liquid_damage: 0.08, tampered_label: 0.06 },
    lot_size: 25,
    price_factor: 0.9,
  },
  {
    fleet_id: 'hooli-edge',
    share: 0.12,
    models: [
      { model: 'WW-NV4-512', weight: 3 },
      { model: 'WW-NV4-1T', weight: 2 },
      { model: 'WW-SA3-512', weight: 2 },
    ],
    // Log-heavy edge boxes: the fleet where TBW runs out within the warranty term.
    dwpd: { median: 0.45, sigma: 0.7 },
    daily_sigma: 0.3,
    waf: { median: 2.8, sigma: 0.25 },
    hours_per_day: 24,
    power_cycles_per_day: 0.05,
    unsafe_shutdowns_per_day: 0.03,
    temperature: { base_c: 52, seasonal_c: 8, sigma_c: 4, excursions_per_year: 4 },
    proof_of_purchase: 0.85,
    claim_rate: 0.95,
    healthy_claims_per_year: 0.004,
    mishandling: { physical_damage: 0.04, liquid_damage: 0.03, tampered_label: 0.03 },
    lot_size: 30,
    price_factor: 0.95,
  },
  {
    fleet_id: 'initech-dashcams',
    share: 0.18,
    models: [
      { model: 'WW-TF-STD-64', weight: 4 },
      { model: 'WW-TF-STD-128', weight: 3 },
      { model: 'WW-TF-PRO-128', weight: 2 },
    ],
    // Loop recording: the card is rewritten continuously while the car runs.
    dwpd: { median: 0.15, sigma: 0.55 },
    daily_sigma: 0.5,
    waf: { median: 3.2, sigma: 0.2 },
    hours_per_day: 2,
    power_cycles_per_day: 3,
    unsafe_shutdowns_per_day: 1.2,
    temperature: { base_c: 38, seasonal_c: 15, sigma_c: 8, excursions_per_year: 6 },
    proof_of_purchase: 0.5,
    claim_rate: 0.7,
    healthy_claims_per_year: 0.01,
    mishandling: { physical_damage: 0.12, liquid_damage: 0.08, tampered_label: 0.07 },
    lot_size: 30,
    price_factor: 1,
  },
  {
    fleet_id: 'umbrella-cctv',
    share: 0.1,
    models: [
      { model: 'WW-TF-END-256', weight: 3 },
      { model: 'WW-TF-PRO-128', weight: 2 },
    ],
    dwpd: { median: 0.25, sigma: 0.35 },
    daily_sigma: 0.15,
    waf: { median: 2.5, sigma: 0.2 },
    hours_per_day: 24,
    power_cycles_per_day: 0.05,
    unsafe_shutdowns_per_day: 0.03,
    temperature: { base_c: 30, seasonal_c: 12, sigma_c: 5, excursions_per_year: 2 },
    proof_of_purchase: 0.9,
    claim_rate: 0.9,
    healthy_claims_per_year: 0.003,
    mishandling: { physical_damage: 0.05, liquid_damage: 0.05, tampered_label: 0.03 },
    lot_size: 40,
    price_factor: 0.85,
  },
];

/** List prices in USD. */
export const listPrices: Readonly<Record<string, number>> = {
  'WW-NV4-512': 59,
  'WW-NV4-1T': 89,
  'WW-NV4-2T': 159,
  'WW-NV4-4T': 319,
  'WW-SA3-256': 32,
  'WW-SA3-512': 49,
  'WW-SA3-1T': 79,
  'WW-TF-STD-64': 11,
  'WW-TF-STD-128': 18,
  'WW-TF-PRO-128': 29,
  'WW-TF-END-256': 64,
};

/**
 * Firmware releases per product line, dated in months before the end of the simulation. A unit ships with the newest
 * release at its manufacturing date. `hazard` multiplies the failure rate: the truth the analytics should rediscover.
 */
export const firmwareReleases: Readonly<Record<string, readonly { version: string; months_before_end: number; hazard: number }[]>> = {
  NV: [
    { version: 'NV4-1.0.4', months_before_end: 60, hazard: 1 },
    { version: 'NV4-1.2.0', months_before_end: 32, hazard: 1 },
    { version: 'NV4-2.0.1', months_before_end: 20, hazard: 8 },
    { version: 'NV4-2.0.3', months_before_end: 11, hazard: 1 },
  ],
  SA: [
    { version: 'SA3-R05', months_before_end: 60, hazard: 1 },
    { version: 'SA3-R07', months_before_end: 26, hazard: 1 },
  ],
  TF: [
    { version: 'TF-1.3', months_before_end: 60, hazard: 1 },
    { version: 'TF-1.4', months_before_end: 22, hazard: 1 },
  ],
};

/** Product lines that had one bad manufacturing batch, and how much more often its units fail. */
export const badBatchLines: Readonly<Record<string, number>> = { SA: 10, TF: 8 };

/**
 * Failure hazard per kind: a constant annual failure rate, an infant-mortality term that fades over the first months,
 * and a wear-out term that grows steeply as TBW / P/E use approaches and passes the rating (the bathtub curve).
 */
export const hazardModel: Readonly<
  Record<'ssd' | 'tf', { base_afr: number; infant_factor: number; infant_days: number; wear_afr: number; wear_exponent: number }>
> = {
  ssd: { base_afr: 0.008, infant_factor: 4, infant_days: 45, wear_afr: 0.2, wear_exponent: 6 },
  tf: { base_afr: 0.015, infant_factor: 3, infant_days: 30, wear_afr: 0.2, wear_exponent: 6 },
};

/**
 * Most failures announce themselves (field studies of SSD fleets: uncorrectable / media errors rise in the weeks before
 * a drive fails). This share of failures begins as a degradation: from the onset the unit logs new media errors every
 * day and loses spare, and fails a lognormal number of days later. The rest fail suddenly, without a precursor.
 */
export const precursors = { share: 0.65, median_days: 21, sigma: 0.5, media_errors_per_day: 0.8, spare_loss_pct: 15 } as const;

/** Temperature excursions above the rated maximum add to the hazard on the day they happen. */
export const EXCURSION_HAZARD_DAYS = 20;

export type ReportedField =
  | 'host_bytes_written'
  | 'nand_bytes_written'
  | 'avg_pe_cycles'
  | 'percentage_used'
  | 'available_spare_pct'
  | 'media_errors'
  | 'critical_warning';

/**
 * What each product line's telemetry reports beyond hours, cycles, shutdowns and temperature: NVMe has the SMART /
 * Health log, the SATA line the usual vendor attributes, and the TF cards the vendor health command (no spare / warning).
 */
export const reportedFields: Readonly<Record<string, readonly ReportedField[]>> = {
  NV: ['host_bytes_written', 'nand_bytes_written', 'avg_pe_cycles', 'percentage_used', 'available_spare_pct', 'media_errors', 'critical_warning'],
  SA: ['host_bytes_written', 'avg_pe_cycles', 'percentage_used', 'media_errors'],
  TF: ['host_bytes_written', 'nand_bytes_written', 'avg_pe_cycles', 'percentage_used'],
};
