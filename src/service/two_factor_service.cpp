#include "service/two_factor_service.hpp"

#include "common/error.hpp"
#include "domain/role.hpp"
#include "service/audit.hpp"
#include "service/permissions.hpp"
#include "service/settings_service.hpp"

namespace allervers::service {
namespace {

enum class CodeKind { kMalformed, kTotp, kRecovery };

constexpr std::size_t kMaxCodeInput = 64;
constexpr std::string_view kRecoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";

// A typed code without its spaces and hyphens; a recovery code in lower case, with the letters
// Crockford's alphabet reads as digits (i, l → 1; o → 0).
CodeKind Classify(std::string_view input, std::string& normalized) {
  normalized.clear();
  if (input.size() > kMaxCodeInput) {
    return CodeKind::kMalformed;
  }
  bool digits_only = true;
  for (char ch : input) {
    if (ch == ' ' || ch == '-' || ch == '\t') {
      continue;
    }
    char c = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
    if (c == 'i' || c == 'l') {
      c = '1';
    } else if (c == 'o') {
      c = '0';
    }
    digits_only = digits_only && ch >= '0' && ch <= '9';
    normalized.push_back(c);
  }
  if (normalized.empty()) {
    return CodeKind::kMalformed;
  }
  if (digits_only) {
    return normalized.size() == 6 ? CodeKind::kTotp : CodeKind::kMalformed;
  }
  if (normalized.size() != 12) {
    return CodeKind::kMalformed;
  }
  for (char c : normalized) {
    if (kRecoveryAlphabet.find(c) == std::string_view::npos) {
      return CodeKind::kMalformed;
    }
  }
  return CodeKind::kRecovery;
}

std::string UriEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4U]);
      out.push_back(kHex[c & 15U]);
    }
  }
  return out;
}

void RequireUser(const Actor& actor) {
  if (!actor.is_user()) {
    throw Error(ErrorCode::kUnauthenticated, "Veuillez vous connecter.");
  }
}

[[noreturn]] void SecretUnreadable(domain::UserId user_id) {
  throw Error(ErrorCode::kUnavailable,
              "La double authentification ne peut pas être vérifiée : la clé secrète du serveur "
              "a changé. Prévenez l’administrateur de la plateforme.",
              "the TOTP secret of user " + std::to_string(user_id) +
                  " cannot be opened with the key ring (key file lost or replaced?)");
}

}  // namespace

bool TwoFactorService::Required(Tx& tx, const domain::User& user) {
  return domain::RoleSeesPersons(user.role) && IntSetting(tx, "security.totp_required") == 1;
}

std::string TwoFactorService::RecoveryDigest(domain::UserId user_id,
                                             std::string_view normalized) const {
  // Bound to the account, so that equal codes of two accounts do not share a digest.
  return tokens_.Digest("recovery:" + std::to_string(user_id) + ":" + std::string(normalized));
}

TwoFactorStatus TwoFactorService::Status(const Actor& actor) {
  RequireUser(actor);
  TwoFactorStatus status;
  store_.Read([&](Tx& tx) {
    const auto user = tx.users().FindById(actor.user_id);
    if (!user) {
      throw Error(ErrorCode::kUnauthenticated, "Veuillez vous connecter.");
    }
    status.required = Required(tx, *user);
    const auto rec = tx.two_factor().Find(actor.user_id);
    if (rec && rec->confirmed_at) {
      status.enrolled = true;
      status.enrolled_at = rec->confirmed_at;
      status.recovery_codes_left = tx.two_factor().UnusedRecoveryCodes(actor.user_id);
    }
  });
  return status;
}

EnrolmentStart TwoFactorService::BeginEnrolment(const Actor& actor) {
  RequireUser(actor);
  const Instant now = clock_.Now();
  EnrolmentStart start;
  store_.Write([&](Tx& tx) {
    const auto user = tx.users().FindById(actor.user_id);
    if (!user) {
      throw Error(ErrorCode::kUnauthenticated, "Veuillez vous connecter.");
    }
    const auto rec = tx.two_factor().Find(actor.user_id);
    if (rec && rec->confirmed_at) {
      throw Error(ErrorCode::kConflict, "La double authentification est déjà activée.");
    }
    std::optional<std::string> secret;
    if (rec) {
      secret = sealer_.Open(rec->secret_sealed);  // a pending secret sealed by a lost key: anew
    }
    if (!secret) {
      secret = otp_.NewSecret();
      tx.two_factor().PutPending(actor.user_id, sealer_.Seal(*secret), now);
    }
    start.secret = *secret;
    start.otpauth_uri = "otpauth://totp/Allervers:" + UriEncode(user->email) +
                        "?secret=" + *secret +
                        "&issuer=Allervers&algorithm=SHA1&digits=6&period=30";
  });
  return start;
}

