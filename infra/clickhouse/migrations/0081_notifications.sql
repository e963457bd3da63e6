-- Notification channels of a fleet (webhook, e-mail, Slack-compatible incoming webhook). Every change is a new version;
-- the newest version of a channel wins, a deleted one stays as a tombstone. target is the URL, or the e-mail recipients
-- separated by commas; secret signs webhook bodies. A channel receives the alerts raised after it was created.
CREATE TABLE IF NOT EXISTS notification_channels
(
    channel_id    String,
    fleet_id      LowCardinality(String),
    kind          LowCardinality(String),
    name          String,
    target        String,
    secret        String,
    min_level     LowCardinality(String),
    flags         Array(LowCardinality(String)),
    send_cleared  UInt8,
    enabled       UInt8,
    deleted       UInt8,
    version       UInt64,
    updated_by    String,
    created_at    DateTime64(3, 'UTC'),
    updated_at    DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (fleet_id, channel_id);

-- One row per alert and channel, newest state wins: pending (due at next_at), delivered, dead (gave up after the
-- attempts; the dead-letter list), suppressed (acknowledged or snoozed when it was due). The (channel, alert) key is
-- what makes a redelivered alert a no-op. alert holds the alert JSON so a retry needs nothing else.
CREATE TABLE IF NOT EXISTS notification_deliveries
(
    channel_id   String,
    alert_id     String,
    fleet_id     LowCardinality(String),
    serial       String,
    flag         LowCardinality(String),
    level        LowCardinality(String),
    action       LowCardinality(String),
    alert        String,
    status       LowCardinality(String),
    attempts     UInt16,
    next_at      DateTime64(3, 'UTC'),
    last_error   String,
    created_at   DateTime64(3, 'UTC'),
    updated_at   DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (alert_id, channel_id);

-- Acknowledgements and snoozes of a raised flag, with who and why: the newest row of a (serial, flag) is its state.
-- kind ack holds for the level acknowledged until the flag changes level or clears; snooze holds until `until`;
-- lifted ends either.
CREATE TABLE IF NOT EXISTS flag_acknowledgements
(
    fleet_id   LowCardinality(String),
    serial     String,
    flag       LowCardinality(String),
    kind       LowCardinality(String),
    level      LowCardinality(String),
    until      Nullable(DateTime64(3, 'UTC')),
    by         String,
    reason     String,
    at         DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (fleet_id, serial, flag, at);
