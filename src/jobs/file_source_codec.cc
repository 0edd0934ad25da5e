#include "jobs/file_source_codec.h"

#include <zlib.h>
#include <zstd.h>

#include <memory>

namespace fluxgate::jobs {

ObjectEncoding DetectObjectEncoding(std::string_view b) {
  if (b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0x1f &&
      static_cast<unsigned char>(b[1]) == 0x8b) {
    return ObjectEncoding::kGzip;
  }
  if (b.size() >= 4 && b.substr(0, 4) == std::string_view("\x28\xb5\x2f\xfd", 4)) {
    return ObjectEncoding::kZstd;
  }
  if (b.size() >= 4 && b.substr(0, 4) == "PAR1") return ObjectEncoding::kParquet;
  return ObjectEncoding::kPlain;
}

namespace {

constexpr size_t kOutChunk = 256 * 1024;

Status TooLarge(std::string_view name, uint64_t max_bytes) {
  return Status::LimitExceeded("object '" + std::string(name) + "' decompresses to more than " +
                               std::to_string(max_bytes) + " bytes, the limit for one object");
}

Result<std::string> Gunzip(const std::string& in, std::string_view name, uint64_t max_bytes) {
  z_stream z{};
  // 16 + MAX_WBITS: gzip framing only.
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
    return Status::Internal("zlib: inflateInit2 failed");
  }
  std::unique_ptr<z_stream, void (*)(z_stream*)> guard(&z, [](z_stream* s) { inflateEnd(s); });
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  for (;;) {
    const size_t before = out.size();
    out.resize(before + kOutChunk);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    z.avail_out = static_cast<uInt>(kOutChunk);
    int rc = inflate(&z, Z_NO_FLUSH);
    out.resize(before + (kOutChunk - z.avail_out));
    if (out.size() > max_bytes) return TooLarge(name, max_bytes);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) return out;
      // Another gzip member follows (concatenated streams are valid gzip).
      if (inflateReset(&z) != Z_OK) return Status::Internal("zlib: inflateReset failed");
      continue;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0) {
      return Status::Corruption("object '" + std::string(name) + "': gzip data is truncated");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Status::Corruption("object '" + std::string(name) + "': bad gzip data (" +
                                (z.msg ? z.msg : "zlib error " + std::to_string(rc)) + ")");
    }
  }
}

Result<std::string> Unzstd(const std::string& in, std::string_view name, uint64_t max_bytes) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!ctx) return Status::Internal("zstd: cannot create a context");
  std::string out;
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  size_t last = 0;
  while (input.pos < input.size) {
    const size_t before = out.size();
    out.resize(before + kOutChunk);
    ZSTD_outBuffer output{out.data() + before, kOutChunk, 0};
    last = ZSTD_decompressStream(ctx.get(), &output, &input);
    out.resize(before + output.pos);
    if (ZSTD_isError(last)) {
      return Status::Corruption("object '" + std::string(name) + "': bad zstd data (" +
                                ZSTD_getErrorName(last) + ")");
    }
    if (out.size() > max_bytes) return TooLarge(name, max_bytes);
  }
  // Flush what the decoder still holds for a complete frame.
  while (last != 0) {
    const size_t before = out.size();
    out.resize(before + kOutChunk);
    ZSTD_outBuffer output{out.data() + before, kOutChunk, 0};
    last = ZSTD_decompressStream(ctx.get(), &output, &input);
    out.resize(before + output.pos);
    if (ZSTD_isError(last)) {
      return Status::Corruption("object '" + std::string(name) + "': bad zstd data (" +
                                ZSTD_getErrorName(last) + ")");
    }
    if (out.size() > max_bytes) return TooLarge(name, max_bytes);
    if (output.pos == 0 && last != 0) {
      return Status::Corruption("object '" + std::string(name) + "': zstd data is truncated");
    }
  }
  return out;
}

}  // namespace

Result<std::string> DecodeObjectBytes(std::string bytes, std::string_view name,
                                      uint64_t max_bytes) {
  switch (DetectObjectEncoding(bytes)) {
    case ObjectEncoding::kGzip:
      return Gunzip(bytes, name, max_bytes);
    case ObjectEncoding::kZstd:
      return Unzstd(bytes, name, max_bytes);
    case ObjectEncoding::kParquet:
      return Status::InvalidArgument("object '" + std::string(name) +
                                     "' is a Parquet file, not text");
    case ObjectEncoding::kPlain:
      break;
  }
  if (bytes.size() > max_bytes) return TooLarge(name, max_bytes);
  return bytes;
}

}  // namespace fluxgate::jobs
