import { z } from 'zod';
import type { Config } from '../core/config.ts';

/**
 * What the customer is told about returning a unit (policy clause IV: the RMA process, proper packaging, the
 * customer's responsibility for their data). The same text serves the API and the "Submit RMA Request" page.
 */
export const requiredInformation = [
  'The serial number printed on the drive or card label',
  'Your name and an e-mail address we can reach you at',
  'The proof-of-purchase reference (invoice or receipt number); without it coverage starts at the manufacturing date in the serial number',
  'A short description of the fault you see',
  'Your confirmation that you have backed up and removed your data',
] as const;

const rmaSteps = [
  'Back up every file you need, then remove your data from the unit: we are not liable for data on units sent for service.',
  'Submit the RMA request with the serial number, contact details, proof-of-purchase reference and a description of the fault.',
  'Wait for the RMA number: shipments without an authorised RMA number are refused and returned.',
  'Pack the unit as described below and write the RMA number on the outside of the box.',
  'Ship the unit to the returns address; keep the tracking number.',
  'We inspect the unit and repair or replace it, or explain why the claim is declined; you can follow each step with the RMA number.',
] as const;

const packagingRules = [
  'Put the unit in an anti-static bag.',
  'Use a rigid box with at least 3 cm of padding on every side; an envelope is not enough for SSDs.',
  'Send only the unit: no cables, adapters, enclosures or heat sinks (they are not returned).',
  'Write the RMA number on the outside of the box and include a printout of the RMA confirmation.',
  'Do not remove or cover the serial number label: a unit with an altered or missing label is not covered.',
] as const;

/** The configured address as lines; the setting separates lines with a literal \n so it fits one variable. */
export const addressLines = (configured: string): string[] =>
  configured
    .split(/\\n|\n/)
    .map((l) => l.trim())
    .filter(Boolean);

export const shippingInstructionsSchema = z
  .object({ steps: z.array(z.string()), packaging: z.array(z.string()), mailing_address: z.array(z.string()) })
  .meta({ id: 'ShippingInstructions' });
export type ShippingInstructions = z.output<typeof shippingInstructionsSchema>;

/** What an authorised customer is told to do next, with the configured returns address. */
export const shippingInstructions = (config: Pick<Config, 'RMA_MAILING_ADDRESS'>): ShippingInstructions => ({
  steps: [...rmaSteps],
  packaging: [...packagingRules],
  mailing_address: addressLines(config.RMA_MAILING_ADDRESS),
});
