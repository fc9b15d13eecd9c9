#include "domain/letter.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/text.hpp"

namespace allervers::domain {
namespace {

std::string Civility(const std::string& gender) {
  if (gender == "femme") {
    return "Madame";
  }
  if (gender == "homme") {
    return "Monsieur";
  }
  return "Madame, Monsieur";
}

std::string Duration(Instant a, Instant b) {
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(b - a).count();
  const auto h = minutes / 60;
  const auto m = minutes % 60;
  if (h == 0) {
    return fmt::format("{} minutes", m);
  }
  const std::string hours = h == 1 ? "1 heure" : fmt::format("{} heures", h);
  return m == 0 ? hours : fmt::format("{} {}", hours, m);
}

void AddUnique(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) {
    v.push_back(s);
  }
}

// The catalogue's prerequisites say what the person needs; the letter says what to bring,
// in the person's words. Accounts are not asked for: their codes must never be written down.
std::string ToBringFromPrerequisite(const std::string& p) {
  if (p == "Carte Vitale") {
    return "Votre carte Vitale.";
  }
  if (p == "Smartphone" || p == "Téléphone mobile pour la récupération") {
    return "Votre téléphone portable et son chargeur.";
  }
  if (p == "Décision de la MDPH") {
    return "Le dernier courrier de la MDPH.";
  }
  return "";
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == '\n') {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}

}  // namespace

LetterText ComposeAppointmentLetter(const LetterFacts& f) {
  LetterText t;
  const Appointment& a = f.appointment;
  const std::string civility = Civility(f.gender);
  const std::string name = text::Trim(f.first_names + " " + text::ToUpper(f.last_name));
  t.recipient_lines.push_back(civility == "Madame, Monsieur" ? name : civility + " " + name);
  if (!f.address_line.empty()) {
    t.recipient_lines.push_back(f.address_line);
  }
  t.recipient_lines.push_back(text::Trim(f.postal_code + " " + text::ToUpper(f.city)));
  t.salutation =
      (civility == "Madame, Monsieur" ? "Bonjour " + name : civility + " " + f.last_name) + ",";
  const std::string today = paris::FormatLongDate(paris::Today(f.today));  // "lundi 30 …"
  t.place_and_date = f.head.city + ", le " + today.substr(today.find(' ') + 1);

  const bool home = a.place == PlaceKind::kHome;
  switch (a.place) {
    case PlaceKind::kHome:
      t.subject = "Rendez-vous chez vous pour vous aider avec Internet et vos papiers";
      break;
    case PlaceKind::kPhone:
      t.subject = "Rendez-vous par téléphone pour vous aider avec Internet et vos papiers";
      break;
    case PlaceKind::kVideo:
      t.subject = "Rendez-vous en vidéo pour vous aider avec Internet et vos papiers";
      break;
    default:
      t.subject = "Rendez-vous pour vous aider avec Internet et vos papiers";
  }

  // Qui vient
  for (std::size_t i = 0; i < f.worker_names.size(); ++i) {
    const std::string role = i < f.worker_roles.size() ? f.worker_roles[i] : "";
    t.who.push_back(f.worker_names[i] + (role.empty() ? "" : ", " + role) + ".");
  }
  if (!f.referrer_name.empty()) {
    t.who.push_back(f.referrer_name +
                    (f.referring_structure.empty() ? "" : ", du " + f.referring_structure) +
                    ", sera là aussi.");
  }
  if (home) {
    t.who.push_back("Nous vous montrerons notre carte professionnelle.");
  }

  // Quand
  const std::string day = paris::FormatLongDate(a.starts_at);
  t.when.push_back("Le " + day + ", " + ApproximateTime(a.starts_at, a.place) + ".");
  if (home) {
    t.when.push_back("Nous pouvons arriver un peu avant ou un peu après.");
  }
  t.when.push_back("Le rendez-vous dure environ " + Duration(a.starts_at, a.ends_at) + ".");

  // Où
  switch (a.place) {
    case PlaceKind::kHome:
      t.where.push_back("Chez vous :");
      break;
    case PlaceKind::kPhone:
      t.where.push_back("Par téléphone. Nous vous appelons.");
      break;
    case PlaceKind::kVideo:
      t.where.push_back("En vidéo. Nous vous enverrons le lien par SMS ou par e-mail.");
      break;
    default:
      t.where.push_back((a.place_label.empty() ? std::string("Au lieu suivant") : a.place_label) +
                        " :");
  }
  if (IsInPerson(a.place)) {
    t.where.back() += " " + (a.address_line.empty() ? std::string() : a.address_line + ", ") +
                      text::Trim(a.postal_code + " " + a.city) + ".";
  }

  // Pourquoi
  if (!f.referring_structure.empty()) {
    t.why.push_back("Le " + f.referring_structure + " nous a demandé de vous aider.");
  }
  t.why.push_back("Nous allons " + [&] {
    std::string p = a.purpose;
    if (!p.empty() && p.back() == '.') {
      p.pop_back();
    }
    // "Faire la demande de RSA" → "faire la demande de RSA" after "Nous allons".
    if (!p.empty() && p[0] >= 'A' && p[0] <= 'Z') {
      p[0] = static_cast<char>(p[0] - 'A' + 'a');
    }
    return p;
  }() + " avec vous.");
  t.why.push_back("Ce rendez-vous est gratuit.");
  t.why.push_back("Vous êtes libre de l’accepter ou non.");

  // Ce qu'il faut préparer
  AddUnique(t.to_prepare, "Votre pièce d’identité ou votre titre de séjour.");
  for (const auto* p : f.procedures) {
    if (p == nullptr) {
      continue;
    }
    for (const auto& pre : p->prerequisites) {
      AddUnique(t.to_prepare, ToBringFromPrerequisite(pre));
    }
    for (const auto& doc : p->documents) {
      if (text::FoldForSearch(doc).find("identite") != std::string::npos) {
        continue;  // asked once, first of the list
      }
      std::string d = doc;
      if (!d.empty() && d.back() != '.') {
        d += ".";
      }
      AddUnique(t.to_prepare, d);
    }
    AddUnique(t.to_prepare, "Les derniers courriers reçus de : " + p->organisation + ".");
  }
  for (const auto& line : Lines(a.to_bring)) {
    std::string l = text::Trim(line);
    if (!l.empty()) {
      AddUnique(t.to_prepare, l.back() == '.' ? l : l + ".");
    }
  }
  if (home) {
    AddUnique(t.to_prepare,
              "Votre téléphone portable, votre tablette ou votre ordinateur, avec le chargeur.");
  }
  t.to_prepare.push_back(
      "Vos codes et mots de passe si vous les connaissez. Ne les écrivez pas sur ce courrier.");

  // Pour changer le rendez-vous
  if (!f.head.phone.empty()) {
    t.change.push_back("Appelez-nous au " + f.head.phone + ".");
    if (!f.head.phone_hours.empty()) {
      t.change.push_back("Nous répondons " + f.head.phone_hours + ".");
    }
  }
  if (!f.head.sms_phone.empty()) {
    t.change.push_back("Vous pouvez aussi envoyer un SMS au " + f.head.sms_phone + ".");
  }
  t.change.push_back("Prévenez-nous si vous ne pouvez pas venir : nous fixerons un autre jour.");

  // Vos données
  t.privacy.push_back("Nous notons dans un dossier ce que nous faisons avec vous.");
  t.privacy.push_back("Seule notre équipe peut lire ce dossier.");
  t.privacy.push_back("Nous ne partageons rien sans votre accord.");
  t.privacy.push_back(
      "Vous pouvez lire votre dossier, le faire corriger ou demander qu’il soit effacé" +
      std::string(f.head.privacy_contact.empty() ? "." : " : " + f.head.privacy_contact + "."));

  if (!f.worker_names.empty()) {
    t.signature_name = f.worker_names.front();
    t.signature_role = f.worker_roles.empty() ? "" : f.worker_roles.front();
  }
  return t;
}

