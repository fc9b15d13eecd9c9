#include "domain/letter.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"
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

// "Vous pouvez lire votre dossier…": the rights every letter reminds of.
std::string RightsSentence(const Letterhead& head) {
  return "Vous pouvez lire votre dossier, le faire corriger ou demander qu’il soit effacé" +
         std::string(head.privacy_contact.empty() ? "." : " : " + head.privacy_contact + ".");
}

// The text with no-break spaces, so that it stays on one line.
std::string NoBreak(const std::string& s) {
  std::string out;
  for (char c : s) {
    out += c == ' ' ? std::string("\u00A0") : std::string(1, c);
  }
  return out;
}

// What the person reads about a procedure of the case, or nothing for one that was not
// carried through with us (to do, in progress, oriented elsewhere, abandoned). Amounts are
// left out: they change, and the organisation's own letter says them.
std::string ProcedureSentence(const ClosedProcedure& p) {
  if (p.outcome == RightOutcome::kOpened) {
    return p.label + " : droit ouvert.";
  }
  if (p.outcome == RightOutcome::kPending || p.status == ProcedureStatus::kFiled) {
    return p.label + " : demande envoyée, en attente de la réponse.";
  }
  if (p.status == ProcedureStatus::kCompleted) {
    return p.label + " : démarche faite.";
  }
  if (p.status == ProcedureStatus::kToFinishAlone) {
    return p.label + " : à terminer par vous-même.";
  }
  return "";
}

}  // namespace

LetterText Addressed(const Letterhead& head, const std::string& gender,
                     const std::string& first_names, const std::string& last_name,
                     const std::string& address_line, const std::string& postal_code,
                     const std::string& city, Instant today_instant) {
  LetterText t;
  t.head = head;
  const std::string civility = Civility(gender);
  const std::string name = text::Trim(first_names + " " + text::ToUpper(last_name));
  t.recipient_lines.push_back(civility == "Madame, Monsieur" ? name : civility + " " + name);
  if (!address_line.empty()) {
    t.recipient_lines.push_back(address_line);
  }
  t.recipient_lines.push_back(text::Trim(postal_code + " " + text::ToUpper(city)));
  t.salutation =
      (civility == "Madame, Monsieur" ? "Bonjour " + name : civility + " " + last_name) + ",";
  const std::string today = paris::FormatLongDate(paris::Today(today_instant));  // "lundi 30 …"
  t.place_and_date = head.city + ", le " + today.substr(today.find(' ') + 1);
  return t;
}

