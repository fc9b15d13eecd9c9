#include "web/referral_form.hpp"

#include <algorithm>

#include "common/text.hpp"

namespace allervers::web {
namespace {

using nlohmann::json;

bool Checked(const Form& form, const char* name) {
  const std::string v = form.Get(name);
  return v == "1" || v == "on" || v == "oui" || v == "true";
}

json Choices(const domain::Vocabulary& vocabulary, const std::vector<std::string>& selected,
             const std::string& name) {
  json out = json::array();
  std::string id_base = name;
  std::replace(id_base.begin(), id_base.end(), '.', '-');
  for (const auto& c : vocabulary.items) {
    out.push_back(
        {{"value", c.code},
         {"label", c.label},
         {"name", name},
         {"id", "f-" + id_base + "-" + c.code},
         {"checked", std::find(selected.begin(), selected.end(), c.code) != selected.end()}});
  }
  return out;
}

json Options(const domain::Vocabulary& vocabulary, const std::string& selected) {
  json out = json::array();
  for (const auto& c : vocabulary.items) {
    out.push_back({{"value", c.code}, {"label", c.label}, {"selected", c.code == selected}});
  }
  return out;
}

std::vector<std::string> Strings(const json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key) && j[key].is_array()) {
    for (const auto& v : j[key]) {
      if (v.is_string()) {
        out.push_back(v.get<std::string>());
      }
    }
  }
  return out;
}

std::string Str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

bool Bool(const json& j, const char* key) {
  return j.contains(key) && j[key].is_boolean() && j[key].get<bool>();
}

// Reads an optional API field of the expected JSON type into `out`; a wrong type is an error.
class ApiReader {
 public:
  explicit ApiReader(domain::FieldErrors& errors) : errors_(errors) {}

  const json* Object(const json& parent, const char* key, const std::string& path) {
    if (!parent.contains(key) || parent[key].is_null()) {
      return nullptr;
    }
    if (!parent[key].is_object()) {
      errors_.push_back({path, "Objet JSON attendu."});
      return nullptr;
    }
    return &parent[key];
  }
  void String(const json* parent, const char* key, const std::string& path, std::string& out) {
    if (!parent || !parent->contains(key) || (*parent)[key].is_null()) {
      return;
    }
    if (!(*parent)[key].is_string()) {
      errors_.push_back({path, "Texte attendu."});
      return;
    }
    out = (*parent)[key].get<std::string>();
  }
  void Boolean(const json* parent, const char* key, const std::string& path, bool& out) {
    if (!parent || !parent->contains(key) || (*parent)[key].is_null()) {
      return;
    }
    if (!(*parent)[key].is_boolean()) {
      errors_.push_back({path, "true ou false attendu."});
      return;
    }
    out = (*parent)[key].get<bool>();
  }
  void Integer(const json* parent, const char* key, const std::string& path, std::string& out) {
    if (!parent || !parent->contains(key) || (*parent)[key].is_null()) {
      return;
    }
    const auto& v = (*parent)[key];
    if (!v.is_number_integer()) {
      errors_.push_back({path, "Nombre entier attendu."});
      return;
    }
    out = std::to_string(v.get<long long>());
  }
  void StringList(const json* parent, const char* key, const std::string& path,
                  std::vector<std::string>& out) {
    if (!parent || !parent->contains(key) || (*parent)[key].is_null()) {
      return;
    }
    const auto& v = (*parent)[key];
    if (!v.is_array() ||
        !std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_string(); })) {
      errors_.push_back({path, "Liste de textes attendue."});
      return;
    }
    for (const auto& e : v) {
      out.push_back(e.get<std::string>());
    }
  }

 private:
  domain::FieldErrors& errors_;
};

}  // namespace

domain::ReferralInput ReadReferralForm(const Form& form) {
  domain::ReferralInput in;
  in.referrer_name = form.Get("referrer.name");
  in.referrer_email = form.Get("referrer.email");
  in.referrer_phone = form.Get("referrer.phone");
  in.referrer_function = form.Get("referrer.function");
  in.last_name = form.Get("person.last_name");
  in.usage_name = form.Get("person.usage_name");
  in.first_names = form.Get("person.first_name");
  in.birth_date = form.Get("person.birth_date");
  in.birth_year = form.Get("person.birth_year");
  in.gender = form.Get("person.gender");
  in.phone = form.Get("person.phone");
  in.email = form.Get("person.email");
  in.address_line = form.Get("person.address.line");
  in.postal_code = form.Get("person.address.postal_code");
  in.city = form.Get("person.address.city");
  in.language = form.Get("person.language");
  in.interpreter_needed = Checked(form, "person.interpreter_needed");
  in.contact_preferences = form.All("person.contact_preferences");
  in.availability = form.Get("person.availability");
  in.adaptations = form.Get("person.adaptations");
  in.carer = form.Get("person.carer");
  in.situations = form.All("reasons.situations");
  in.procedures = form.All("reasons.procedures");
  in.digital_difficulties = form.All("reasons.digital_difficulties");
  in.difficulties = form.Get("reasons.difficulties");
  in.presumed_rights = form.All("reasons.presumed_unclaimed_rights");
  in.reason = form.Get("reasons.motive");
  in.urgency = form.Get("urgency");
  in.urgency_reason = form.Get("urgency_reason");
  in.tripartite_requested = Checked(form, "tripartite_requested");
  in.tripartite_availability = form.Get("tripartite_availability");
  in.consent_given = Checked(form, "consent.given");
  in.consent_date = form.Get("consent.date");
  in.consent_how = form.Get("consent.how");
  return in;
}