EnrolmentResult TwoFactorService::ConfirmEnrolment(const Actor& actor, std::string_view code) {
  RequireUser(actor);
  const Instant now = clock_.Now();
  EnrolmentResult result;
  std::string normalized;
  if (Classify(code, normalized) != CodeKind::kTotp) {
    result.errors.push_back(
        {"code", normalized.empty() ? "Saisissez le code à 6 chiffres affiché par l’application."
                                    : "Le code compte 6 chiffres, sans lettre."});
    return result;
  }
  std::vector<std::string> codes;
  codes.reserve(kRecoveryCodeCount);
  for (int i = 0; i < kRecoveryCodeCount; ++i) {
    codes.push_back(otp_.NewRecoveryCode());
  }
  bool wrong = false;
  store_.Write([&](Tx& tx) {
    const auto rec = tx.two_factor().Find(actor.user_id);
    if (rec && rec->confirmed_at) {
      throw Error(ErrorCode::kConflict, "La double authentification est déjà activée.");
    }
    std::optional<std::string> secret;
    if (rec) {
      secret = sealer_.Open(rec->secret_sealed);
    }
    if (!secret) {
      throw Error(ErrorCode::kConflict,
                  "L’activation a expiré : rechargez la page et scannez le nouveau QR code.");
    }
    const auto step = otp_.Match(*secret, normalized, ToEpoch(now));
    if (!step || !tx.two_factor().Confirm(actor.user_id, *step, now)) {
      wrong = true;
      return;
    }
    std::vector<std::string> digests;
    digests.reserve(codes.size());
    for (const auto& c : codes) {
      std::string n;
      Classify(c, n);
      digests.push_back(RecoveryDigest(actor.user_id, n));
    }
    tx.two_factor().ReplaceRecoveryCodes(actor.user_id, digests, now);
    tx.audit().Append(
        MakeAuditEvent(actor, now, "two_factor.enrol", "user", std::to_string(actor.user_id)));
  });
  if (wrong) {
    store_.Write([&](Tx& tx) {
      tx.audit().Append(MakeAuditEvent(actor, now, "two_factor.enrol", "user",
                                       std::to_string(actor.user_id), "failure",
                                       "reason=wrong_code"));
    });
    result.errors.push_back(
        {"code",
         "Ce code ne correspond pas. Saisissez le code affiché maintenant par l’application ; "
         "si l’erreur se répète, vérifiez que l’heure du téléphone est réglée automatiquement."});
    return result;
  }
  result.recovery_codes = std::move(codes);
  return result;
}

void TwoFactorService::Reset(const Actor& actor, domain::UserId user_id) {
  Require(actor, Permission::kResetTwoFactor);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    const auto user = tx.users().FindById(user_id);
    if (!user) {
      throw Error(ErrorCode::kNotFound, "Ce compte n’existe pas.");
    }
    Require(AccessUser(actor, *user));
    const auto rec = tx.two_factor().Find(user_id);
    tx.two_factor().Delete(user_id);
    tx.sessions().DeleteForUser(user_id);
    tx.audit().Append(
        MakeAuditEvent(actor, now, "two_factor.reset", "user", std::to_string(user_id), "success",
                       rec && rec->confirmed_at ? "was=enrolled" : "was=not_enrolled"));
  });
}

bool TwoFactorService::IsEnrolled(const Actor& actor, domain::UserId user_id) {
  Require(actor, Permission::kResetTwoFactor);
  bool enrolled = false;
  store_.Read([&](Tx& tx) {
    const auto user = tx.users().FindById(user_id);
    if (!user) {
      throw Error(ErrorCode::kNotFound, "Ce compte n’existe pas.");
    }
    Require(AccessUser(actor, *user));
    const auto rec = tx.two_factor().Find(user_id);
    enrolled = rec && rec->confirmed_at;
  });
  return enrolled;
}

CodeOutcome TwoFactorService::Check(Tx& tx, domain::UserId user_id, std::string_view code,
                                    Instant now) const {
  std::string normalized;
  const CodeKind kind = Classify(code, normalized);
  if (kind == CodeKind::kMalformed) {
    return {CodeCheck::kMalformed, 0};
  }
  const auto rec = tx.two_factor().Find(user_id);
  if (!rec || !rec->confirmed_at) {
    return {CodeCheck::kWrong, 0};
  }
  if (kind == CodeKind::kRecovery) {
    if (!tx.two_factor().UseRecoveryCode(user_id, RecoveryDigest(user_id, normalized), now)) {
      return {CodeCheck::kWrong, 0};
    }
    return {CodeCheck::kAcceptedRecovery, tx.two_factor().UnusedRecoveryCodes(user_id)};
  }
  const auto secret = sealer_.Open(rec->secret_sealed);
  if (!secret) {
    SecretUnreadable(user_id);
  }
  const auto step = otp_.Match(*secret, normalized, ToEpoch(now));
  if (!step) {
    return {CodeCheck::kWrong, 0};
  }
  if (!tx.two_factor().AdvanceStep(user_id, *step)) {
    return {CodeCheck::kReused, 0};
  }
  return {CodeCheck::kAccepted, 0};
}

}  // namespace allervers::service
