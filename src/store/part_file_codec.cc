#include "store/part_file_codec.h"

#include <zlib.h>
#include <zstd.h>

#include "common/ascii.h"

namespace fluxgate::store {
namespace {

class PlainEncoder final : public PartFileEncoder {
 public:
  Status Encode(std::string_view input, std::string& out) override {
    out.append(input);
    return Status::Ok();
  }
  Status Sync(std::string&) override { return Status::Ok(); }
  Status Finish(std::string&) override { return Status::Ok(); }
};

// zlib with a gzip wrapper; each Sync/Finish ends a member and resets for the next.
class GzipEncoder final : public PartFileEncoder {
 public:
  ~GzipEncoder() override {
    if (ready_) deflateEnd(&z_);
  }
  Status Init(int level) {
    if (deflateInit2(&z_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return Status::Internal("gzip: deflateInit2 failed");
    }
    ready_ = true;
    return Status::Ok();
  }
  Status Encode(std::string_view input, std::string& out) override {
    if (input.empty()) return Status::Ok();
    open_member_ = true;
    in_member_ += input.size();
    return Run(input, Z_NO_FLUSH, out);
  }
  Status Sync(std::string& out) override { return EndMember(out); }
  Status Finish(std::string& out) override { return EndMember(out); }
  uint64_t buffered_bytes() const override {
    // Deflate holds up to a window of input before it emits; count it so size-based
    // rolling sees roughly the compressed size without forcing a flush.
    return open_member_ ? in_member_ / 8 : 0;
  }

 private:
  Status EndMember(std::string& out) {
    if (!open_member_) return Status::Ok();
    FG_RETURN_IF_ERROR(Run({}, Z_FINISH, out));
    if (deflateReset(&z_) != Z_OK) return Status::Internal("gzip: deflateReset failed");
    open_member_ = false;
    in_member_ = 0;
    return Status::Ok();
  }
  Status Run(std::string_view input, int flush, std::string& out) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    z_.avail_in = static_cast<uInt>(input.size());
    while (true) {
      const size_t old = out.size();
      const size_t room = std::max<size_t>(deflateBound(&z_, z_.avail_in), 4096);
      out.resize(old + room);
      z_.next_out = reinterpret_cast<Bytef*>(out.data() + old);
      z_.avail_out = static_cast<uInt>(room);
      int rc = deflate(&z_, flush);
      out.resize(old + room - z_.avail_out);
      if (rc == Z_STREAM_END) return Status::Ok();
      if (rc != Z_OK && rc != Z_BUF_ERROR) return Status::Internal("gzip: deflate failed");
      if (flush == Z_NO_FLUSH && z_.avail_in == 0) return Status::Ok();
    }
  }

  z_stream z_{};
  bool ready_ = false;
  bool open_member_ = false;
  uint64_t in_member_ = 0;
};

// One zstd frame per Sync interval.
class ZstdEncoder final : public PartFileEncoder {
 public:
  ~ZstdEncoder() override { ZSTD_freeCCtx(cctx_); }
  Status Init(int level) {
    cctx_ = ZSTD_createCCtx();
    if (cctx_ == nullptr) return Status::Internal("zstd: cannot create a context");
    size_t rc = ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level);
    if (!ZSTD_isError(rc)) rc = ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
    if (ZSTD_isError(rc)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(rc));
    return Status::Ok();
  }
  Status Encode(std::string_view input, std::string& out) override {
    if (input.empty()) return Status::Ok();
    open_frame_ = true;
    in_frame_ += input.size();
    return Run(input, ZSTD_e_continue, out);
  }
  Status Sync(std::string& out) override { return EndFrame(out); }
  Status Finish(std::string& out) override { return EndFrame(out); }
  uint64_t buffered_bytes() const override { return open_frame_ ? in_frame_ / 8 : 0; }

 private:
  Status EndFrame(std::string& out) {
    if (!open_frame_) return Status::Ok();
    FG_RETURN_IF_ERROR(Run({}, ZSTD_e_end, out));
    open_frame_ = false;
    in_frame_ = 0;
    return Status::Ok();
  }
  Status Run(std::string_view input, ZSTD_EndDirective mode, std::string& out) {
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    while (true) {
      const size_t old = out.size();
      const size_t room = std::max<size_t>(ZSTD_CStreamOutSize(), input.size() / 4);
      out.resize(old + room);
      ZSTD_outBuffer o{out.data() + old, room, 0};
      size_t remaining = ZSTD_compressStream2(cctx_, &o, &in, mode);
      out.resize(old + o.pos);
      if (ZSTD_isError(remaining)) {
        return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(remaining));
      }
      if (mode == ZSTD_e_continue ? in.pos == in.size : remaining == 0) return Status::Ok();
    }
  }

