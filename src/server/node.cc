#include "server/node.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "alerts/alert_hub.h"
#include "auth/authorizer.h"
#include "common/logging.h"
#include "http/server.h"
#include "http/tls.h"
#include "ingest/mqtt_ingest.h"
#include "jobs/job_manager.h"
#include "kinesis/api.h"
#include "log/log_manager.h"
#include "metrics/alarm_engine.h"
#include "metrics/registry.h"
#include "quality/service.h"
#include "server/metrics_wiring.h"
#include "server/pipeline_files.h"
#include "store/lifecycle_task.h"
#include "store/open_store.h"
#include "web/http_api.h"

namespace fluxgate::server {

namespace {

// The key that authenticates shard iterators, kept in the data directory so iterators a
// consumer holds stay valid across a restart (AWS's do). Created on first start, mode 0600.
Result<std::string> LoadOrCreateIteratorSecret(const std::string& data_dir) {
  const std::string path = data_dir + "/iterator.key";
  std::ifstream in(path);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    std::string key = ss.str();
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    if (key.size() == 64) return key;
    return Status::Corruption(path +
                              ": expected 64 hex characters; delete it to make a new "
                              "key (outstanding shard iterators become invalid)");
  }
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof(raw)) != 1) return Status::Internal("RAND_bytes failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key;
  for (unsigned char b : raw) {
    key.push_back(kHex[b >> 4]);
    key.push_back(kHex[b & 0xf]);
  }
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno("create " + tmp, errno);
  std::string line = key + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) return Status::FromErrno("write " + tmp, err);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Status::FromErrno("rename " + tmp, errno);
  return key;
}

}  // namespace

struct Node::Impl {
  std::unique_ptr<log::LogManager> log;
  std::unique_ptr<alerts::AlertHub> alerts;
  std::unique_ptr<quality::Service> quality;  // [quality]; publishes to `alerts`
  std::unique_ptr<jobs::JobManager> jobs;
  std::unique_ptr<ingest::MqttIngest> mqtt;  // [[ingest.mqtt]]; stopped before the log closes
  std::unique_ptr<kinesis::KinesisApi> kinesis;
  std::unique_ptr<web::HttpApi> web;
  std::unique_ptr<http::Server> kinesis_server;
  std::unique_ptr<http::Server> http_server;
  // GET /metrics and [[alarms]] (metrics_wiring.h); the engine publishes to `alerts`.
  std::unique_ptr<metrics::Registry> metrics;
  std::unique_ptr<metrics::AlarmEngine> alarms;
  std::unique_ptr<store::LifecycleTask> lifecycle;  // [lifecycle]; stopped first
  bool stopped = false;
};

Node::Node() : impl_(std::make_unique<Impl>()) {}
Node::~Node() { (void)Stop(); }

Result<std::unique_ptr<Node>> Node::Start(const ServeConfig& c) {
  jobs::JobManagerOptions o;
  o.factory = jobs::DefaultJobFactory();
  o.query_factory = jobs::DefaultQueryJobFactory();
  return Start(c, std::move(o), FindShippedPipelinesDir());
}