json ReferralInputToJson(const domain::ReferralInput& in) {
  return json{{"referrer_name", in.referrer_name},
              {"referrer_email", in.referrer_email},
              {"referrer_phone", in.referrer_phone},
              {"referrer_function", in.referrer_function},
              {"last_name", in.last_name},
              {"usage_name", in.usage_name},
              {"first_names", in.first_names},
              {"birth_date", in.birth_date},
              {"birth_year", in.birth_year},
              {"gender", in.gender},
              {"phone", in.phone},
              {"email", in.email},
              {"address_line", in.address_line},
              {"postal_code", in.postal_code},
              {"city", in.city},
              {"language", in.language},
              {"interpreter_needed", in.interpreter_needed},
              {"contact_preferences", in.contact_preferences},
              {"availability", in.availability},
              {"adaptations", in.adaptations},
              {"carer", in.carer},
              {"situations", in.situations},
              {"procedures", in.procedures},
              {"digital_difficulties", in.digital_difficulties},
              {"difficulties", in.difficulties},
              {"presumed_rights", in.presumed_rights},
              {"reason", in.reason},
              {"urgency", in.urgency},
              {"urgency_reason", in.urgency_reason},
              {"tripartite_requested", in.tripartite_requested},
              {"tripartite_availability", in.tripartite_availability},
              {"consent_given", in.consent_given},
              {"consent_date", in.consent_date},
              {"consent_how", in.consent_how}};
}

domain::ReferralInput ReferralInputFromJson(const json& j) {
  domain::ReferralInput in;
  if (!j.is_object()) {
    return in;
  }
  in.referrer_name = Str(j, "referrer_name");
  in.referrer_email = Str(j, "referrer_email");
  in.referrer_phone = Str(j, "referrer_phone");
  in.referrer_function = Str(j, "referrer_function");
  in.last_name = Str(j, "last_name");
  in.usage_name = Str(j, "usage_name");
  in.first_names = Str(j, "first_names");
  in.birth_date = Str(j, "birth_date");
  in.birth_year = Str(j, "birth_year");
  in.gender = Str(j, "gender");
  in.phone = Str(j, "phone");
  in.email = Str(j, "email");
  in.address_line = Str(j, "address_line");
  in.postal_code = Str(j, "postal_code");
  in.city = Str(j, "city");
  in.language = Str(j, "language");
  in.interpreter_needed = Bool(j, "interpreter_needed");
  in.contact_preferences = Strings(j, "contact_preferences");
  in.availability = Str(j, "availability");
  in.adaptations = Str(j, "adaptations");
  in.carer = Str(j, "carer");
  in.situations = Strings(j, "situations");
  in.procedures = Strings(j, "procedures");
  in.digital_difficulties = Strings(j, "digital_difficulties");
  in.difficulties = Str(j, "difficulties");
  in.presumed_rights = Strings(j, "presumed_rights");
  in.reason = Str(j, "reason");
  in.urgency = Str(j, "urgency");
  in.urgency_reason = Str(j, "urgency_reason");
  in.tripartite_requested = Bool(j, "tripartite_requested");
  in.tripartite_availability = Str(j, "tripartite_availability");
  in.consent_given = Bool(j, "consent_given");
  in.consent_date = Str(j, "consent_date");
  in.consent_how = Str(j, "consent_how");
  return in;
}

