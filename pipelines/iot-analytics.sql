-- iot-analytics: the recipe's cloud pipeline (Managed Flink job + Lambda function), run by
-- `fluxgate serve` unless --pipeline says otherwise.
--
--   iot-telemetry (stream, 2 shards, created if missing)
--     -> s3://iot-analytics/raw-data/          every record as it arrived, by arrival hour
--                                              (zstd-compressed lines, *.json.zst)
--     -> s3://iot-analytics/processed-data/    the recipe's fields + processed_at (Parquet)
--     -> s3://iot-analytics/analytics-results/ 5-minute AVG/MAX/MIN per device, sensor, location
--                                              (Parquet)
--     -> alert topic 'iot-alerts'              temperature > 80, pressure > 100, vibration > 50
--
-- s3:// paths go to the object store configured in the server's TOML file ([store.s3]), or
-- with none to the embedded local store under <data-dir>/objects/. Files are in Hive-style
-- partitions (year=/month=/day=/hour=, not repeated inside the files) and published when a
-- checkpoint commits: Parquet files (Snappy pages) roll at every checkpoint; the raw
-- archive is one record per line, one zstd frame per checkpoint. DuckDB, Athena or Spark
-- read the tree as it is, e.g. in DuckDB:
--   SELECT * FROM read_parquet('<data-dir>/objects/iot-analytics/analytics-results/**/*.parquet',
--                              hive_partitioning = true);

SET 'pipeline.name' = 'iot-analytics';
SET 'execution.checkpointing.interval' = '10 s';
-- A shard quiet for this long stops holding windows back; when all are quiet the
-- watermark follows the wall clock, so the last window of a quiet plant still closes.
SET 'table.exec.source.idle-timeout' = '10 s';

-- The recipe's source table, unchanged but for the connector options.
CREATE TABLE iot_source (
    device_id STRING,
    timestamp TIMESTAMP(3),
    sensor_type STRING,
    value DOUBLE,
    unit STRING,
    location STRING,
    WATERMARK FOR timestamp AS timestamp - INTERVAL '5' SECOND
) WITH (
    'connector' = 'kinesis',
    'stream' = 'iot-telemetry',
    'aws.region' = 'us-east-1',
    'format' = 'json',
    'shards' = '2'
);

-- The same stream read as raw bytes: the archive keeps every record exactly as sent,
-- including ones the JSON table cannot parse (those also go to the job's dead letters).
CREATE TABLE iot_raw (
    data STRING,
    arrival_time TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL
) WITH (
    'connector' = 'kinesis',
    'stream' = 'iot-telemetry',
    'format' = 'raw'
);

CREATE TABLE raw_archive (
    data STRING,
    `year` STRING, `month` STRING, `day` STRING, `hour` STRING
) PARTITIONED BY (`year`, `month`, `day`, `hour`) WITH (
    'connector' = 's3',
    'path' = 's3://iot-analytics/raw-data/',
    'format' = 'raw',
    'compression' = 'zstd',
    'sink.rolling-policy.rollover-interval' = '1 min'
);

CREATE TABLE processed_sink (
    device_id STRING,
    timestamp TIMESTAMP(3),
    sensor_type STRING,
    value DOUBLE,
    unit STRING,
    location STRING,
    processed_at TIMESTAMP(3),
    `year` STRING, `month` STRING, `day` STRING, `hour` STRING
) PARTITIONED BY (`year`, `month`, `day`, `hour`) WITH (
    'connector' = 's3',
    'path' = 's3://iot-analytics/processed-data/',
    'format' = 'parquet',
    'parquet.compression' = 'snappy',
    'sink.rolling-policy.rollover-interval' = '1 min'
);

-- The recipe's analytics sink, plus the partition columns.
CREATE TABLE iot_analytics_sink (
    device_id STRING,
    sensor_type STRING,
    location STRING,
    avg_value DOUBLE,
    max_value DOUBLE,
    min_value DOUBLE,
    window_start TIMESTAMP(3),
    window_end TIMESTAMP(3),
    `year` STRING, `month` STRING, `day` STRING, `hour` STRING
) PARTITIONED BY (`year`, `month`, `day`, `hour`) WITH (
    'connector' = 's3',
    'path' = 's3://iot-analytics/analytics-results/',
    'format' = 'parquet',
    'parquet.compression' = 'snappy',
    'sink.rolling-policy.rollover-interval' = '1 min'
);

CREATE TABLE iot_alerts (
    device_id STRING,
    sensor_type STRING,
    value DOUBLE,
    unit STRING,
    location STRING,
    timestamp TIMESTAMP(3),
    severity STRING,
    subject STRING
) WITH (
    'connector' = 'alert',
    'topic' = 'iot-alerts',
    'message.template' = 'ALERT: Anomaly detected in {sensor_type} sensor {device_id}. Value: {value} {unit}'
);

EXECUTE STATEMENT SET
BEGIN
    INSERT INTO raw_archive
    SELECT data,
           DATE_FORMAT(arrival_time, 'yyyy'), DATE_FORMAT(arrival_time, 'MM'),
           DATE_FORMAT(arrival_time, 'dd'), DATE_FORMAT(arrival_time, 'HH')
    FROM iot_raw;

    INSERT INTO processed_sink
    SELECT device_id, timestamp, sensor_type, value, unit, location,
           CAST(CURRENT_TIMESTAMP AS TIMESTAMP(3)) AS processed_at,
           DATE_FORMAT(timestamp, 'yyyy'), DATE_FORMAT(timestamp, 'MM'),
           DATE_FORMAT(timestamp, 'dd'), DATE_FORMAT(timestamp, 'HH')
    FROM iot_source;

    -- The recipe's analytics query, plus the partition columns.
    INSERT INTO iot_analytics_sink
    SELECT
        device_id,
        sensor_type,
        location,
        AVG(value) as avg_value,
        MAX(value) as max_value,
        MIN(value) as min_value,
        TUMBLE_START(timestamp, INTERVAL '5' MINUTE) as window_start,
        TUMBLE_END(timestamp, INTERVAL '5' MINUTE) as window_end,
        DATE_FORMAT(TUMBLE_START(timestamp, INTERVAL '5' MINUTE), 'yyyy'),
        DATE_FORMAT(TUMBLE_START(timestamp, INTERVAL '5' MINUTE), 'MM'),
        DATE_FORMAT(TUMBLE_START(timestamp, INTERVAL '5' MINUTE), 'dd'),
        DATE_FORMAT(TUMBLE_START(timestamp, INTERVAL '5' MINUTE), 'HH')
    FROM iot_source
    GROUP BY
        device_id,
        sensor_type,
        location,
        TUMBLE(timestamp, INTERVAL '5' MINUTE);

    -- The Lambda's anomaly rules and message text.
    INSERT INTO iot_alerts
    SELECT device_id, sensor_type, value, unit, location, timestamp,
           CASE WHEN (sensor_type = 'temperature' AND value > 100)
                  OR (sensor_type = 'pressure' AND value > 130)
                  OR (sensor_type = 'vibration' AND value > 80)
                THEN 'critical' ELSE 'warning' END,
           'IoT Sensor Anomaly Alert'
    FROM iot_source
    WHERE (sensor_type = 'temperature' AND value > 80)
       OR (sensor_type = 'pressure' AND value > 100)
       OR (sensor_type = 'vibration' AND value > 50);
END;