std::string ReminderSms(const Letterhead& head, const Appointment& a) {
  const std::string when =
      paris::FormatLongDate(a.starts_at) + " " + ApproximateTime(a.starts_at, a.place);
  std::string s;
  switch (a.place) {
    case PlaceKind::kHome:
      s = "Rappel : " + head.name + " vient chez vous le " + when + ".";
      break;
    case PlaceKind::kPhone:
      s = "Rappel : " + head.name + " vous appelle le " + when + ".";
      break;
    default:
      s = "Rappel : rendez-vous avec " + head.name + " le " + when + ".";
  }
  if (!head.phone.empty()) {
    s += " Pour changer : " + head.phone + ".";
  }
  return s;
}

std::string ReminderEmail(const Letterhead& head, const Appointment& a,
                          const std::string& first_names) {
  std::string s = "Bonjour" + (first_names.empty() ? std::string() : " " + first_names) + ",\n\n";
  s += "Nous vous rappelons votre rendez-vous avec " + head.name + ".\n\n";
  s += "Quand : le " + paris::FormatLongDate(a.starts_at) + " " +
       ApproximateTime(a.starts_at, a.place) + ".\n";
  if (IsInPerson(a.place)) {
    s += "Où : " +
         (a.place == PlaceKind::kHome ? std::string("chez vous, ") : a.place_label + ", ") +
         a.address_line + ", " + a.postal_code + " " + a.city + ".\n";
  } else {
    s += "Comment : " + std::string(PlaceLabel(a.place)) + ".\n";
  }
  if (!head.phone.empty()) {
    s += "\nPour changer ou annuler, appelez le " + head.phone + ".\n";
  }
  s += "\n" + head.name + "\n";
  return s;
}

}  // namespace allervers::domain