json ReferralFormView(const domain::ReferralInput& in, const domain::ReferenceData& ref) {
  const auto& v = ref.vocabularies;
  json out;
  out["values"] = ReferralInputToJson(in);
  out["genders"] = Options(v.genders, in.gender);
  out["languages"] = Options(v.languages, in.language.empty() ? "fr" : in.language);
  out["consent_methods"] = Choices(v.consent_methods, {in.consent_how}, "consent.how");
  out["contact_preferences"] =
      Choices(v.contact_preferences, in.contact_preferences, "person.contact_preferences");
  out["situations"] = Choices(v.situations, in.situations, "reasons.situations");
  out["digital_difficulties"] =
      Choices(v.digital_difficulties, in.digital_difficulties, "reasons.digital_difficulties");
  // Procedures grouped by domain, for the list with its search box.
  json groups = json::array();
  for (const auto& d : ref.procedures.domains.items) {
    json items = json::array();
    for (const auto& p : ref.procedures.procedures) {
      if (p.domain != d.code) {
        continue;
      }
      const bool checked =
          std::find(in.procedures.begin(), in.procedures.end(), p.code) != in.procedures.end();
      items.push_back({{"value", p.code},
                       {"label", p.label},
                       {"organisation", p.organisation},
                       {"id", "f-reasons-procedures-" + p.code},
                       {"search", text::FoldForSearch(p.label + " " + p.organisation + " " +
                                                      p.code + " " + p.site)},
                       {"checked", checked}});
    }
    if (!items.empty()) {
      groups.push_back({{"label", d.label}, {"procedures", items}});
    }
  }
  out["procedure_groups"] = groups;
  json rights = json::array();
  for (const auto& p : ref.procedures.procedures) {
    if (p.opens_right) {
      rights.push_back({{"value", p.code},
                        {"label", p.label},
                        {"name", "reasons.presumed_unclaimed_rights"},
                        {"id", "f-reasons-presumed_unclaimed_rights-" + p.code},
                        {"checked", std::find(in.presumed_rights.begin(), in.presumed_rights.end(),
                                              p.code) != in.presumed_rights.end()}});
    }
  }
  out["rights"] = rights;
  json urgencies = json::array();
  const std::string urgency = in.urgency.empty() ? "0" : in.urgency;
  for (int u = 0; u <= 3; ++u) {
    urgencies.push_back(
        {{"value", std::to_string(u)},
         {"label", std::to_string(u) + " – " + std::string(domain::UrgencyLabel(u))},
         {"id", "f-urgency-" + std::to_string(u)},
         {"checked", urgency == std::to_string(u)}});
  }
  out["urgencies"] = urgencies;
  return out;
}

domain::ReferralInput ReferralInputFromApi(const json& body, domain::FieldErrors& errors) {
  domain::ReferralInput in;
  ApiReader r(errors);
  if (!body.is_object()) {
    errors.push_back({"", "Le corps de la requête doit être un objet JSON."});
    return in;
  }
  const json* referrer = r.Object(body, "referrer", "referrer");
  r.String(referrer, "name", "referrer.name", in.referrer_name);
  r.String(referrer, "email", "referrer.email", in.referrer_email);
  r.String(referrer, "phone", "referrer.phone", in.referrer_phone);
  r.String(referrer, "function", "referrer.function", in.referrer_function);
  const json* person = r.Object(body, "person", "person");
  if (!person) {
    errors.push_back({"person", "L’objet person est obligatoire."});
  }
  r.String(person, "last_name", "person.last_name", in.last_name);
  r.String(person, "usage_name", "person.usage_name", in.usage_name);
  r.String(person, "first_name", "person.first_name", in.first_names);
  r.String(person, "birth_date", "person.birth_date", in.birth_date);
  r.Integer(person, "birth_year", "person.birth_year", in.birth_year);
  r.String(person, "gender", "person.gender", in.gender);
  r.String(person, "phone", "person.phone", in.phone);
  r.String(person, "email", "person.email", in.email);
  const json* address = person ? r.Object(*person, "address", "person.address") : nullptr;
  r.String(address, "line", "person.address.line", in.address_line);
  r.String(address, "postal_code", "person.address.postal_code", in.postal_code);
  r.String(address, "city", "person.address.city", in.city);
  r.String(person, "language", "person.language", in.language);
  r.Boolean(person, "interpreter_needed", "person.interpreter_needed", in.interpreter_needed);
  r.StringList(person, "contact_preferences", "person.contact_preferences", in.contact_preferences);
  r.String(person, "availability", "person.availability", in.availability);
  r.String(person, "adaptations", "person.adaptations", in.adaptations);
  r.String(person, "carer", "person.carer", in.carer);
  const json* reasons = r.Object(body, "reasons", "reasons");
  r.StringList(reasons, "procedures", "reasons.procedures", in.procedures);
  r.String(reasons, "difficulties", "reasons.difficulties", in.difficulties);
  r.StringList(reasons, "presumed_unclaimed_rights", "reasons.presumed_unclaimed_rights",
               in.presumed_rights);
  r.StringList(reasons, "situations", "reasons.situations", in.situations);
  r.StringList(reasons, "digital_difficulties", "reasons.digital_difficulties",
               in.digital_difficulties);
  r.String(reasons, "motive", "reasons.motive", in.reason);
  r.Integer(&body, "urgency", "urgency", in.urgency);
  r.String(&body, "urgency_reason", "urgency_reason", in.urgency_reason);
  r.Boolean(&body, "tripartite_requested", "tripartite_requested", in.tripartite_requested);
  r.String(&body, "tripartite_availability", "tripartite_availability", in.tripartite_availability);
  const json* consent = r.Object(body, "consent", "consent");
  if (!consent) {
    errors.push_back(
        {"consent",
         "L’objet consent est obligatoire : l’accord de la personne conditionne l’orientation."});
  }
  r.Boolean(consent, "given", "consent.given", in.consent_given);
  r.String(consent, "date", "consent.date", in.consent_date);
  r.String(consent, "how", "consent.how", in.consent_how);
  return in;
}

}  // namespace allervers::web
