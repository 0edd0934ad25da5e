#include "payload.h"

#include <cstdio>
#include <ctime>
#include <random>

#include "common/base64.h"
#include "auth/sigv4.h"

namespace fluxgate::bench {
namespace {

constexpr std::string_view kContentType = "application/x-amz-json-1.1";
constexpr std::string_view kTargetPrefix = "Kinesis_20131202.";
constexpr std::string_view kSignedHeaders = "content-type;host;x-amz-date;x-amz-target";

// The canonical request of a bench PutRecords call, built with the shared SigV4 code.
std::string CanonicalRequest(std::string_view host_header, std::string_view amz_date,
                             std::string_view target, std::string_view body) {
  std::vector<http::Header> headers = {{"content-type", std::string(kContentType)},
                                       {"host", std::string(host_header)},
                                       {"x-amz-date", std::string(amz_date)},
                                       {"x-amz-target", std::string(target)}};
  sigv4::CanonicalRequestParts parts;
  parts.method = "POST";
  parts.target = "/";
  parts.headers = &headers;
  parts.signed_headers = kSignedHeaders;
  const std::string payload_hash = sigv4::Sha256Hex(body);
  parts.payload_hash = payload_hash;
  return sigv4::BuildCanonicalRequest(parts).value();  // every signed header is present
}

// One telemetry reading as a JSON object of exactly `size` bytes: padded with a "site"
// field (or spaces) when short, cut when the requested size is below the natural one.
std::string TelemetryRecord(std::mt19937_64& rng, std::string_view device, int size) {
  std::uniform_real_distribution<double> temp(-10.0, 45.0), hum(5.0, 95.0), batt(3.2, 4.2);
  std::uniform_int_distribution<int> rssi(-110, -40), seq(0, 9'999'999);
  std::uniform_int_distribution<int64_t> jitter(0, 86'400'000);
  static constexpr const char* kStatus[] = {"ok", "ok", "ok", "ok", "warn", "low_batt"};
  std::uniform_int_distribution<int> status(0, 5);
  char buf[512];
  const int n =
      std::snprintf(buf, sizeof(buf),
                    "{\"device\":\"%.*s\",\"ts\":%lld,\"seq\":%d,\"temp_c\":%.2f,\"hum_pct\":%.1f,"
                    "\"batt_v\":%.2f,\"rssi\":%d,\"fw\":\"2.4.1\",\"status\":\"%s\"}",
                    static_cast<int>(device.size()), device.data(),
                    static_cast<long long>(1'764'000'000'000LL + jitter(rng)), seq(rng), temp(rng),
                    hum(rng), batt(rng), rssi(rng), kStatus[status(rng)]);
  std::string record(buf, static_cast<size_t>(n));
  const size_t target = static_cast<size_t>(size);
  if (record.size() > target) {
    record.resize(target);  // records are opaque bytes to Kinesis; a cut one is still valid
    return record;
  }
  const size_t field_overhead = std::string_view(",\"site\":\"\"").size();
  constexpr std::string_view kFirmware = ",\"fw\":\"2.4.1\"";
  if (target - record.size() > 0 && target - record.size() <= field_overhead) {
    // Too little room for a site field: drop the firmware field to make some.
    if (const auto fw = record.find(kFirmware); fw != std::string::npos) {
      record.erase(fw, kFirmware.size());
    }
  }
  const size_t missing = target - record.size();
  record.pop_back();  // '}'
  if (missing > field_overhead) {
    static constexpr std::string_view kSiteChars = "abcdefghijklmnopqrstuvwxyz0123456789-/";
    std::uniform_int_distribution<size_t> pick(0, kSiteChars.size() - 1);
    record.append(",\"site\":\"");
    for (size_t i = 0; i < missing - field_overhead; ++i) record.push_back(kSiteChars[pick(rng)]);
    record.push_back('"');
  } else {
    record.append(missing, ' ');
  }
  record.push_back('}');
  return record;
}

}  // namespace

std::string NowAmzDate() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[20];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &utc);
  return buf;
}

std::string Base64Encode(std::string_view raw) { return fluxgate::Base64Encode(raw); }

std::string CanonicalRequestHash(std::string_view host_header, std::string_view amz_date,
                                 std::string_view target, std::string_view body) {
  return sigv4::Sha256Hex(CanonicalRequest(host_header, amz_date, target, body));
}

std::string BuildKinesisRequest(const Endpoint& endpoint, const Signer& signer,
                                std::string_view operation, std::string_view body) {
  const std::string amz_date = signer.amz_date.empty() ? NowAmzDate() : signer.amz_date;
  const std::string date = amz_date.substr(0, 8);
  std::string target(kTargetPrefix);
  target.append(operation);
  const sigv4::Scope scope{date, signer.region, "kinesis"};
  const std::string signature = sigv4::ComputeSignature(
      sigv4::DeriveSigningKey(signer.secret_key, scope),
      sigv4::BuildStringToSign(amz_date, scope,
                               CanonicalRequest(endpoint.host_header, amz_date, target, body)));

  std::string request;
  request.reserve(body.size() + 512);
  request.append("POST / HTTP/1.1\r\nHost: ").append(endpoint.host_header);
  request.append("\r\nContent-Type: ").append(kContentType);
  request.append("\r\nX-Amz-Target: ").append(target);
  request.append("\r\nX-Amz-Date: ").append(amz_date);
  request.append("\r\nAuthorization: AWS4-HMAC-SHA256 Credential=")
      .append(signer.access_key)
      .append("/")
      .append(scope.ToString())
      .append(", SignedHeaders=")
      .append(kSignedHeaders)
      .append(", Signature=")
      .append(signature);
  request.append("\r\nUser-Agent: fluxgate-bench-ingest/0.1");
  request.append("\r\nContent-Length: ").append(std::to_string(body.size()));
  request.append("\r\n\r\n");
  request.append(body);
  return request;
}

PreparedBatches BuildPutRecordsBatches(const Endpoint& endpoint, const Signer& signer,
                                       const BatchOptions& options) {
  PreparedBatches out;
  std::mt19937_64 rng(options.seed);
  std::uniform_int_distribution<int> device_pick(0, options.devices - 1);
  int64_t total_bytes = 0;
  for (int b = 0; b < options.bodies; ++b) {
    std::string body;
    body.reserve(static_cast<size_t>(options.batch) *
                     (static_cast<size_t>(options.record_bytes) * 4 / 3 + 64) +
                 64);
    body.append("{\"StreamName\":\"").append(options.stream).append("\",\"Records\":[");
    for (int r = 0; r < options.batch; ++r) {
      char key[32];
      std::snprintf(key, sizeof(key), "device-%06d", device_pick(rng));
      const std::string record = TelemetryRecord(rng, key, options.record_bytes);
      if (b == 0 && r == 0) out.sample_record = record;
      if (r > 0) body.push_back(',');
      body.append("{\"Data\":\"").append(Base64Encode(record));
      body.append("\",\"PartitionKey\":\"").append(key).append("\"}");
    }
    body.append("]}");
    out.requests.push_back(BuildKinesisRequest(endpoint, signer, "PutRecords", body));
    total_bytes += static_cast<int64_t>(out.requests.back().size());
  }
  out.record_data_bytes = static_cast<int64_t>(options.batch) * options.record_bytes;
  out.mean_request_bytes = options.bodies > 0 ? total_bytes / options.bodies : 0;
  return out;
}

}  // namespace fluxgate::bench
