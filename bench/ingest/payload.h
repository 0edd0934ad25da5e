// Request building for the ingest benchmark: realistic telemetry records, PutRecords
// bodies and complete SigV4-signed HTTP/1.1 requests.
//
// Everything here runs once, before the load starts: the load loop only replays the
// pre-built byte strings, so the generator spends its CPU on syscalls, not on formatting.
// Pure functions; safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http_wire.h"

namespace fluxgate::bench {

// Credentials and clock used to sign requests. The signature is real SigV4 (so a server
// that verifies signatures accepts it when given the same secret), computed once per
// pre-built request; X-Amz-Date is fixed at start-up, so a verifying server rejects the
// requests after its clock-skew window (15 minutes on AWS).
struct Signer {
  std::string access_key = "AKIDFLUXGATEBENCH";
  std::string secret_key = "fluxgate-bench-secret";
  std::string region = "us-east-1";
  std::string amz_date;  // YYYYMMDDTHHMMSSZ; NowAmzDate() when empty
};

std::string NowAmzDate();

// A complete `POST /` request: request line, Host, Content-Type (JSON 1.1), X-Amz-Target
// `Kinesis_20131202.<operation>`, X-Amz-Date, Authorization, Content-Length, then body.
std::string BuildKinesisRequest(const Endpoint& endpoint, const Signer& signer,
                                std::string_view operation, std::string_view body);

// Hex SHA-256 of the SigV4 canonical request, exposed for the self-test against the
// vector in shared/reference/kinesis-api.md §5.
std::string CanonicalRequestHash(std::string_view host_header, std::string_view amz_date,
                                 std::string_view target, std::string_view body);

std::string Base64Encode(std::string_view raw);

struct BatchOptions {
  std::string stream;
  int batch = 500;         // records per PutRecords call (1..500)
  int record_bytes = 150;  // raw (pre-base64) size of each record
  int devices = 10000;     // distinct partition keys
  int bodies = 32;         // distinct pre-built request bodies to cycle through
  uint64_t seed = 42;
};

struct PreparedBatches {
  std::vector<std::string> requests;  // complete HTTP requests, one per distinct body
  int64_t record_data_bytes = 0;      // raw record bytes per request (batch × record_bytes)
  int64_t mean_request_bytes = 0;     // wire size of one request, headers included
  std::string sample_record;          // one record as produced, for the report
};

// Builds `bodies` PutRecords requests of `batch` telemetry records each; records in the
// same body come from different devices, and each device's key appears across bodies.
PreparedBatches BuildPutRecordsBatches(const Endpoint& endpoint, const Signer& signer,
                                       const BatchOptions& options);

}  // namespace fluxgate::bench
