#include "alerts/email_channel.h"

#include <ctime>

#include "alerts/tcp_stream.h"
#include "common/base64.h"

namespace fluxgate::alerts {
namespace {

struct Reply {
  int code = 0;
  std::string text;  // all lines, joined by '\n'
};

Result<Reply> ReadReply(TcpStream& conn) {
  Reply r;
  for (;;) {
    FG_ASSIGN_OR_RETURN(std::string line, conn.ReadLine());
    if (line.size() < 3) return Status::Unavailable("SMTP server sent a malformed reply");
    r.code = std::atoi(line.substr(0, 3).c_str());
    if (!r.text.empty()) r.text.push_back('\n');
    r.text += line.size() > 4 ? line.substr(4) : "";
    if (line.size() == 3 || line[3] != '-') return r;
  }
}

// One command and its reply; a reply outside [ok_low, ok_high] fails: 5xx permanently.
Result<Reply> Command(TcpStream& conn, const std::string& cmd, int ok_low, int ok_high,
                      const char* what) {
  if (!cmd.empty()) FG_RETURN_IF_ERROR(conn.Write(cmd + "\r\n"));
  FG_ASSIGN_OR_RETURN(Reply r, ReadReply(conn));
  if (r.code >= ok_low && r.code <= ok_high) return r;
  std::string said = r.text.substr(0, 200);
  for (char& c : said)
    if (c < 0x20 || c >= 0x7f) c = ' ';
  const std::string msg = std::string("SMTP ") + what + ": " + std::to_string(r.code) + " " + said;
  if (r.code >= 500) return Status::InvalidArgument(msg);
  return Status::Unavailable(msg);
}

bool Offers(const Reply& ehlo, const std::string& ext) {
  size_t pos = 0;
  while (pos <= ehlo.text.size()) {
    size_t end = ehlo.text.find('\n', pos);
    if (end == std::string::npos) end = ehlo.text.size();
    std::string line = ehlo.text.substr(pos, end - pos);
    for (char& c : line) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (line == ext || line.rfind(ext + " ", 0) == 0) return true;
    pos = end + 1;
  }
  return false;
}

bool OffersAuth(const Reply& ehlo, const std::string& mech) {
  size_t pos = 0;
  while (pos <= ehlo.text.size()) {
    size_t end = ehlo.text.find('\n', pos);
    if (end == std::string::npos) end = ehlo.text.size();
    std::string line = ehlo.text.substr(pos, end - pos);
    for (char& c : line) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (line.rfind("AUTH ", 0) == 0 && (line + " ").find(" " + mech + " ") != std::string::npos)
      return true;
    pos = end + 1;
  }
  return false;
}

// Header values: no CR/LF (no header injection from alert text); non-ASCII as RFC 2047
// base64 encoded-words.
std::string HeaderValue(const std::string& v) {
  bool ascii = true;
  std::string clean;
  for (char c : v) {
    if (c == '\r' || c == '\n') c = ' ';
    if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
    clean.push_back(c);
  }
  if (ascii) return clean;
  return "=?UTF-8?B?" + Base64Encode(clean) + "?=";
}

std::string RfcDate() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

}  // namespace

EmailChannel::EmailChannel(const ServeConfig::Alerts::Smtp& smtp, std::string address)
    : smtp_(smtp), address_(std::move(address)) {}

std::string EmailChannel::FormatMessage(const Delivery& d, const std::string& from,
                                        const std::string& to) {
  std::string m;
  m += "From: " + from + "\r\n";
  m += "To: " + to + "\r\n";
  m += "Subject: " + HeaderValue(d.alert.subject) + "\r\n";
  m += "Date: " + RfcDate() + "\r\n";
  m += "Message-ID: <" + d.alert.id +
       (d.alert.count > 1 ? "." + std::to_string(d.alert.count) : "") + "@fluxgate>\r\n";
  m += "X-Fluxgate-Alert-Id: " + HeaderValue(d.alert.id) + "\r\n";
  m += "X-Fluxgate-Topic: " + HeaderValue(d.alert.topic) + "\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: text/plain; charset=utf-8\r\n";
  m += "Content-Transfer-Encoding: 8bit\r\n\r\n";
  std::string body = d.alert.message;
  if (d.alert.count > 1)
    body += "\n\n(" + std::to_string(d.alert.count) +
            " alerts of this rule for this device since " + FormatTimeUtc(d.alert.first_time_ms) +
            "; this is the last.)";
  body += "\n\n" + d.json + "\n";
  // CRLF line ends and dot-stuffing (RFC 5321 4.5.2).
  std::string line;
  for (size_t i = 0; i <= body.size(); ++i) {
    if (i == body.size() || body[i] == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty() && line[0] == '.') m.push_back('.');
      m += line + "\r\n";
      line.clear();
      if (i == body.size()) break;
    } else {
      line.push_back(body[i]);
    }
  }
  m += ".\r\n";
  return m;
}

