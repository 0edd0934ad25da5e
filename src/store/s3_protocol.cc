#include "store/s3_protocol.h"

#include <cstring>

namespace fluxgate::store::s3 {
namespace {

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string XmlUnescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out.push_back('&');
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") {
      out.push_back('&');
    } else if (ent == "lt") {
      out.push_back('<');
    } else if (ent == "gt") {
      out.push_back('>');
    } else if (ent == "quot") {
      out.push_back('"');
    } else if (ent == "apos") {
      out.push_back('\'');
    } else if (ent.size() > 1 && ent[0] == '#') {
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string digits(ent.substr(hex ? 2 : 1));
      char* end = nullptr;
      unsigned long cp = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
      if (digits.empty() || *end != '\0' || cp > 0x10FFFF) {
        out.push_back('&');
        continue;
      }
      AppendUtf8(&out, static_cast<uint32_t>(cp));
    } else {
      out.push_back('&');
      continue;
    }
    i = semi;
  }
  return out;
}

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void PutStr(std::string* out, std::string_view s) {
  PutU64(out, s.size());
  out->append(s);
}

struct Reader {
  std::string_view in;
  bool U32(uint32_t* v) {
    if (in.size() < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) *v |= uint32_t(static_cast<unsigned char>(in[i])) << (8 * i);
    in.remove_prefix(4);
    return true;
  }
  bool U64(uint64_t* v) {
    if (in.size() < 8) return false;
    *v = 0;
    for (int i = 0; i < 8; ++i) *v |= uint64_t(static_cast<unsigned char>(in[i])) << (8 * i);
    in.remove_prefix(8);
    return true;
  }
  bool Str(std::string* s) {
    uint64_t n;
    if (!U64(&n) || n > in.size()) return false;
    s->assign(in.substr(0, n));
    in.remove_prefix(n);
    return true;
  }
};

constexpr std::string_view kStagedMagic = "FGS3v1";

}  // namespace

std::vector<std::string> XmlElements(std::string_view xml, std::string_view tag) {
  std::vector<std::string> out;
  const std::string open = "<" + std::string(tag);
  const std::string close = "</" + std::string(tag) + ">";
  size_t pos = 0;
  while (true) {
    size_t start = xml.find(open, pos);
    if (start == std::string_view::npos) break;
    size_t after = start + open.size();
    if (after >= xml.size()) break;
    // "<Key>" or "<Key attr=..>", but not "<KeyMarker>".
    if (xml[after] != '>' && xml[after] != ' ' && xml[after] != '/') {
      pos = after;
      continue;
    }
    size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) break;
    if (xml[gt - 1] == '/') {  // <Tag/>: an empty element
      out.emplace_back();
      pos = gt + 1;
      continue;
    }
    size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) break;
    std::string_view body = xml.substr(gt + 1, end - gt - 1);
    if (body.find('<') != std::string_view::npos) {
      out.emplace_back(body);  // nested elements: left for the caller's next pass
    } else {
      out.push_back(XmlUnescape(body));
    }
    pos = end + close.size();
  }
  return out;
}

std::string XmlFirst(std::string_view xml, std::string_view tag) {
  auto all = XmlElements(xml, tag);
  return all.empty() ? std::string() : std::move(all.front());
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

ErrorInfo ParseError(std::string_view body) {
  ErrorInfo info;
  std::string error = XmlFirst(body, "Error");
  if (error.empty()) return info;
  info.code = XmlFirst(error, "Code");
  info.message = XmlFirst(error, "Message");
  return info;
}

std::string EncodeStagedState(const StagedState& state) {
  std::string out(kStagedMagic);
  PutStr(&out, state.upload_id);
  PutU32(&out, static_cast<uint32_t>(state.parts.size()));
  for (const PartRecord& p : state.parts) {
    PutU32(&out, p.number);
    PutU64(&out, p.size);
    PutStr(&out, p.etag);
  }
  PutStr(&out, state.tail);
  return out;
}

Result<StagedState> DecodeStagedState(std::string_view backend) {
  auto bad = [] { return Status::Corruption("S3 staged-object handle is malformed"); };
  if (!backend.starts_with(kStagedMagic)) return bad();
  Reader r{backend.substr(kStagedMagic.size())};
  StagedState st;
  uint32_t n = 0;
  if (!r.Str(&st.upload_id) || st.upload_id.empty() || !r.U32(&n) || n > 10000) return bad();
  st.parts.resize(n);
  uint32_t last = 0;
  for (PartRecord& p : st.parts) {
    if (!r.U32(&p.number) || !r.U64(&p.size) || !r.Str(&p.etag)) return bad();
    if (p.number <= last || p.number > 10000) return bad();
    last = p.number;
  }
  if (!r.Str(&st.tail) || !r.in.empty()) return bad();
  return st;
}

}  // namespace fluxgate::store::s3
