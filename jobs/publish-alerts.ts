import type { Producer } from 'kafkajs';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import { type AlertFlag, alertEvent } from '../core/contracts/alert.ts';
import { sendInBatches } from '../core/kafka.ts';
import { queryRows } from '../core/query.ts';
import { topics } from '../core/topics.ts';
import { flagMessage } from '../warranty/flags.ts';

const pageSize = 5_000;

interface FlagEventRow {
  run_id: number;
  serial: string;
  fleet_id: string;
  flag: AlertFlag;
  level: 'info' | 'review' | 'warn' | 'critical';
  action: 'raised' | 'cleared';
  at_ms: number;
  value: number | null;
  threshold: number | null;
}

/**
 * Produces the flag raises / clears of every successful run not yet published to wearwatch.alerts.v1 (keyed by serial),
 * then marks the run published. A run interrupted half-way is produced again from its start: delivery is at least once,
 * and nothing recorded in the outbox is lost.
 */
export async function publishPendingAlerts(client: ClickHouseClient, producer: Producer, progress: (line: string) => void = () => {}): Promise<number> {
  const runs = await queryRows<{ run_id: number }>(
    client,
    `SELECT run_id FROM scheduler_runs FINAL WHERE job = 'warranty' AND outcome = 'ok' AND published = 0 ORDER BY run_id`,
  );
  let sent = 0;
  for (const { run_id } of runs) {
    for (let offset = 0; ; offset += pageSize) {
      const rows = await queryRows<FlagEventRow>(
        client,
        `SELECT run_id, serial, fleet_id, flag, level, action, toUnixTimestamp64Milli(at) AS at_ms, value, threshold
         FROM warranty_flag_events WHERE run_id = {run:UInt64}
         ORDER BY serial, flag, action LIMIT {limit:UInt32} OFFSET {offset:UInt64}`,
        { run: run_id, limit: pageSize, offset },
      );
      if (rows.length === 0) break;
      await sendInBatches(producer, {
        topic: topics.alerts,
        acks: -1,
        messages: rows.map((r) => ({ key: r.serial, value: JSON.stringify(toAlert(r)) })),
      });
      sent += rows.length;
      progress(`published ${sent} alert(s)`);
      if (rows.length < pageSize) break;
    }
    await client.command({
      query: `INSERT INTO scheduler_runs SELECT * REPLACE (1 AS published, now64(3) AS updated_at)
              FROM scheduler_runs FINAL WHERE job = 'warranty' AND run_id = {run:UInt64}`,
      query_params: { run: run_id },
    });
  }
  return sent;
}

function toAlert(r: FlagEventRow) {
  return alertEvent.parse({
    schema: 'wearwatch.alerts.v1',
    id: `${r.run_id}.${r.serial}.${r.flag}.${r.action}`,
    serial: r.serial,
    fleet_id: r.fleet_id,
    flag: r.flag,
    level: r.level,
    action: r.action,
    at: new Date(Number(r.at_ms)).toISOString(),
    ...(r.value === null ? {} : { value: r.value }),
    ...(r.threshold === null ? {} : { threshold: r.threshold }),
    message: flagMessage(r.flag, r.action, r),
  });
}
