#include "parquet/compression.h"

#include <fmt/format.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cctype>

namespace fluxgate::parquet {

Result<Codec> ParseCodec(std::string_view name) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  if (n == "uncompressed" || n == "none") return Codec::kUncompressed;
  if (n == "snappy") return Codec::kSnappy;
  if (n == "gzip") return Codec::kGzip;
  if (n == "zstd") return Codec::kZstd;
  return Status::InvalidArgument(fmt::format(
      "unknown parquet compression '{}' (use uncompressed, snappy, gzip or zstd)", name));
}

const char* CodecName(Codec codec) {
  switch (codec) {
    case Codec::kUncompressed:
      return "UNCOMPRESSED";
    case Codec::kSnappy:
      return "SNAPPY";
    case Codec::kGzip:
      return "GZIP";
    case Codec::kZstd:
      return "ZSTD";
  }
  return "UNKNOWN";
}

Status Compress(Codec codec, std::string_view in, int level, std::string* out) {
  switch (codec) {
    case Codec::kUncompressed:
      out->assign(in);
      return Status::Ok();
    case Codec::kSnappy: {
      out->resize(snappy::MaxCompressedLength(in.size()));
      size_t n = 0;
      snappy::RawCompress(in.data(), in.size(), out->data(), &n);
      out->resize(n);
      return Status::Ok();
    }
    case Codec::kZstd: {
      out->resize(ZSTD_compressBound(in.size()));
      size_t n =
          ZSTD_compress(out->data(), out->size(), in.data(), in.size(), level == 0 ? 3 : level);
      if (ZSTD_isError(n)) {
        return Status::Internal(fmt::format("zstd compress: {}", ZSTD_getErrorName(n)));
      }
      out->resize(n);
      return Status::Ok();
    }
    case Codec::kGzip: {
      z_stream zs{};
      // 15 + 16: a gzip wrapper (RFC 1952), as Parquet's GZIP codec requires.
      if (deflateInit2(&zs, level == 0 ? Z_DEFAULT_COMPRESSION : level, Z_DEFLATED, 15 + 16, 8,
                       Z_DEFAULT_STRATEGY) != Z_OK) {
        return Status::Internal("gzip: deflateInit2 failed");
      }
      out->resize(deflateBound(&zs, in.size()) + 32);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      zs.avail_in = static_cast<uInt>(in.size());
      zs.next_out = reinterpret_cast<Bytef*>(out->data());
      zs.avail_out = static_cast<uInt>(out->size());
      int rc = deflate(&zs, Z_FINISH);
      size_t n = zs.total_out;
      deflateEnd(&zs);
      if (rc != Z_STREAM_END) return Status::Internal("gzip: deflate did not finish");
      out->resize(n);
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("unsupported parquet codec");
}

Status Decompress(Codec codec, std::string_view in, size_t uncompressed_size, std::string* out) {
  if (uncompressed_size > kMaxPageBytes) {
    return Status::Corruption(fmt::format("page of {} bytes exceeds the {}-byte limit",
                                          uncompressed_size, kMaxPageBytes));
  }
  // A header claiming far more output than the codec can produce from the input is a lie;
  // checking it first keeps a tiny hostile page from making us allocate the claim.
  // (Deflate expands at most ~1032:1, Snappy ~32:1; zstd frames state their size.)
  if ((codec == Codec::kGzip && uncompressed_size > in.size() * 1100 + 65536) ||
      (codec == Codec::kSnappy && uncompressed_size > in.size() * 64 + 65536)) {
    return Status::Corruption(
        fmt::format("{} page: {} bytes cannot expand to the {} the header claims", CodecName(codec),
                    in.size(), uncompressed_size));
  }
  if (codec == Codec::kZstd) {
    unsigned long long frame = ZSTD_getFrameContentSize(in.data(), in.size());
    if (frame == ZSTD_CONTENTSIZE_ERROR) return Status::Corruption("zstd page: not a zstd frame");
    if (frame != ZSTD_CONTENTSIZE_UNKNOWN && frame != uncompressed_size) {
      return Status::Corruption("zstd page: frame size differs from the page header");
    }
  }
  switch (codec) {
    case Codec::kUncompressed:
      if (in.size() != uncompressed_size) {
        return Status::Corruption("uncompressed page: stored size differs from header");
      }
      out->assign(in);
      return Status::Ok();
    case Codec::kSnappy: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(in.data(), in.size(), &n) || n != uncompressed_size) {
        return Status::Corruption("snappy page: bad length header");
      }
      out->resize(n);
      if (!snappy::RawUncompress(in.data(), in.size(), out->data())) {
        return Status::Corruption("snappy page: corrupt data");
      }
      return Status::Ok();
    }
    case Codec::kZstd: {
      out->resize(uncompressed_size);
      size_t n = ZSTD_decompress(out->data(), out->size(), in.data(), in.size());
      if (ZSTD_isError(n) || n != uncompressed_size) {
        return Status::Corruption(fmt::format(
            "zstd page: {}", ZSTD_isError(n) ? ZSTD_getErrorName(n) : "size differs from header"));
      }
      return Status::Ok();
    }
    case Codec::kGzip: {
      out->resize(uncompressed_size);
      z_stream zs{};
      if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::Internal("gzip: inflateInit2 failed");
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      zs.avail_in = static_cast<uInt>(in.size());
      zs.next_out = reinterpret_cast<Bytef*>(out->data());
      zs.avail_out = static_cast<uInt>(out->size());
      int rc = inflate(&zs, Z_FINISH);
      size_t n = zs.total_out;
      inflateEnd(&zs);
      if (rc != Z_STREAM_END || n != uncompressed_size) {
        return Status::Corruption("gzip page: corrupt data or size differs from header");
      }
      return Status::Ok();
    }
  }
  return Status::Corruption(
      fmt::format("unsupported parquet codec {} (fluxgate reads UNCOMPRESSED, SNAPPY, GZIP, ZSTD)",
                  static_cast<int>(codec)));
}

}  // namespace fluxgate::parquet
