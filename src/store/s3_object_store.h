// S3ObjectStore: the ObjectStore over an S3-compatible service (AWS S3, MinIO, s3rver...).
//
// Requests: PutObject, GetObject, HeadObject, ListObjectsV2 (following continuation
// tokens), DeleteObject; staged objects are multipart uploads (CreateMultipartUpload,
// UploadPart, ListParts, CompleteMultipartUpload, AbortMultipartUpload,
// ListMultipartUploads). Every request is signed with SigV4 for service "s3" by
// auth/sigv4 (the code the Kinesis client signs with), with x-amz-content-sha256 set to
// the body's SHA-256. Path-style (http://HOST/BUCKET/KEY) or virtual-hosted
// (http://BUCKET.HOST/KEY) addressing, as configured.
//
// Staged objects: parts are uploaded as the writer's buffer reaches `part_size`; Persist
// uploads a buffer of >= 5 MiB as a part and puts the rest — the tail, < 5 MiB, which S3
// would refuse as a part that is not the last — into the handle (StagedObject::backend =
// upload id, part numbers/sizes/ETags, tail). The checkpoint holding the handle thus holds
// the tail's bytes durably; CloseForPublish uploads the tail as the last part.
// docs/design/store.md "S3" has the full mapping and why.
//
// Failures: connection errors, 5xx, 429 and the codes SlowDown, RequestTimeout,
// InternalError, ServiceUnavailable are retried up to `max_attempts` with exponential
// backoff and full jitter; other 4xx fail at once with S3's code and message. Messages
// name the method, bucket and key, never a credential.
//
// Thread-safety: all methods may be called from several threads (the options are
// immutable, the transport is thread-safe); a StagedWriter belongs to one thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "auth/sigv4.h"
#include "http/client.h"
#include "store/object_store.h"
#include "store/s3_transport.h"

namespace fluxgate::store {

struct S3Options {
  // "https://s3.eu-west-1.amazonaws.com", "http://127.0.0.1:4569"; no path.
  std::string endpoint;
  std::string region = "us-east-1";
  bool path_style = false;
  std::string sse;                  // "" or "AES256"
  sigv4::Credentials credentials;   // never logged
  uint64_t part_size = 8ull << 20;  // upload a part once this much is buffered; >= 5 MiB
  int max_attempts = 5;             // per request, the first included; >= 1
  std::chrono::milliseconds backoff_base{100};  // attempt n waits rand[0, base * 2^n], capped
  std::chrono::milliseconds backoff_max{5'000};
  int timeout_ms = 60'000;  // per HTTP exchange
  std::string ca_file;      // https: PEM CA bundle instead of the system store
  // Test hooks: the clock requests are signed at, and how a backoff waits.
  std::function<std::chrono::system_clock::time_point()> clock;
  std::function<void(std::chrono::milliseconds)> sleep;
};

class S3ObjectStore final : public ObjectStore {
 public:
  static constexpr uint64_t kMinPartSize = 5ull << 20;  // S3's floor for a non-last part
  static constexpr uint32_t kMaxParts = 10'000;

  // InvalidArgument for a bad endpoint, an sse other than AES256, a part_size under 5 MiB
  // or over 5 GiB, or missing credentials. `transport` null: pooled HTTP(S) connections.
  static Result<std::unique_ptr<S3ObjectStore>> Create(S3Options options,
                                                       std::unique_ptr<S3Transport> transport = {});
  ~S3ObjectStore() override;

  Status Put(std::string_view bucket, std::string_view key, std::string_view data) override;
  // NotFound for a missing key or bucket.
  Result<std::string> Get(std::string_view bucket, std::string_view key) override;
  Result<std::vector<ObjectInfo>> List(std::string_view bucket, std::string_view prefix) override;
  Status Delete(std::string_view bucket, std::string_view key) override;

  // Starts a multipart upload; earlier unfinished uploads of the same key are aborted.
  Result<std::unique_ptr<StagedWriter>> BeginStaged(std::string_view bucket,
                                                    std::string_view key) override;
  // Checks with ListParts that the upload still exists (else NotFound) and holds the
  // handle's parts with their ETags (else Corruption). Parts uploaded after the handle
  // was taken are left out of the final object and overwritten as writing continues.
  Result<std::unique_ptr<StagedWriter>> ResumeStaged(const StagedObject& handle) override;
  // Uploads the handle's tail as the last part (if any) and completes the upload. When
  // the upload is gone, OK if the object exists with handle.length bytes (an earlier
  // attempt completed it), else NotFound. A 0-byte object is put whole (S3 wants >= 1
  // part) and its upload aborted.
  Status PublishStaged(const StagedObject& handle) override;
  // AbortMultipartUpload; OK when the upload is already gone.
  Status AbortStaged(const StagedObject& handle) override;
  // ListMultipartUploads. Each handle names its upload (for AbortStaged) with length 0
  // and no parts: S3 cannot say how many bytes a checkpoint made durable. A service
  // that does not implement the call (s3rver: 501 NotImplemented) yields an empty list
  // and a warning: unfinished uploads then stay until a bucket lifecycle rule
  // (AbortIncompleteMultipartUpload) removes them; they are never visible as objects.
  Result<std::vector<StagedObject>> ListStaged(std::string_view bucket,
                                               std::string_view prefix) override;

  // Size of an object (HeadObject); NotFound when absent.
  Result<uint64_t> Head(std::string_view bucket, std::string_view key);

  const S3Options& options() const { return options_; }

 private:
  friend class S3StagedWriter;
  struct Call;  // one S3 operation: method, bucket, key, query, headers, body

  S3ObjectStore(S3Options options, http::Url endpoint, std::unique_ptr<S3Transport> transport);
  // Signs and sends `call`, retrying as the header says; a 2xx response or the error
  // (its S3 code, e.g. "NoSuchUpload", in *error_code when given).
  Result<http::Response> Execute(const Call& call, std::string* error_code = nullptr);
  Result<std::string> CreateUpload(std::string_view bucket, std::string_view key);
  Result<std::string> UploadPart(std::string_view bucket, std::string_view key,
                                 const std::string& upload_id, uint32_t number,
                                 const std::string& bytes);  // the part's ETag
  Status AbortUpload(std::string_view bucket, std::string_view key, const std::string& upload_id);

  const S3Options options_;
  const http::Url endpoint_;
  std::unique_ptr<S3Transport> transport_;
};

}  // namespace fluxgate::store
