// The Prometheus text exposition format, version 0.0.4 — what GET /metrics returns
// (Content-Type: text/plain; version=0.0.4; charset=utf-8).
//
// Per family: "# HELP name text", "# TYPE name type", then one line per sample. Histograms
// are written as name_bucket{...,le="B"} (cumulative, ending with le="+Inf"), name_sum and
// name_count. Families are written in the order given (Registry::Collect sorts them by
// name). Pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "metrics/family.h"

namespace fluxgate::metrics {

inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string RenderText(const std::vector<MetricFamily>& families);

// Label values escape backslash, double quote and line feed; HELP text escapes backslash
// and line feed.
void AppendEscapedLabelValue(std::string_view value, std::string& out);
void AppendEscapedHelp(std::string_view help, std::string& out);
// "NaN", "+Inf", "-Inf", integers without a fraction ("42"), else the shortest text that
// reads back as the same double.
void AppendValue(double value, std::string& out);

}  // namespace fluxgate::metrics
