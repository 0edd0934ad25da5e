#include "sim/generator.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

namespace fluxgate::sim {
namespace {

double Round2(double v) {
  double r = std::round(v * 100.0) / 100.0;
  return r == 0 ? 0.0 : r;  // no "-0.00" in the output
}

bool IsFraction(double v) { return v >= 0 && v <= 1; }

}  // namespace

Status GeneratorOptions::Validate() const {
  if (devices == 0) return Status::InvalidArgument("devices must be at least 1");
  if (!IsFraction(anomaly_rate)) return Status::InvalidArgument("anomaly rate must be in [0, 1]");
  if (!IsFraction(out_of_order_rate))
    return Status::InvalidArgument("out-of-order rate must be in [0, 1]");
  if (!IsFraction(late_rate)) return Status::InvalidArgument("late rate must be in [0, 1]");
  if (out_of_order_rate + late_rate > 1)
    return Status::InvalidArgument("out-of-order rate + late rate must not exceed 1");
  if (!(max_disorder_s > 0)) return Status::InvalidArgument("max disorder must be > 0 seconds");
  if (!(max_lateness_s > max_disorder_s))
    return Status::InvalidArgument("max lateness must be greater than max disorder");
  return Status::Ok();
}

Generator::Generator(const GeneratorOptions& options)
    : options_(options), devices_(MakeFleet(options.seed, options.devices)), rng_(options.seed) {}

Reading Generator::Next(int64_t now_us) {
  Reading r;
  r.device = static_cast<uint32_t>(produced_ % devices_.size());
  ++produced_;
  Device& device = devices_[r.device];
  const SensorSpec& spec = SpecFor(device.type);

  // Fixed draw order and count per reading (see the header): 2 normals in the model, then
  // anomaly, anomaly magnitude, delivery kind, delivery delay.
  r.observed_us = now_us;
  double normal = NextNormalValue(&device, now_us, &rng_);
  double u_anomaly = rng_.Uniform(), u_magnitude = rng_.Uniform();
  double u_delivery = rng_.Uniform(), u_delay = rng_.Uniform();

  r.anomaly = u_anomaly < options_.anomaly_rate;
  r.value = Round2(r.anomaly ? spec.alert_threshold * (1.05 + 0.55 * u_magnitude) : normal);

  double delay_s = 0;
  if (u_delivery < options_.late_rate) {
    r.delivery = Delivery::kLate;
    // (max_disorder, max_lateness]: 1 - u is in (0, 1].
    delay_s = options_.max_disorder_s +
              (1 - u_delay) * (options_.max_lateness_s - options_.max_disorder_s);
  } else if (u_delivery < options_.late_rate + options_.out_of_order_rate) {
    r.delivery = Delivery::kOutOfOrder;
    delay_s = (1 - u_delay) * options_.max_disorder_s;  // (0, max_disorder]
  }
  r.timestamp_us = now_us - static_cast<int64_t>(std::llround(delay_s * 1e6));
  return r;
}

void AppendRecordJson(const Device& device, const Reading& reading, std::string* out) {
  const SensorSpec& spec = SpecFor(device.type);
  // Every string here comes from our own tables or ids, none needs JSON escaping.
  fmt::format_to(std::back_inserter(*out),
                 R"({{"device_id":"{}","timestamp":"{}","sensor_type":"{}","value":{:.2f},)"
                 R"("unit":"{}","location":"{}"}})",
                 device.id, FormatTimestamp(reading.timestamp_us), spec.name, reading.value,
                 spec.unit, device.location);
}

std::string FormatTimestamp(int64_t epoch_us) {
  using namespace std::chrono;
  sys_time<microseconds> tp{microseconds(epoch_us)};
  sys_days day = floor<days>(tp);
  year_month_day ymd{day};
  auto tod = tp - day;  // non-negative since `day` is floored
  int64_t us = tod.count();
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:06d}Z", int(ymd.year()),
                     unsigned(ymd.month()), unsigned(ymd.day()), us / 3'600'000'000,
                     us / 60'000'000 % 60, us / 1'000'000 % 60, us % 1'000'000);
}

Result<int64_t> ParseTimestamp(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(
        fmt::format("'{}' is not an ISO 8601 UTC time like 2026-11-25T19:05:00Z", text));
  };
  size_t pos = 0;
  auto number = [&](size_t digits, int* out) {
    if (pos + digits > text.size()) return false;
    int v = 0;
    for (size_t i = 0; i < digits; ++i) {
      char c = text[pos + i];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    *out = v;
    pos += digits;
    return true;
  };
  auto expect = [&](std::string_view chars) {
    if (pos < text.size() && chars.find(text[pos]) != std::string_view::npos) {
      ++pos;
      return true;
    }
    return false;
  };
  int y, mo, d, h, mi, s;
  if (!number(4, &y) || !expect("-") || !number(2, &mo) || !expect("-") || !number(2, &d) ||
      !expect("T ") || !number(2, &h) || !expect(":") || !number(2, &mi) || !expect(":") ||
      !number(2, &s)) {
    return bad();
  }
  int64_t frac_us = 0;
  if (expect(".")) {
    int64_t scale = 100'000;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (scale > 0) frac_us += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++digits;
    }
    if (digits == 0) return bad();
  }
  std::string_view zone = text.substr(pos);
  if (zone != "Z" && zone != "+00:00") return bad();

  using namespace std::chrono;
  year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return bad();
  auto tp = sys_days(ymd) + hours(h) + minutes(mi) + seconds(s);
  return duration_cast<microseconds>(tp.time_since_epoch()).count() + frac_us;
}

}  // namespace fluxgate::sim
