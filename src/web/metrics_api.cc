#include "web/metrics_api.h"

#include <cmath>

#include "common/json_writer.h"
#include "metrics/alarm_engine.h"
#include "metrics/exposition.h"
#include "metrics/registry.h"
#include "web/http_util.h"

namespace fluxgate::web {

namespace {

void Number(JsonWriter& w, double v) {
  if (!std::isfinite(v)) {
    w.Null();
    return;
  }
  std::string text;
  metrics::AppendValue(v, text);
  w.Raw(text);
}

}  // namespace

std::string MetricsApi::MetricsText() const {
  if (registry_ == nullptr) return "";
  return metrics::RenderText(registry_->Collect());
}

std::string MetricsApi::MetricsJson() const {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("metrics").BeginArray();
  if (registry_ != nullptr) {
    for (const metrics::MetricFamily& f : registry_->Collect()) {
      w.BeginObject().Key("name").String(f.name).Key("type").String(MetricTypeName(f.type));
      w.Key("help").String(f.help).Key("samples").BeginArray();
      for (const metrics::Sample& s : f.samples) {
        w.BeginObject().Key("labels").BeginObject();
        for (const auto& [k, v] : s.labels) w.Key(k).String(v);
        w.EndObject();
        if (f.type == metrics::MetricType::kHistogram) {
          const metrics::HistogramData& h = s.histogram;
          w.Key("buckets").BeginArray();
          uint64_t cumulative = 0;
          for (size_t i = 0; i < h.counts.size(); ++i) {
            cumulative += h.counts[i];
            w.BeginArray();
            if (i < h.bounds.size()) {
              Number(w, h.bounds[i]);
            } else {
              w.String("+Inf");
            }
            w.Uint(cumulative).EndArray();
          }
          w.EndArray().Key("sum");
          Number(w, h.sum);
          w.Key("count").Uint(h.count);
        } else {
          w.Key("value");
          Number(w, s.value);
        }
        w.EndObject();
      }
      w.EndArray().EndObject();
    }
  }
  w.EndArray().EndObject();
  return out;
}

std::string MetricsApi::AlarmsJson() const { return metrics::AlarmsJson(alarms_); }

bool MetricsApi::Handle(const http::Request& req, std::string_view path, http::Responder& respond) {
  if (path != "/metrics" && path != "/v1/metrics" && path != "/v1/alarms") return false;
  if (req.method != "GET" && req.method != "HEAD") {
    respond(JsonError(405, "only GET is supported on " + std::string(path)));
    return true;
  }
  if (path == "/metrics") {
    http::Response r;
    r.status = 200;
    r.content_type = std::string(metrics::kTextContentType);
    r.body = MetricsText();
    respond(std::move(r));
  } else if (path == "/v1/metrics") {
    respond(JsonResponse(200, MetricsJson()));
  } else {
    respond(JsonResponse(200, AlarmsJson()));
  }
  return true;
}

}  // namespace fluxgate::web
