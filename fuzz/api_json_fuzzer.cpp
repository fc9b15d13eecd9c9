// libFuzzer target: the JSON body of POST /api/v1/referrals, decoded as the API does
// (web/api/referral_api.cpp): UTF-8 check, non-throwing parse, ReferralInputFromApi, then the
// domain's validation, and the draft's JSON round trip (web/referral_form.cpp). Properties:
// nothing crashes, throws or trips ASan/UBSan on any bytes; type errors and validation errors
// name a field (but a body that is not an object, refused whole); a draft saved and restored
// gives back the same JSON.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "common/text.hpp"
#include "domain/reference.hpp"
#include "domain/referral.hpp"
#include "web/referral_form.hpp"

namespace {

void Check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace allervers;
  using nlohmann::json;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  if (!text::IsValidUtf8(body)) {
    return 0;  // the API answers 400 before parsing
  }
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) {
    return 0;  // 400 « JSON mal formé »
  }
  domain::FieldErrors errors;
  const auto input = web::ReferralInputFromApi(j, errors);
  // Every error says what is wrong and names its field; only a body that is not an object is
  // refused as a whole, with no field.
  for (const auto& e : errors) {
    Check(!e.message.empty() && (!e.field.empty() || !j.is_object()));
  }
  if (!errors.empty()) {
    return 0;
  }
  static const domain::ReferenceData kReference{};
  domain::ReferralData out;
  const auto invalid = domain::ValidateReferral(input, kReference, {2026, 11, 29}, out);
  for (const auto& e : invalid) {
    Check(!e.field.empty() && !e.message.empty());
  }
  const json draft = web::ReferralInputToJson(input);
  Check(web::ReferralInputToJson(web::ReferralInputFromJson(draft)) == draft);
  return 0;
}
