-- API keys of the fleet and staff endpoints. Only the SHA-256 of the secret is stored; the key id is public and
-- names the row. Revoking writes a newer version of the row, so reads with FINAL see the latest state.
CREATE TABLE IF NOT EXISTS api_keys
(
    key_id       String,
    name         String,
    role         Enum8('fleet_manager' = 1, 'quality' = 2, 'support' = 3, 'admin' = 4),
    fleet_ids    Array(String),
    secret_hash  String,
    created_at   DateTime64(3, 'UTC'),
    revoked_at   Nullable(DateTime64(3, 'UTC')),
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY key_id;
