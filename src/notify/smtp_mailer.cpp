#include "notify/smtp_mailer.hpp"

#include <array>
#include <cstring>
#include <ctime>
#include <utility>

#include "common/error.hpp"
#include "notify/curl_handle.hpp"

namespace allervers::notify {
namespace {

constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16U) |
                       (static_cast<unsigned char>(in[i + 1]) << 8U) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kBase64[(v >> 18U) & 63U];
    out += kBase64[(v >> 12U) & 63U];
    out += kBase64[(v >> 6U) & 63U];
    out += kBase64[v & 63U];
  }
  if (i < in.size()) {
    const bool two = i + 1 < in.size();
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16U) |
                       (two ? static_cast<unsigned char>(in[i + 1]) << 8U : 0U);
    out += kBase64[(v >> 18U) & 63U];
    out += kBase64[(v >> 12U) & 63U];
    out += two ? kBase64[(v >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

// Copy of `in` where control characters (CR, LF, tab…) are spaces: a header stays one header.
std::string WithoutControls(std::string_view in) {
  std::string out(in);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20U || c == 0x7F) {
      c = ' ';
    }
  }
  return out;
}

// The body read by curl, in pieces as large as it asks for.
struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t ReadUpload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

}  // namespace

std::string EncodeHeaderText(std::string_view utf8) {
  std::string text = WithoutControls(utf8);
  // Short printable ASCII stays readable; anything longer is encoded, so that it can be folded.
  bool plain = text.find("=?") == std::string::npos && text.size() <= 60;
  for (const char c : text) {
    plain = plain && static_cast<unsigned char>(c) < 0x80U;
  }
  if (plain) {
    return text;
  }
  // Encoded words of at most 60 characters ("=?UTF-8?B?" + 48 base64 characters + "?="), that
  // is 36 bytes of text cut at a character boundary so that each word decodes alone: with the
  // header's name ("Subject: ") a line stays under the 76 characters of RFC 2047.
  constexpr std::size_t kChunk = 36;
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(start + kChunk, text.size());
    while (end < text.size() && end > start && IsContinuationByte(text[end])) {
      --end;
    }
    if (!out.empty()) {
      out += "\r\n ";
    }
    out += "=?UTF-8?B?" + Base64(std::string_view(text).substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

std::string QuotedPrintable(std::string_view text) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  std::size_t line_length = 0;
  auto emit = [&](std::string_view token) {
    // 75 + the "=" of the soft break = 76, the limit of RFC 2045.
    if (line_length + token.size() > 75) {
      out += "=\r\n";
      line_length = 0;
    }
    out += token;
    line_length += token.size();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
        ++i;
      }
      out += "\r\n";
      line_length = 0;
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    const bool at_line_end = i + 1 == text.size() || text[i + 1] == '\r' || text[i + 1] == '\n';
    const bool literal =
        (byte >= 33 && byte <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end);
    if (literal) {
      emit(std::string_view(&text[i], 1));
    } else {
      const std::array<char, 3> encoded{'=', kHex[byte >> 4U], kHex[byte & 15U]};
      emit(std::string_view(encoded.data(), encoded.size()));
    }
  }
  return out;
}

bool IsPlainAddress(std::string_view address) {
  const auto at = address.rfind('@');
  if (address.empty() || address.size() > 254 || at == std::string_view::npos || at == 0 ||
      at + 1 == address.size() || address.find('@') != at) {
    return false;
  }
  for (const char c : address) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20U || byte >= 0x7FU || std::strchr("<>()[]\\,;:\"", c) != nullptr) {
      return false;
    }
  }
  return true;
}

std::string RfcDate(Instant at) {
  static constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed",
                                                    "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = ToEpoch(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 64> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%s, %02d %s %04d %02d:%02d:%02d +0000",
                kDays.at(static_cast<std::size_t>(tm.tm_wday)), tm.tm_mday,
                kMonths.at(static_cast<std::size_t>(tm.tm_mon)), tm.tm_year + 1900, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return buffer.data();
}

SmtpMailer::SmtpMailer(SmtpSettings settings) : settings_(std::move(settings)) {
  if (!settings_.url.starts_with("smtp://") && !settings_.url.starts_with("smtps://")) {
    throw Error(ErrorCode::kInvalidArgument,
                "smtp.url : attendu smtp://hôte:port ou smtps://hôte:port");
  }
  if (!IsPlainAddress(settings_.from)) {
    throw Error(ErrorCode::kInvalidArgument,
                "smtp.from : adresse d’expéditeur invalide, par exemple emn@exemple.fr");
  }
  domain_ = settings_.from.substr(settings_.from.rfind('@') + 1);
  EnsureCurlInitialised();
}

std::string SmtpMailer::BuildMessage(const service::OutboxMessage& m) const {
  std::string from = "<" + settings_.from + ">";
  if (!settings_.from_name.empty()) {
    std::string name = EncodeHeaderText(settings_.from_name);
    if (name.find("=?") != 0) {
      // A plain name is quoted, since it may hold specials ("Équipe, Cergy" is encoded anyway).
      std::string quoted = "\"";
      for (const char c : name) {
        if (c == '"' || c == '\\') {
          quoted += '\\';
        }
        quoted += c;
      }
      name = quoted + "\"";
    }
    // Fold before the address when the line would pass 78 characters.
    const auto last_line = name.rfind('\n');
    const std::size_t width =
        (last_line == std::string::npos ? 6 + name.size() : name.size() - last_line - 1) + 1 +
        from.size();
    from = name + (width > 78 ? "\r\n " : " ") + from;
  }
  std::string out;
  out += "From: " + from + "\r\n";
  out += "To: <" + m.recipient + ">\r\n";
  out += "Subject: " + EncodeHeaderText(m.subject) + "\r\n";
  out += "Date: " + RfcDate(m.created_at) + "\r\n";
  out += "Message-ID: <outbox-" + std::to_string(m.id) + "@" + domain_ + ">\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n";
  out += "\r\n";
  out += QuotedPrintable(m.body);
  if (!out.ends_with("\r\n")) {
    out += "\r\n";
  }
  return out;
}

service::SendResult SmtpMailer::Send(const service::OutboxMessage& m) {
  if (!IsPlainAddress(m.recipient)) {
    return {false, true, "adresse du destinataire invalide"};
  }
  const std::string message = BuildMessage(m);
  CurlPtr curl(curl_easy_init());
  if (!curl) {
    return {false, false, "curl_easy_init failed"};
  }
  CURL* c = curl.get();
  const std::string mail_from = "<" + settings_.from + ">";
  CurlList recipients;
  Append(recipients, "<" + m.recipient + ">");
  Upload upload{message, 0};
  SetRequest(c, settings_.url, "smtp,smtps", settings_.connect_timeout, settings_.timeout);
  if (settings_.starttls) {
    curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  }
  if (!settings_.user.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, settings_.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));

  const CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  if (rc == CURLE_OK) {
    return {true, false, ""};
  }
  // Only the codes: the server's text may quote the recipient.
  std::string error = CurlError(rc);
  if (code != 0) {
    error += " (smtp " + std::to_string(code) + ")";
  }
  // A refused login is the configuration's fault, not the message's: retry once it is fixed.
  const bool permanent = code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED;
  return {false, permanent, error};
}

}  // namespace allervers::notify