LetterText ComposeAppointmentLetter(const LetterFacts& f) {
  LetterText t = Addressed(f.head, f.gender, f.first_names, f.last_name, f.address_line,
                           f.postal_code, f.city, f.today);
  const Appointment& a = f.appointment;
  // The blocks, in reading order; their headings are part of the letter's wording.
  std::vector<std::string> who;
  std::vector<std::string> when;
  std::vector<std::string> where;
  std::vector<std::string> why;
  std::vector<std::string> to_prepare;
  std::vector<std::string> change;
  std::vector<std::string> privacy;

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
    who.push_back(f.worker_names[i] + (role.empty() ? "" : ", " + role) + ".");
  }
  if (!f.referrer_name.empty()) {
    who.push_back(f.referrer_name +
                  (f.referring_structure.empty() ? "" : ", du " + f.referring_structure) +
                  ", sera là aussi.");
  }
  if (home) {
    who.push_back("Nous vous montrerons notre carte professionnelle.");
  }

  // Quand
  const std::string day = paris::FormatLongDate(a.starts_at);
  when.push_back("Le " + day + ", " + ApproximateTime(a.starts_at, a.place) + ".");
  if (home) {
    when.push_back("Nous pouvons arriver un peu avant ou un peu après.");
  }
  when.push_back("Le rendez-vous dure environ " + Duration(a.starts_at, a.ends_at) + ".");

  // Où
  switch (a.place) {
    case PlaceKind::kHome:
      where.push_back("Chez vous :");
      break;
    case PlaceKind::kPhone:
      where.push_back("Par téléphone. Nous vous appelons.");
      break;
    case PlaceKind::kVideo:
      where.push_back("En vidéo. Nous vous enverrons le lien par SMS ou par e-mail.");
      break;
    default:
      where.push_back((a.place_label.empty() ? std::string("Au lieu suivant") : a.place_label) +
                      " :");
  }
  if (IsInPerson(a.place)) {
    where.back() += " " + (a.address_line.empty() ? std::string() : a.address_line + ", ") +
                    text::Trim(a.postal_code + " " + a.city) + ".";
  }

  // Pourquoi
  if (!f.referring_structure.empty()) {
    why.push_back("Le " + f.referring_structure + " nous a demandé de vous aider.");
  }
  why.push_back("Nous allons " + [&] {
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
  why.push_back("Ce rendez-vous est gratuit.");
  why.push_back("Vous êtes libre de l’accepter ou non.");

  // Ce qu'il faut préparer
  AddUnique(to_prepare, "Votre pièce d’identité ou votre titre de séjour.");
  for (const auto* p : f.procedures) {
    if (p == nullptr) {
      continue;
    }
    for (const auto& pre : p->prerequisites) {
      AddUnique(to_prepare, ToBringFromPrerequisite(pre));
    }
    for (const auto& doc : p->documents) {
      if (text::FoldForSearch(doc).find("identite") != std::string::npos) {
        continue;  // asked once, first of the list
      }
      std::string d = doc;
      if (!d.empty() && d.back() != '.') {
        d += ".";
      }
      AddUnique(to_prepare, d);
    }
    AddUnique(to_prepare, "Les derniers courriers reçus de : " + p->organisation + ".");
  }
  for (const auto& line : Lines(a.to_bring)) {
    std::string l = text::Trim(line);
    if (!l.empty()) {
      AddUnique(to_prepare, l.back() == '.' ? l : l + ".");
    }
  }
  if (home) {
    AddUnique(to_prepare,
              "Votre téléphone portable, votre tablette ou votre ordinateur, avec le chargeur.");
  }
  to_prepare.push_back(
      "Vos codes et mots de passe si vous les connaissez. Ne les écrivez pas sur ce courrier.");

  // Pour changer le rendez-vous
  if (!f.head.phone.empty()) {
    change.push_back("Appelez-nous au " + f.head.phone + ".");
    if (!f.head.phone_hours.empty()) {
      change.push_back("Nous répondons " + f.head.phone_hours + ".");
    }
  }
  if (!f.head.sms_phone.empty()) {
    change.push_back("Vous pouvez aussi envoyer un SMS au " + f.head.sms_phone + ".");
  }
  change.push_back("Prévenez-nous si vous ne pouvez pas venir : nous fixerons un autre jour.");

  // Vos données
  privacy.push_back("Nous notons dans un dossier ce que nous faisons avec vous.");
  privacy.push_back("Seule notre équipe peut lire ce dossier.");
  privacy.push_back("Nous ne partageons rien sans votre accord.");
  privacy.push_back(RightsSentence(f.head));

  t.blocks = {{"Qui vient", std::move(who)},
              {"Quand", std::move(when)},
              {"Où", std::move(where)},
              {"Pourquoi", std::move(why)},
              {"Ce qu’il faut préparer", std::move(to_prepare), true},
              {"Pour changer le rendez-vous", std::move(change)},
              {"Vos données", std::move(privacy)}};

  if (!f.worker_names.empty()) {
    t.signature_name = f.worker_names.front();
    t.signature_role = f.worker_roles.empty() ? "" : f.worker_roles.front();
  }
  return t;
}

bool ClosureLetterAllowed(std::string_view reason) { return reason != "deces"; }

LetterText ComposeClosureLetter(const ClosureLetterFacts& f) {
  if (!ClosureLetterAllowed(f.reason)) {
    throw Error(ErrorCode::kConflict,
                "Aucun courrier de fin d’accompagnement n’est écrit après un décès.",
                "closure letter refused for reason " + f.reason);
  }
  LetterText t = Addressed(f.head, f.gender, f.first_names, f.last_name, f.address_line,
                           f.postal_code, f.city, f.today);
  t.subject = "Fin de notre accompagnement";

  std::vector<std::string> end;
  end.push_back("Notre accompagnement s’est terminé le " + paris::FormatLongDate(f.closed_on) +
                ".");
  if (f.reason == "objectifs_atteints") {
    end.push_back("Ensemble, nous avons fait les démarches prévues.");
    end.push_back("Merci pour votre confiance.");
  } else if (f.reason == "orientation") {
    end.push_back("Un partenaire peut maintenant mieux vous aider.");
  } else if (f.reason == "injoignable") {
    end.push_back("Nous avons essayé de vous joindre plusieurs fois.");
    end.push_back("Nous n’avons pas eu de réponse.");
  } else if (f.reason == "refus") {
    end.push_back("Vous nous avez dit que vous ne voulez plus de notre aide.");
    end.push_back("Nous respectons votre choix.");
  } else if (f.reason == "demenagement") {
    end.push_back("Vous nous avez dit que vous déménagez.");
    end.push_back(
        "Dans votre nouvelle commune, la mairie ou un espace France services peut vous aider.");
  } else if (f.reason != "autre" && !f.reason_label.empty()) {
    // A reason added to the vocabulary after this letter was written: its label says it.
    end.push_back("Motif : " + f.reason_label + ".");
  }

  std::vector<std::string> done;
  for (const auto& p : f.procedures) {
    AddUnique(done, ProcedureSentence(p));
  }

  std::vector<std::string> help;
  for (const auto& o : f.orientations) {
    if (!o.partner.empty()) {
      std::string reason = text::Trim(o.reason);
      if (!reason.empty() && reason.back() == '.') {
        reason.pop_back();
      }
      help.push_back(o.partner + (reason.empty() ? "" : " : " + reason) + ".");
    }
  }
  if (!f.referrer_name.empty()) {
    help.push_back("Pour vos autres questions, contactez " + f.referrer_name +
                   (f.referring_structure.empty() ? "" : ", " + f.referring_structure) + ".");
  } else if (!f.referring_structure.empty()) {
    help.push_back("Pour vos autres questions, contactez : " + f.referring_structure + ".");
  }

  std::vector<std::string> back;
  back.push_back(f.reason == "refus"         ? "Vous changez d’avis ?"
                 : f.reason == "injoignable" ? "Vous voulez encore notre aide ?"
                                             : "Vous avez besoin d’aide plus tard ?");
  if (!f.head.phone.empty()) {
    // A phone number split over two lines is easily misread.
    back.push_back("Vous pouvez nous rappeler au " + NoBreak(f.head.phone) + ".");
    if (!f.head.phone_hours.empty()) {
      back.push_back("Nous répondons " + f.head.phone_hours + ".");
    }
  } else {
    back.push_back("Écrivez-nous à l’adresse en haut de ce courrier.");
  }
  back.push_back("Nous verrons ensemble comment vous aider.");

  std::vector<std::string> privacy;
  if (f.retention_months && *f.retention_months > 0) {
    privacy.push_back("Votre dossier est conservé " + MonthsInWords(*f.retention_months) +
                      " après notre dernier contact, puis anonymisé.");
    privacy.push_back(
        "Anonymisé veut dire : plus personne ne peut savoir que ce dossier parle "
        "de vous.");
  }
  privacy.push_back(RightsSentence(f.head));

  t.blocks = {{"Fin de l’accompagnement", std::move(end)},
              {"Ce que nous avons fait ensemble", std::move(done)},
              {"Qui peut vous aider maintenant", std::move(help)},
              {"Pour revenir vers nous", std::move(back)},
              {"Vos données", std::move(privacy)}};
  t.signature_name = f.worker_name.empty() ? f.head.name : f.worker_name;
  t.signature_role = f.worker_name.empty() ? "" : f.worker_role;
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

std::string MonthsInWords(int months) {
  if (months % 12 == 0) {
    const int years = months / 12;
    return years == 1 ? "1 an" : fmt::format("{} ans", years);
  }
  return fmt::format("{} mois", months);
}

LetterText ComposePrivacyNotice(const PrivacyNoticeFacts& f) {
  LetterText t = Addressed(f.head, f.gender, f.first_names, f.last_name, f.address_line,
                           f.postal_code, f.city, f.today);
  t.subject = "Vos informations personnelles et vos droits";
  const std::string controller = f.controller.empty() ? f.head.name : f.controller;
  t.blocks = {
      {"Qui garde vos informations",
       {"L’équipe mobile numérique note des informations sur vous pour vous aider.",
        "Le responsable de ces informations est " + controller + "."}},
      {"Pourquoi nous les notons",
       {"Pour vous aider à faire vos démarches sur Internet.",
        "Pour préparer nos rendez-vous avec vous.",
        "Pour vous orienter vers d’autres services, si vous êtes d’accord.",
        "Pour compter notre travail, sans votre nom."}},
      {"Ce que nous notons",
       {"Votre nom, votre adresse et votre téléphone.",
        "Ce qui est utile pour vous aider : vos démarches, vos rendez-vous.",
        "Nous ne notons jamais vos mots de passe.",
        "Nous ne notons pas votre numéro de sécurité sociale."}},
      {"Qui peut les voir",
       {"L’équipe qui vous aide.",
        "La personne qui nous a demandé de vous aider voit où en est votre demande.",
        "Le Département voit seulement des chiffres, sans aucun nom."}},
      {"Combien de temps",
       {"Nous gardons vos informations " + MonthsInWords(f.retention_months) +
            " après notre dernier contact avec vous.",
        "Ensuite, elles sont anonymisées : plus personne ne peut savoir qu’elles parlent de "
        "vous."}},
      {"Vos droits",
       {"Vous pouvez voir toutes les informations sur vous.", "Vous pouvez les faire corriger.",
        "Vous pouvez demander de les effacer, quand la loi le permet.",
        "Vous pouvez refuser que nous les utilisions, ou demander d’en limiter l’usage.",
        "Nous vous répondons dans un délai d’un mois.",
        f.head.privacy_contact.empty()
            ? "Demandez-le à l’équipe qui vous aide."
            : "Demandez-le à l’équipe qui vous aide, ou ici : " + f.head.privacy_contact + "."}},
      {"Si vous n’êtes pas d’accord",
       {"Vous pouvez vous plaindre à la CNIL, la Commission nationale de l’informatique et des "
        "libertés.",
        "Par Internet : www.cnil.fr.",
        "Par courrier : CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07."}},
  };
  t.signature_name = f.head.name;
  return t;
}

}  // namespace allervers::domain
