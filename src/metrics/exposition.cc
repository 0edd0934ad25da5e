#include "metrics/exposition.h"

#include <charconv>
#include <cmath>

namespace fluxgate::metrics {

void AppendEscapedLabelValue(std::string_view value, std::string& out) {
  for (char c : value) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '"') {
      out.append("\\\"");
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
}

void AppendEscapedHelp(std::string_view help, std::string& out) {
  for (char c : help) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
}

void AppendValue(double value, std::string& out) {
  if (std::isnan(value)) return out.append("NaN"), void();
  if (std::isinf(value)) return out.append(value > 0 ? "+Inf" : "-Inf"), void();
  char buf[64];
  std::to_chars_result r;
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    r = std::to_chars(buf, buf + sizeof(buf), static_cast<long long>(value));
  } else {
    r = std::to_chars(buf, buf + sizeof(buf), value);  // shortest round-trip form
  }
  out.append(buf, r.ptr);
}

namespace {

// {a="x",b="y"} plus an optional trailing le="..." (histogram buckets); nothing if empty.
void AppendLabels(const Labels& labels, const std::string* le, std::string& out) {
  if (labels.empty() && le == nullptr) return;
  out.push_back('{');
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out.push_back(',');
    first = false;
    out.append(k).append("=\"");
    AppendEscapedLabelValue(v, out);
    out.push_back('"');
  }
  if (le != nullptr) {
    if (!first) out.push_back(',');
    out.append("le=\"").append(*le).push_back('"');
  }
  out.push_back('}');
}

}  // namespace

std::string RenderText(const std::vector<MetricFamily>& families) {
  std::string out;
  for (const MetricFamily& f : families) {
    out.append("# HELP ").append(f.name).push_back(' ');
    AppendEscapedHelp(f.help, out);
    out.append("\n# TYPE ").append(f.name).push_back(' ');
    out.append(MetricTypeName(f.type)).push_back('\n');
    for (const Sample& s : f.samples) {
      if (f.type != MetricType::kHistogram) {
        out.append(f.name);
        AppendLabels(s.labels, nullptr, out);
        out.push_back(' ');
        AppendValue(s.value, out);
        out.push_back('\n');
        continue;
      }
      const HistogramData& h = s.histogram;
      uint64_t cumulative = 0;
      for (size_t i = 0; i < h.counts.size(); ++i) {
        cumulative += h.counts[i];
        std::string le;
        if (i < h.bounds.size()) {
          AppendValue(h.bounds[i], le);
        } else {
          le = "+Inf";
        }
        out.append(f.name).append("_bucket");
        AppendLabels(s.labels, &le, out);
        out.push_back(' ');
        AppendValue(static_cast<double>(cumulative), out);
        out.push_back('\n');
      }
      out.append(f.name).append("_sum");
      AppendLabels(s.labels, nullptr, out);
      out.push_back(' ');
      AppendValue(h.sum, out);
      out.append("\n").append(f.name).append("_count");
      AppendLabels(s.labels, nullptr, out);
      out.push_back(' ');
      AppendValue(static_cast<double>(h.count), out);
      out.push_back('\n');
    }
  }
  return out;
}

}  // namespace fluxgate::metrics
