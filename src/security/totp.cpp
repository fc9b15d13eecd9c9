#include "security/totp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>

#include "common/error.hpp"

namespace allervers::security {
namespace {

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::int64_t kStepSeconds = 30;
constexpr std::size_t kSecretBytes = 20;

}  // namespace

std::string Base32Encode(const std::vector<unsigned char>& bytes) {
  std::string out;
  unsigned int buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8U) | b;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32[(buffer >> static_cast<unsigned>(bits - 5)) & 31U]);
      bits -= 5;
    }
  }
  if (bits > 0) {
    out.push_back(kBase32[(buffer << static_cast<unsigned>(5 - bits)) & 31U]);
  }
  return out;
}

std::optional<std::vector<unsigned char>> Base32Decode(std::string_view text) {
  std::vector<unsigned char> out;
  unsigned int buffer = 0;
  int bits = 0;
  for (char ch : text) {
    if (ch == ' ' || ch == '=' || ch == '-') {
      continue;
    }
    const char upper = (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch;
    const auto pos = kBase32.find(upper);
    if (pos == std::string_view::npos) {
      return std::nullopt;
    }
    buffer = (buffer << 5U) | static_cast<unsigned>(pos);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<unsigned char>((buffer >> static_cast<unsigned>(bits - 8)) & 255U));
      bits -= 8;
    }
  }
  return out;
}

std::string Hotp(const std::vector<unsigned char>& key, std::uint64_t counter, int digits) {
  std::array<unsigned char, 8> message{};
  for (int i = 7; i >= 0; --i) {
    message[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 255U);
    counter >>= 8U;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), message.data(), message.size(),
           mac.data(), &mac_len) == nullptr ||
      mac_len != 20) {
    throw Error(ErrorCode::kInternal, "Erreur interne.", "HMAC-SHA-1 failed");
  }
  // Dynamic truncation (RFC 4226 §5.3).
  const unsigned offset = mac[19] & 15U;
  const std::uint32_t binary = ((mac[offset] & 0x7FU) << 24U) | (mac[offset + 1] << 16U) |
                               (mac[offset + 2] << 8U) | mac[offset + 3];
  std::uint32_t modulo = 1;
  for (int i = 0; i < digits; ++i) {
    modulo *= 10;
  }
  std::string code = std::to_string(binary % modulo);
  return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

std::string Totp(const std::vector<unsigned char>& key, std::int64_t unix_time, int digits) {
  return Hotp(key, static_cast<std::uint64_t>(unix_time / kStepSeconds), digits);
}

std::string TotpGenerator::NewSecret() const {
  std::vector<unsigned char> raw(kSecretBytes);
  randombytes_buf(raw.data(), raw.size());
  std::string out = Base32Encode(raw);
  sodium_memzero(raw.data(), raw.size());
  return out;
}

std::optional<std::int64_t> TotpGenerator::Match(std::string_view base32_secret,
                                                 std::string_view code,
                                                 std::int64_t unix_time) const {
  if (code.size() != 6 || unix_time < kStepSeconds) {
    return std::nullopt;
  }
  auto key = Base32Decode(base32_secret);
  if (!key || key->empty()) {
    return std::nullopt;
  }
  const std::int64_t now_step = unix_time / kStepSeconds;
  std::optional<std::int64_t> found;
  // Every candidate is computed and compared in constant time, whichever matches.
  for (std::int64_t step = now_step - 1; step <= now_step + 1; ++step) {
    const std::string expected = Hotp(*key, static_cast<std::uint64_t>(step));
    if (sodium_memcmp(expected.data(), code.data(), expected.size()) == 0 && !found) {
      found = step;
    }
  }
  sodium_memzero(key->data(), key->size());
  return found;
}

std::string TotpGenerator::NewRecoveryCode() const {
  // Crockford's alphabet: no i, l, o, u, so that nothing read on paper is ambiguous.
  static constexpr std::string_view kAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";
  std::string out;
  for (int group = 0; group < 3; ++group) {
    if (group > 0) {
      out.push_back('-');
    }
    for (int i = 0; i < 4; ++i) {
      out.push_back(kAlphabet[randombytes_uniform(static_cast<uint32_t>(kAlphabet.size()))]);
    }
  }
  return out;
}

}  // namespace allervers::security
