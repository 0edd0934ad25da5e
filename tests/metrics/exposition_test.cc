#include "metrics/exposition.h"

#include <gtest/gtest.h>

#include <cmath>

#include "metrics/process_collector.h"
#include "metrics/registry.h"

namespace fluxgate::metrics {
namespace {

TEST(Exposition, EscapesLabelValuesAndHelp) {
  std::string out;
  AppendEscapedLabelValue("a\\b\"c\nd", out);
  EXPECT_EQ(out, "a\\\\b\\\"c\\nd");
  out.clear();
  AppendEscapedHelp("say \"hi\"\\\n", out);
  EXPECT_EQ(out, "say \"hi\"\\\\\\n");  // quotes stay in HELP
}

TEST(Exposition, FormatsValues) {
  auto f = [](double v) {
    std::string s;
    AppendValue(v, s);
    return s;
  };
  EXPECT_EQ(f(42), "42");
  EXPECT_EQ(f(-3), "-3");
  EXPECT_EQ(f(0.25), "0.25");
  EXPECT_EQ(f(NAN), "NaN");
  EXPECT_EQ(f(INFINITY), "+Inf");
  EXPECT_EQ(f(-INFINITY), "-Inf");
  EXPECT_EQ(std::stod(f(0.1 + 0.2)), 0.1 + 0.2);  // round-trips
}

TEST(Exposition, WritesFamiliesSortedWithHelpAndType) {
  Registry r;
  r.GetCounter("zeta_total", "Z things.", {{"stream", "s\"1"}}).Add(3);
  r.GetGauge("alpha_bytes", "Alpha.\nSecond line").Set(1.5);
  r.AddCollector([](FamilySink& out) {
    out.Counter("mid_total", "Mid.", {{"a", "1"}, {"b", "2"}}, 7);
    out.Counter("mid_total", "ignored help", {{"a", "2"}, {"b", "2"}}, 8);
  });
  EXPECT_EQ(RenderText(r.Collect()),
            "# HELP alpha_bytes Alpha.\\nSecond line\n"
            "# TYPE alpha_bytes gauge\n"
            "alpha_bytes 1.5\n"
            "# HELP mid_total Mid.\n"
            "# TYPE mid_total counter\n"
            "mid_total{a=\"1\",b=\"2\"} 7\n"
            "mid_total{a=\"2\",b=\"2\"} 8\n"
            "# HELP zeta_total Z things.\n"
            "# TYPE zeta_total counter\n"
            "zeta_total{stream=\"s\\\"1\"} 3\n");
}

TEST(Exposition, HistogramHasCumulativeBucketsInfSumAndCount) {
  Registry r;
  AtomicHistogram& h = r.GetHistogram("lat_seconds", "Latency.", {{"op", "put"}}, {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.1);  // le is inclusive
  h.Observe(0.5);
  h.Observe(3);
  EXPECT_EQ(RenderText(r.Collect()),
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{op=\"put\",le=\"0.1\"} 2\n"
            "lat_seconds_bucket{op=\"put\",le=\"1\"} 3\n"
            "lat_seconds_bucket{op=\"put\",le=\"+Inf\"} 4\n"
            "lat_seconds_sum{op=\"put\"} 3.65\n"
            "lat_seconds_count{op=\"put\"} 4\n");
}

TEST(Exposition, SameSeriesIsOneInstrument) {
  Registry r;
  r.GetCounter("c_total", "C.", {{"k", "v"}}).Add(1);
  r.GetCounter("c_total", "C.", {{"k", "v"}}).Add(2);
  auto families = r.Collect();
  ASSERT_EQ(families.size(), 1u);
  ASSERT_EQ(families[0].samples.size(), 1u);
  EXPECT_EQ(families[0].samples[0].value, 3);
}

TEST(ProcessCollector, ReportsProcessMetrics) {
  FamilySink sink;
  CollectProcessMetrics(sink);
  std::map<std::string, double> got;
  for (const auto& f : sink.Take()) got[f.name] = f.samples.at(0).value;
  ASSERT_TRUE(got.count("process_cpu_seconds_total"));
  EXPECT_GE(got["process_cpu_seconds_total"], 0);
  EXPECT_GT(got["process_resident_memory_bytes"], 0);
  EXPECT_GE(got["process_virtual_memory_bytes"], got["process_resident_memory_bytes"]);
  EXPECT_GE(got["process_open_fds"], 3);  // stdin, stdout, stderr
  EXPECT_GT(got["process_start_time_seconds"], 1.5e9);
}

}  // namespace
}  // namespace fluxgate::metrics
