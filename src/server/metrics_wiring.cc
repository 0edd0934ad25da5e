#include "server/metrics_wiring.h"

#include <chrono>
#include <cmath>
#include <string>

#include "alerts/alert_hub.h"
#include "common/json_writer.h"
#include "ingest/mqtt_ingest.h"
#include "jobs/job_manager.h"
#include "kinesis/api.h"
#include "kinesis/kinesis_metrics.h"
#include "log/log_manager.h"
#include "metrics/alarm_engine.h"
#include "metrics/exposition.h"
#include "metrics/process_collector.h"
#include "metrics/registry.h"
#include "quality/service.h"

namespace fluxgate::server {

using metrics::FamilySink;
using metrics::Labels;

namespace {

double D(uint64_t v) { return static_cast<double>(v); }

void CollectLog(log::LogManager* log, FamilySink& out) {
  for (const log::ShardTraffic& t : log->Traffic()) {
    Labels l = {{"stream", t.stream}, {"shard", log::ShardIdFor(t.shard)}};
    out.Counter("fluxgate_stream_incoming_records_total",
                "Records appended to the shard (every producer: Kinesis API, HTTP, MQTT) since "
                "the server started.",
                l, D(t.records));
    out.Counter("fluxgate_stream_incoming_bytes_total",
                "Bytes (data + partition key) appended to the shard since the server started.", l,
                D(t.bytes));
  }
}

void CollectKinesis(const kinesis::KinesisApi* api, FamilySink& out) {
  const kinesis::KinesisMetrics& m = api->metrics();
  out.Histogram("fluxgate_kinesis_put_latency_seconds",
                "PutRecord/PutRecords latency from request to reply (records durable), seconds.",
                {}, m.put_latency.Snapshot());
  for (const kinesis::ShardReadStats& s : m.Reads()) {
    Labels l = {{"stream", s.stream}, {"shard", log::ShardIdFor(s.shard)}};
    out.Counter("fluxgate_stream_outgoing_records_total",
                "Records returned by GetRecords from the shard.", l, D(s.records));
    out.Counter("fluxgate_stream_outgoing_bytes_total",
                "Bytes (data + partition key) returned by GetRecords from the shard.", l,
                D(s.bytes));
    out.Gauge("fluxgate_stream_millis_behind_latest",
              "MillisBehindLatest of the newest GetRecords call on the shard.", l,
              static_cast<double>(s.millis_behind_latest));
    out.Gauge("fluxgate_stream_iterator_age_milliseconds",
              "Age of the last record the newest GetRecords call on the shard returned "
              "(GetRecords.IteratorAgeMilliseconds).",
              l, static_cast<double>(s.iterator_age_ms));
  }
}

void CollectJobs(jobs::JobManager* manager, FamilySink& out) {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  for (const jobs::JobInfo& info : manager->List()) {
    const jobs::JobStatus& s = info.status;
    Labels l = {{"job", s.name}};
    out.Counter("fluxgate_job_records_in_total", "Records the job read from its sources.", l,
                D(s.records_in));
    out.Counter("fluxgate_job_records_out_total", "Records the job wrote to its sinks.", l,
                D(s.records_out));
    out.Counter("fluxgate_job_dead_letter_records_total",
                "Records that did not fit the job's source schema (processing errors).", l,
                D(s.dead_letters));
    out.Counter("fluxgate_job_late_records_total",
                "Records dropped from windows/OVER as later than the watermark allows.", l,
                D(s.late_records));
    Labels ls = {{"job", s.name}, {"state", jobs::JobStateName(s.state)}};
    out.Gauge("fluxgate_job_info", "1 for each job, labelled with its state.", ls, 1);
    if (s.watermark_ms != INT64_MIN && s.watermark_ms > 0) {
      out.Gauge("fluxgate_job_watermark_lag_seconds",
                "Wall clock minus the job's event-time watermark, seconds.", l,
                static_cast<double>(now_ms - s.watermark_ms) / 1000.0);
    }
    if (s.last_checkpoint_id != 0) {
      out.Gauge("fluxgate_job_last_checkpoint_duration_seconds",
                "How long the job's newest checkpoint took, seconds.", l,
                static_cast<double>(s.last_checkpoint_duration_ms) / 1000.0);
      out.Gauge("fluxgate_job_last_checkpoint_size_bytes", "Size of the job's newest checkpoint.",
                l, D(s.last_checkpoint_bytes));
      out.Gauge("fluxgate_job_last_checkpoint_timestamp_seconds",
                "When the job's newest checkpoint completed, epoch seconds.", l,
                static_cast<double>(s.last_checkpoint_at_ms) / 1000.0);
    }
    out.Gauge("fluxgate_job_state_bytes", "Keyed state the job holds now.", l, D(s.state_bytes));
  }
}

void CollectAlerts(alerts::AlertHub* hub, FamilySink& out) {
  const alerts::AlertHubStats st = hub->Stats();
  out.Counter("fluxgate_alerts_published_total", "Alerts published to the hub.", {},
              D(st.published));
  out.Counter("fluxgate_alerts_unrouted_total",
              "Alerts published to a topic without a subscription.", {}, D(st.unrouted));
  out.Counter("fluxgate_alerts_folded_total",
              "Alerts held back by cooldown folding (summaries carry the count).", {},
              D(st.folded));
  out.Counter("fluxgate_alerts_fold_summaries_total", "Cooldown summaries sent.", {},
              D(st.summaries));
  out.Counter("fluxgate_alerts_outbox_refused_total",
              "Alerts refused because the outbox was full or failing.", {}, D(st.outbox_refused));
  out.Gauge("fluxgate_alerts_dead_letters", "Dead-lettered alerts kept now.", {},
            D(st.dead_letters));
  out.Gauge("fluxgate_alerts_outbox_bytes", "Size of the alert outbox file.", {},
            D(st.outbox_bytes));
  for (const alerts::SubscriptionStats& s : st.subscriptions) {
    Labels l = {{"topic", s.info.topic}, {"kind", s.info.kind}, {"target", s.info.target}};
    out.Counter("fluxgate_alerts_sent_total", "Alerts the subscription's receiver accepted.", l,
                D(s.delivered));
    out.Counter("fluxgate_alerts_failed_total",
                "Alerts given up on (dead-lettered) for the subscription.", l, D(s.failed));
    out.Counter("fluxgate_alerts_retried_total", "Delivery attempts after the first.", l,
                D(s.retried));
    out.Counter("fluxgate_alerts_dropped_total",
                "Alerts dropped (full queue, published after stop, drain timed out).", l,
                D(s.dropped));
    out.Gauge("fluxgate_alerts_queued", "Alerts waiting for delivery.", l, D(s.queued));
  }
}

void CollectMqtt(ingest::MqttIngest* mqtt, FamilySink& out) {
  const ingest::MqttIngestStats st = mqtt->stats();
  for (const auto& src : st.sources) {
    Labels l = {{"stream", src.stream}, {"broker", src.broker}};
    out.Counter("fluxgate_mqtt_received_total", "MQTT PUBLISH packets received.", l,
                D(src.stats.received));
    out.Counter("fluxgate_mqtt_appended_total", "MQTT messages durable in the log.", l,
                D(src.stats.appended));
    out.Counter("fluxgate_mqtt_dead_letters_total",
                "MQTT messages written to the dead-letter file.", l, D(src.stats.dead_lettered));
    out.Counter("fluxgate_mqtt_reconnects_total", "MQTT connections lost or refused.", l,
                D(src.stats.reconnects));
    out.Gauge("fluxgate_mqtt_connected", "1 while the broker session is up.", l,
              src.stats.connected ? 1 : 0);
  }
}

void CollectQuality(quality::Service* q, FamilySink& out) {
  for (const auto& sq : q->streams()) {
    const quality::StreamStats st = sq->monitor().Stats();
    Labels l = {{"stream", st.stream}};
    out.Counter("fluxgate_quality_records_total", "Records the quality monitor read.", l,
                D(st.records));
    out.Counter("fluxgate_quality_invalid_records_total", "Records breaking the stream schema.", l,
                D(st.invalid));
    out.Counter("fluxgate_quality_rejected_records_total", "Records refused at ingest.", l,
                D(st.rejected));
    out.Counter("fluxgate_quality_dead_letter_records_total", "Records diverted at ingest.", l,
                D(st.dead_lettered));
    out.Gauge("fluxgate_quality_stale_devices", "Devices silent for longer than allowed.", l,
              D(st.stale_devices));
  }
}

std::string AttributesJson(const metrics::AlarmTransition& t) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("alarm").String(t.alarm).Key("time_ms").Int(t.time_ms);
  w.Key("old_state").String(metrics::AlarmStateName(t.old_state));
  w.Key("new_state").String(metrics::AlarmStateName(t.new_state));
  w.Key("reason").String(t.reason);
  std::string threshold;
  metrics::AppendValue(t.threshold, threshold);
  w.Key("threshold").Raw(std::isfinite(t.threshold) ? threshold : "null");
  w.Key("datapoints").BeginArray();
  for (const auto& d : t.datapoints) {
    if (d && std::isfinite(*d)) {
      std::string v;
      metrics::AppendValue(*d, v);
      w.Raw(v);
    } else {
      w.Null();
    }
  }
  w.EndArray().EndObject();
  return out;
}

}  // namespace

