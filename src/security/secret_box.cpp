#include "security/secret_box.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "common/error.hpp"

namespace allervers::security {
namespace {

constexpr std::string_view kPrefix = "sb1.";
constexpr std::size_t kKeyIdHexDigits = 8;
// A sealed text longer than this is not ours (a note of 5 000 characters, 4 bytes each at
// worst, seals to about 27 000).
constexpr std::size_t kMaxSealedChars = 1 << 20;

std::string KeyId(const SecretKey& key) {
  unsigned char hash[crypto_generichash_BYTES];
  crypto_generichash(hash, sizeof hash, key.data(), key.size(), nullptr, 0);
  char hex[crypto_generichash_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return std::string(hex, kKeyIdHexDigits);
}

std::string ToBase64(const unsigned char* data, std::size_t size, int variant) {
  std::string out(sodium_base64_ENCODED_LEN(size, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// Decodes base64 of any of libsodium's variants; nothing when none reads it whole.
std::optional<std::vector<unsigned char>> FromBase64(std::string_view text) {
  for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                      sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
    std::vector<unsigned char> out(text.size());
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                          variant) == 0 &&
        end == text.data() + text.size()) {
      out.resize(len);
      return out;
    }
    sodium_memzero(out.data(), out.size());
  }
  return std::nullopt;
}

std::optional<SecretKey> ParseKey(std::string_view line) {
  SecretKey key{};
  if (line.size() == key.size() * 2) {
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_hex2bin(key.data(), key.size(), line.data(), line.size(), nullptr, &len, &end) ==
            0 &&
        len == key.size() && end == line.data() + line.size()) {
      return key;
    }
  }
  auto bytes = FromBase64(line);
  if (!bytes) {
    return std::nullopt;
  }
  const bool fits = bytes->size() == key.size();
  if (fits) {
    std::memcpy(key.data(), bytes->data(), key.size());
  }
  sodium_memzero(bytes->data(), bytes->size());
  if (!fits) {
    return std::nullopt;
  }
  return key;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

[[noreturn]] void Refuse(const std::filesystem::path& path, const std::string& why) {
  throw Error(ErrorCode::kInvalidArgument,
              "Fichier de clé secrète " + path.string() + " : " + why +
                  " (secret key file: see docs/admin.md, « La clé secrète »).");
}

}  // namespace

SecretBox::SecretBox(std::vector<SecretKey> keys) : keys_(std::move(keys)) {
  if (keys_.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "Aucune clé secrète.");
  }
  for (const auto& k : keys_) {
    ids_.push_back(KeyId(k));
  }
}

SecretBox::~SecretBox() {
  for (auto& k : keys_) {
    sodium_memzero(k.data(), k.size());
  }
}

std::string SecretBox::Seal(std::string_view plaintext) const {
  std::vector<unsigned char> box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                 plaintext.size());
  unsigned char* nonce = box.data();
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(box.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, keys_.front().data());
  return std::string(kPrefix) + ids_.front() + "." +
         ToBase64(box.data(), box.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::optional<std::string> SecretBox::KeyIdOf(std::string_view text) const {
  if (!text.starts_with(kPrefix)) {
    return std::nullopt;
  }
  text.remove_prefix(kPrefix.size());
  if (text.size() <= kKeyIdHexDigits || text[kKeyIdHexDigits] != '.') {
    return std::nullopt;
  }
  return std::string(text.substr(0, kKeyIdHexDigits));
}

std::optional<std::string> SecretBox::Open(std::string_view sealed) const {
  if (sealed.size() > kMaxSealedChars || !sealed.starts_with(kPrefix)) {
    return std::nullopt;
  }
  sealed.remove_prefix(kPrefix.size());
  const auto dot = sealed.find('.');
  if (dot != kKeyIdHexDigits) {
    return std::nullopt;
  }
  const std::string_view id = sealed.substr(0, dot);
  const auto box = FromBase64(sealed.substr(dot + 1));
  if (!box || box->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (ids_[i] != id) {
      continue;
    }
    const std::size_t cipher_len = box->size() - crypto_secretbox_NONCEBYTES;
    std::string plain(cipher_len - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                   box->data() + crypto_secretbox_NONCEBYTES, cipher_len,
                                   box->data(), keys_[i].data()) == 0) {
      return plain;
    }
  }
  return std::nullopt;
}

std::vector<SecretKey> LoadKeyFile(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    Refuse(path, std::string("introuvable ou illisible (") + std::strerror(errno) + ")");
  }
  if (!S_ISREG(st.st_mode)) {
    Refuse(path, "ce n’est pas un fichier ordinaire");
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    Refuse(path,
           "lisible ou modifiable par d’autres comptes que son propriétaire ; "
           "faites « chmod 600 » (readable by group or others)");
  }
  std::ifstream in(path);
  if (!in) {
    Refuse(path, "illisible (unreadable)");
  }
  std::vector<SecretKey> keys;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string trimmed = Trim(line);
    sodium_memzero(line.data(), line.size());
    if (trimmed.empty() || trimmed.front() == '#') {
      continue;
    }
    auto key = ParseKey(trimmed);
    if (!key) {
      Refuse(path, "la ligne " + std::to_string(number) +
                       " n’est pas une clé de 32 octets en base64 ou en hexadécimal "
                       "(line is not a 32-byte key)");
    }
    keys.push_back(*key);
    sodium_memzero(key->data(), key->size());
  }
  if (keys.empty()) {
    Refuse(path, "aucune clé (no key)");
  }
  return keys;
}