Result<std::unique_ptr<Node>> Node::Start(const ServeConfig& c, jobs::JobManagerOptions jo,
                                          const std::string& shipped_pipelines_dir) {
  auto logger = GetLogger("server");
  std::unique_ptr<Node> node(new Node());
  Impl& n = *node->impl_;

  // Bad addresses are refused before the log is opened (and its directory created).
  FG_ASSIGN_OR_RETURN(auto kaddr, http::ParseHostPort(c.kinesis_listen));
  FG_ASSIGN_OR_RETURN(auto haddr, http::ParseHostPort(c.http_listen));
  // So is a [tls] certificate or key that cannot be loaded.
  const bool tls = !c.tls.cert_file.empty();
  if (tls) {
    if (Status s = http::CheckServerTlsFiles(c.tls.cert_file, c.tls.key_file); !s.ok())
      return Status::InvalidArgument("[tls]: " + s.message());
  }
  // So are unreadable pipeline files.
  FG_ASSIGN_OR_RETURN(auto startup, LoadStartupScripts(c, shipped_pipelines_dir));

  log::LogOptions lo;
  lo.data_dir = c.data_dir;
  lo.durability = c.durability == "none" ? log::Durability::kNone : log::Durability::kFsync;
  lo.segment_bytes = c.log.segment_bytes;
  lo.index_interval_bytes = c.log.index_interval_bytes;
  lo.max_pending_bytes = c.log.max_pending_bytes;
  lo.shard_write_records_per_sec = c.log.shard_write_records_per_sec;
  lo.shard_write_bytes_per_sec = c.log.shard_write_bytes_per_sec;
  lo.retention_check_interval_ms = c.log.retention_check_interval_ms;
  lo.sync_threads = c.log.sync_threads;
  FG_ASSIGN_OR_RETURN(n.log, log::LogManager::Open(lo));
  FG_ASSIGN_OR_RETURN(n.alerts, alerts::AlertHub::Start(c.alerts, c.data_dir));
  // [quality]: ingest paths find the stream rules through the log (quality::CheckedAppend);
  // profiles are computed in the background and stale devices alert through the hub.
  quality::Service::Options qo;
  qo.log = n.log.get();
  qo.publish = [hub = n.alerts.get()](alerts::Alert a) { hub->Publish(std::move(a)); };
  FG_ASSIGN_OR_RETURN(n.quality, quality::Service::Start(c.quality, std::move(qo)));

  jobs::JobContext jc;
  jc.log = n.log.get();
  jc.alerts = n.alerts.get();
  jc.data_dir = c.data_dir;
  jc.worker_threads = c.jobs.worker_threads;
  jc.max_state_bytes = c.jobs.max_state_bytes;
  jc.read_batch_records = c.jobs.read_batch_records;
  // [store]: s3:// sink paths go to [store.s3] when set; one opener (one S3 connection
  // pool) for every sink and the lifecycle task.
  jc.store = c.store;
  jc.stores = std::make_shared<store::SinkStoreOpener>(c.store, c.data_dir);
  n.jobs = std::make_unique<jobs::JobManager>(jc, std::move(jo));
  FG_RETURN_IF_ERROR(n.jobs->RestoreFromDisk(startup));
  // [lifecycle]: expiry and compaction of sink output, after the jobs restored (a restore
  // re-publishes its checkpoint's files first).
  FG_ASSIGN_OR_RETURN(
      n.lifecycle,
      store::LifecycleTask::Create(
          c.lifecycle,
          [stores = jc.stores](const store::SinkLocation& l) { return stores->Open(l); },
          [] {
            return std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                .count();
          }));
  n.lifecycle->Start();
  // MQTT ingest appends like any producer; connecting to the brokers runs in the background.
  FG_ASSIGN_OR_RETURN(n.mqtt, ingest::MqttIngest::Start(c.ingest, c.data_dir, n.log.get()));

  kinesis::KinesisOptions ko;
  ko.region = c.kinesis.region;
  ko.account_id = c.kinesis.account_id;
  ko.create_delay_ms = c.kinesis.create_delay_ms;
  ko.delete_delay_ms = c.kinesis.delete_delay_ms;
  ko.update_delay_ms = c.kinesis.update_delay_ms;
  ko.iterator_ttl_ms = c.kinesis.iterator_ttl_ms;
  ko.shard_limit = c.kinesis.shard_limit;
  ko.on_demand_shards = c.kinesis.on_demand_shards;
  FG_ASSIGN_OR_RETURN(ko.iterator_secret, LoadOrCreateIteratorSecret(c.data_dir));
  // [auth]: one set of principals for both APIs (docs/design/auth.md).
  auth::AuthorizerOptions ao;
  ao.region = c.kinesis.region;
  ao.account_id = c.kinesis.account_id;
  ko.authorizer = std::make_shared<const auth::Authorizer>(c.auth, ao);
  GetLogger("auth")->info("{}", ko.authorizer->Summary());
  n.kinesis = std::make_unique<kinesis::KinesisApi>(n.log.get(), ko);
  web::RecordsApiOptions ro;
  ro.max_request_bytes = c.ingest.http_max_request_bytes;
  n.web = std::make_unique<web::HttpApi>(n.log.get(), n.jobs.get(), ko.authorizer, ro);
  n.web->SetBearerToken(c.http.bearer_token);  // [http] bearer_token: admin API + dashboard
  n.web->SetAlerts(n.alerts.get());
  n.metrics = std::make_unique<metrics::Registry>();
  AddServerCollectors(*n.metrics, {n.log.get(), n.kinesis.get(), n.jobs.get(), n.alerts.get(),
                                   n.mqtt.get(), n.quality.get()});
  FG_ASSIGN_OR_RETURN(n.alarms, StartAlarmEngine(c.alarms, n.metrics.get(), n.alerts.get()));
  n.web->metrics().Attach(n.metrics.get(), n.alarms.get());

  http::ServerOptions kso;
  kso.host = kaddr.first;
  kso.port = kaddr.second;
  kso.threads = c.kinesis.threads;
  kso.max_body_bytes = c.kinesis.max_request_bytes;
  kso.name = "kinesis";
  kso.tls_cert_file = c.tls.cert_file;
  kso.tls_key_file = c.tls.key_file;
  kinesis::KinesisApi* api = n.kinesis.get();
  FG_ASSIGN_OR_RETURN(n.kinesis_server,
                      http::Server::Start(kso, [api](http::Request&& req, http::Responder r) {
                        api->Handle(std::move(req), std::move(r));
                      }));

  http::ServerOptions hso;
  hso.host = haddr.first;
  hso.port = haddr.second;
  hso.threads = c.http.threads;
  // Ingest bodies up to the limit reach RecordsApi, which answers 413 itself past it.
  hso.max_body_bytes = std::max<uint64_t>(1ull << 20, c.ingest.http_max_request_bytes);
  hso.name = "http";
  hso.tls_cert_file = c.tls.cert_file;
  hso.tls_key_file = c.tls.key_file;
  web::HttpApi* web = n.web.get();
  FG_ASSIGN_OR_RETURN(n.http_server,
                      http::Server::Start(hso, [web](http::Request&& req, http::Responder r) {
                        web->Handle(std::move(req), std::move(r));
                      }));
  if (tls)
    logger->info("tls: Kinesis API and HTTP listeners serve HTTPS only (certificate {})",
                 c.tls.cert_file);
  return node;
}