void AddServerCollectors(metrics::Registry& registry, const MetricsSources& s) {
  registry.AddCollector(metrics::CollectProcessMetrics);
  if (s.log) registry.AddCollector([log = s.log](FamilySink& out) { CollectLog(log, out); });
  if (s.kinesis)
    registry.AddCollector([api = s.kinesis](FamilySink& out) { CollectKinesis(api, out); });
  if (s.jobs) registry.AddCollector([jobs = s.jobs](FamilySink& out) { CollectJobs(jobs, out); });
  if (s.alerts)
    registry.AddCollector([hub = s.alerts](FamilySink& out) { CollectAlerts(hub, out); });
  if (s.mqtt) registry.AddCollector([mqtt = s.mqtt](FamilySink& out) { CollectMqtt(mqtt, out); });
  if (s.quality)
    registry.AddCollector([q = s.quality](FamilySink& out) { CollectQuality(q, out); });
}

Result<std::unique_ptr<metrics::AlarmEngine>> StartAlarmEngine(const AlarmsConfig& config,
                                                               const metrics::Registry* registry,
                                                               alerts::AlertHub* hub) {
  std::vector<metrics::AlarmSpec> specs;
  for (const auto& a : config.alarms) {
    FG_ASSIGN_OR_RETURN(auto spec, metrics::AlarmSpecFromConfig(a));
    specs.push_back(std::move(spec));
  }
  metrics::AlarmEngineOptions o;
  o.on_transition = [hub](const metrics::AlarmTransition& t) {
    if (hub == nullptr || t.topic.empty()) return;
    alerts::Alert a;
    a.topic = t.topic;
    a.rule = "alarm:" + t.alarm;
    a.severity = t.new_state == metrics::AlarmState::kAlarm ? "critical" : "info";
    a.subject = std::string("Alarm ") + t.alarm + " is " + metrics::AlarmStateName(t.new_state);
    a.message = t.alarm + ": " + metrics::AlarmStateName(t.old_state) + " -> " +
                metrics::AlarmStateName(t.new_state) + ". " + t.reason +
                (t.description.empty() ? "" : " (" + t.description + ")");
    a.event_time_ms = t.time_ms;
    a.attributes = AttributesJson(t);
    hub->Publish(std::move(a));
  };
  auto engine = std::make_unique<metrics::AlarmEngine>(std::move(specs), registry, std::move(o));
  engine->Start();
  return engine;
}

}  // namespace fluxgate::server