  ZSTD_CCtx* cctx_ = nullptr;
  bool open_frame_ = false;
  uint64_t in_frame_ = 0;
};

Result<std::string> GunzipAll(std::string_view data) {
  std::string out;
  if (data.empty()) return out;
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return Status::Internal("gzip: inflateInit2 failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  char buf[64 * 1024];
  Status result;
  while (true) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    int rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (rc == Z_STREAM_END) {  // end of one member; another may follow
      if (z.avail_in == 0) break;
      if (inflateReset(&z) != Z_OK) {
        result = Status::Internal("gzip: inflateReset failed");
        break;
      }
      continue;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      result = Status::Corruption(std::string("gzip: ") + (z.msg ? z.msg : "bad data"));
      break;
    }
    if (z.avail_in == 0 && z.avail_out != 0) {  // wants more input than there is
      result = Status::Corruption("gzip: truncated member");
      break;
    }
  }
  inflateEnd(&z);
  FG_RETURN_IF_ERROR(result);
  return out;
}

Result<std::string> UnzstdAll(std::string_view data) {
  std::string out;
  ZSTD_DCtx* d = ZSTD_createDCtx();
  if (d == nullptr) return Status::Internal("zstd: cannot create a context");
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  char buf[64 * 1024];
  size_t last = 0;
  // Also after the input is used up: a full output buffer may hold back more.
  bool full = false;
  while (in.pos < in.size || full) {
    ZSTD_outBuffer o{buf, sizeof buf, 0};
    last = ZSTD_decompressStream(d, &o, &in);
    if (ZSTD_isError(last)) {
      std::string msg = ZSTD_getErrorName(last);
      ZSTD_freeDCtx(d);
      return Status::Corruption("zstd: " + msg);
    }
    out.append(buf, o.pos);
    full = o.pos == o.size;
  }
  ZSTD_freeDCtx(d);
  if (last != 0) return Status::Corruption("zstd: truncated frame");
  return out;
}

}  // namespace

Result<LineCompression> ParseLineCompression(std::string_view name) {
  const std::string n = AsciiToLower(name);
  if (n == "none" || n.empty()) return LineCompression::kNone;
  if (n == "gzip") return LineCompression::kGzip;
  if (n == "zstd") return LineCompression::kZstd;
  return Status::InvalidArgument("unknown compression '" + std::string(name) +
                                 "'; expected 'none', 'gzip' or 'zstd'");
}

std::string_view CompressionSuffix(LineCompression c) {
  switch (c) {
    case LineCompression::kNone:
      return "";
    case LineCompression::kGzip:
      return ".gz";
    case LineCompression::kZstd:
      return ".zst";
  }
  return "";
}

Result<std::unique_ptr<PartFileEncoder>> NewLineEncoder(LineCompression c, int level) {
  switch (c) {
    case LineCompression::kNone:
      return std::unique_ptr<PartFileEncoder>(new PlainEncoder());
    case LineCompression::kGzip: {
      auto e = std::make_unique<GzipEncoder>();
      FG_RETURN_IF_ERROR(e->Init(level > 0 ? level : 6));
      return std::unique_ptr<PartFileEncoder>(std::move(e));
    }
    case LineCompression::kZstd: {
      auto e = std::make_unique<ZstdEncoder>();
      FG_RETURN_IF_ERROR(e->Init(level > 0 ? level : 3));
      return std::unique_ptr<PartFileEncoder>(std::move(e));
    }
  }
  return Status::InvalidArgument("unknown compression");
}

Result<std::string> DecompressAll(LineCompression c, std::string_view data) {
  switch (c) {
    case LineCompression::kNone:
      return std::string(data);
    case LineCompression::kGzip:
      return GunzipAll(data);
    case LineCompression::kZstd:
      return UnzstdAll(data);
  }
  return Status::InvalidArgument("unknown compression");
}

}  // namespace fluxgate::store