Status EmailChannel::Deliver(const Delivery& d) {
  FG_ASSIGN_OR_RETURN(auto conn, TcpStream::Connect(smtp_.host, static_cast<uint16_t>(smtp_.port),
                                                    smtp_.timeout_ms));
  FG_RETURN_IF_ERROR(Command(*conn, "", 220, 220, "greeting").status());
  FG_ASSIGN_OR_RETURN(Reply ehlo, Command(*conn, "EHLO fluxgate", 250, 250, "EHLO"));
  if (smtp_.starttls) {
    if (!Offers(ehlo, "STARTTLS"))
      return Status::Unavailable("SMTP server " + smtp_.host +
                                 " does not offer STARTTLS (alerts.smtp.starttls = true)");
    FG_RETURN_IF_ERROR(Command(*conn, "STARTTLS", 220, 220, "STARTTLS").status());
    FG_RETURN_IF_ERROR(conn->StartTls(smtp_.host, smtp_.ca_file));
    FG_ASSIGN_OR_RETURN(ehlo, Command(*conn, "EHLO fluxgate", 250, 250, "EHLO"));
  }
  if (!smtp_.username.empty()) {
    if (OffersAuth(ehlo, "PLAIN") || !OffersAuth(ehlo, "LOGIN")) {
      std::string token;
      token.push_back('\0');
      token += smtp_.username;
      token.push_back('\0');
      token += smtp_.password;
      FG_RETURN_IF_ERROR(
          Command(*conn, "AUTH PLAIN " + Base64Encode(token), 235, 235, "AUTH PLAIN").status());
    } else {
      FG_RETURN_IF_ERROR(Command(*conn, "AUTH LOGIN", 334, 334, "AUTH LOGIN").status());
      FG_RETURN_IF_ERROR(
          Command(*conn, Base64Encode(smtp_.username), 334, 334, "AUTH LOGIN").status());
      FG_RETURN_IF_ERROR(
          Command(*conn, Base64Encode(smtp_.password), 235, 235, "AUTH LOGIN").status());
    }
  }
  FG_RETURN_IF_ERROR(Command(*conn, "MAIL FROM:<" + smtp_.from + ">", 250, 250, "MAIL").status());
  FG_RETURN_IF_ERROR(Command(*conn, "RCPT TO:<" + address_ + ">", 250, 251, "RCPT").status());
  FG_RETURN_IF_ERROR(Command(*conn, "DATA", 354, 354, "DATA").status());
  FG_RETURN_IF_ERROR(conn->Write(FormatMessage(d, smtp_.from, address_)));
  FG_RETURN_IF_ERROR(Command(*conn, "", 250, 250, "message").status());
  (void)conn->Write("QUIT\r\n");  // delivered already; the reply does not matter
  return Status::Ok();
}

}  // namespace fluxgate::alerts