std::string NewKeyLine() {
  SecretKey key{};
  crypto_secretbox_keygen(key.data());
  std::string line = ToBase64(key.data(), key.size(), sodium_base64_VARIANT_ORIGINAL);
  sodium_memzero(key.data(), key.size());
  return line;
}

namespace {

// The lines of a key file that LoadKeyFile accepted (so that nothing unreadable is carried
// over), the comments included.
std::vector<std::string> ReadKeyFileLines(const std::filesystem::path& path) {
  for (auto& key : LoadKeyFile(path)) {
    sodium_memzero(key.data(), key.size());
  }
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

bool IsKeyLine(const std::string& line) {
  const std::string trimmed = Trim(line);
  return !trimmed.empty() && trimmed.front() != '#';
}

// Replaces the key file by `lines`: written to a new file beside it (mode 0600, the old file's
// owner), synced, then renamed over it, so that a crash leaves the old file or the new one.
void ReplaceKeyFile(const std::filesystem::path& path, std::vector<std::string>& lines) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    Refuse(path, std::string("introuvable (") + std::strerror(errno) + ")");
  }
  std::filesystem::path fresh = path;
  fresh += ".new";
  std::error_code ec;
  std::filesystem::remove(fresh, ec);
  const int fd = ::open(fresh.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    Refuse(path, std::string("impossible d’écrire à côté (") + std::strerror(errno) + ")");
  }
  std::string content;
  for (auto& line : lines) {
    content += line + "\n";
    sodium_memzero(line.data(), line.size());
  }
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  sodium_memzero(content.data(), content.size());
  // Run as root for a file of the service's account: the new file stays the account's.
  if (::fchown(fd, st.st_uid, st.st_gid) != 0 && ::geteuid() == 0) {
    ok = false;
  }
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(fresh.c_str(), path.c_str()) != 0) {
    std::filesystem::remove(fresh, ec);
    Refuse(path, "impossible de le remplacer (could not be replaced)");
  }
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace

std::string AddKeyFirst(const std::filesystem::path& path) {
  std::vector<std::string> old = ReadKeyFileLines(path);
  std::string line = NewKeyLine();
  auto key = ParseKey(line);
  std::string id = KeyId(*key);
  sodium_memzero(key->data(), key->size());
  std::vector<std::string> lines;
  std::size_t i = 0;
  for (; i < old.size() && !IsKeyLine(old[i]); ++i) {
    lines.push_back(old[i]);  // the comments at the top stay there
  }
  lines.push_back(std::move(line));
  lines.push_back("# Older keys, kept to open what they sealed (allervers keys status):");
  for (; i < old.size(); ++i) {
    lines.push_back(std::move(old[i]));
  }
  ReplaceKeyFile(path, lines);
  return id;
}

int KeepOnlyFirstKey(const std::filesystem::path& path) {
  std::vector<std::string> old = ReadKeyFileLines(path);
  std::vector<std::string> lines;
  int removed = 0;
  bool first = true;
  for (auto& line : old) {
    if (!IsKeyLine(line)) {
      if (line.find("Older keys") == std::string::npos) {
        lines.push_back(std::move(line));
      }
      continue;
    }
    if (first) {
      lines.push_back(std::move(line));
      first = false;
    } else {
      ++removed;
      sodium_memzero(line.data(), line.size());
    }
  }
  if (removed > 0) {
    ReplaceKeyFile(path, lines);
  }
  return removed;
}

bool CreateKeyFileIfMissing(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return false;
  }
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return false;  // created meanwhile by another process
    }
    Refuse(path, std::string("impossible de le créer (") + std::strerror(errno) + ")");
  }
  std::string content =
      "# Allervers secret key: keep it safe and back it up with the database (docs/admin.md).\n" +
      NewKeyLine() + "\n";
  const bool written =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  sodium_memzero(content.data(), content.size());
  const bool synced = ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0 && synced;
  if (!written || !closed) {
    std::filesystem::remove(path, ec);
    Refuse(path, "impossible de l’écrire");
  }
  return true;
}

}  // namespace allervers::security