uint16_t Node::kinesis_port() const { return impl_->kinesis_server->port(); }
uint16_t Node::http_port() const { return impl_->http_server->port(); }
log::LogManager* Node::log() const { return impl_->log.get(); }
jobs::JobManager* Node::jobs() const { return impl_->jobs.get(); }

Status Node::Stop() {
  if (impl_->stopped) return Status::Ok();
  impl_->stopped = true;
  // The reverse of Start: listeners first so no new request arrives, then job operations
  // in progress finish, the jobs take their final checkpoints, queued alerts drain, and
  // the log flushes and fsyncs last.
  auto logger = GetLogger("server");
  if (impl_->lifecycle) impl_->lifecycle->Stop();
  if (impl_->http_server) impl_->http_server->Stop();
  if (impl_->kinesis_server) impl_->kinesis_server->Stop();
  if (impl_->web) impl_->web->Stop();
  if (impl_->alarms) impl_->alarms->Stop();  // publishes to the alerts stopped below
  if (impl_->mqtt) impl_->mqtt->Stop();  // its last PUBACKs need the log still open
  if (impl_->quality) impl_->quality->Stop();  // before the alerts it publishes to
  Status st;
  if (impl_->jobs) {
    if (Status s = impl_->jobs->StopAll(); !s.ok()) {
      logger->error("stopping jobs: {}", s.ToString());
      st = s;
    }
  }
  if (impl_->alerts) {
    if (Status s = impl_->alerts->Stop(); !s.ok()) logger->warn("alerts: {}", s.message());
  }
  if (impl_->log) {
    if (Status s = impl_->log->Close(); !s.ok()) st = s;
  }
  return st;
}

}  // namespace fluxgate::server
