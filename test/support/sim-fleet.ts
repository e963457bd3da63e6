import { writeCatalog } from '../../core/catalog/load.ts';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { decodeEnrollment, decodeRma, decodeTelemetry } from '../../core/contracts/rows.ts';
import { insertRows } from '../../core/query.ts';
import { FleetSimulation, type SimulationOptions } from '../../simulator/engine.ts';
import type { GroundTruth } from '../../simulator/truth.ts';

/**
 * Writes a simulated fleet straight into the tables ingest fills (drives, telemetry, rma_events), decoded by the same
 * row decoders ingest uses. Kafka is not what these analytics tests measure, and this keeps a two-year fleet to seconds.
 */
export async function writeSimulatedFleet(
  ch: ClickHouse,
  options: Omit<SimulationOptions, 'catalog'>,
): Promise<{ simulation: FleetSimulation; truth: GroundTruth }> {
  const simulation = new FleetSimulation(options);
  await writeCatalog(ch.client, simulation.catalog);
  const rows = { drives: [] as unknown[], telemetry: [] as unknown[], rma_events: [] as unknown[] };
  const flush = async () => {
    for (const [table, values] of Object.entries(rows)) {
      await insertRows(ch.client, table, values);
      values.length = 0;
    }
  };
  for (const events of simulation.days()) {
    for (const event of events) {
      const bytes = Buffer.from(JSON.stringify(event.value));
      const decoded = event.topic === 'enrollment' ? decodeEnrollment(bytes) : event.topic === 'telemetry' ? decodeTelemetry(bytes) : decodeRma(bytes);
      if (!decoded.ok) throw new Error(`simulated ${event.topic} event did not decode: ${decoded.reason}`);
      rows[event.topic === 'enrollment' ? 'drives' : event.topic === 'telemetry' ? 'telemetry' : 'rma_events'].push(decoded.row);
    }
    if (rows.telemetry.length > 50_000) await flush();
  }
  await flush();
  return { simulation, truth: simulation.groundTruth() };
}
