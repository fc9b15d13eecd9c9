// The permission matrix (issue 7, point 4): one table, one row per route, one expected answer per
// actor. Every page and API endpoint declared with router.Page / router.Api in src/web/** is here,
// exports, PDFs, the calendar feed and /metrics included. It signs in as every role, as a
// prescripteur of another SSD and as a team of another operator (EMN-PONTOISE, created below), and
// checks the exact status of each request. A record of another structure answers 404, never 403,
// so that nothing can be enumerated (docs/security.md §4).
//
// No browser: plain fetch with one cookie jar per actor, one server, every actor signed in once,
// requests in parallel batches.
//
// POST: every actor that may NOT do it is sent the request with a valid CSRF token of its own
// session and must get 403 (404 for another structure's record, 303 to /connexion when
// anonymous), and the database must be unchanged afterwards (every table but the audit trail,
// sessions and sign-in throttling, compared route by route). Allowed actors are not sent
// mutating POSTs: their cells say `S` (skip) — those actions are tested in the other browser
// files and in tests/integration/.
//
// A cell whose actual answer is a bug holds the CORRECT answer; the bug is listed in `knownBugs`
// below and its check is marked `todo`, so that the suite stays green and the bug stays visible.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { startServer, accounts, demoPassword } from "./support/harness.mjs";

// ─── Legend ──────────────────────────────────────────────────────────────────────────────────────
// 200, 403, 404, 401…  the exact status.
// L                    303 to /connexion (anonymous; a GET goes to /connexion?suite=<path>).
// H                    303 to / (the sign-in page, already signed in).
// S                    skip: the actor may do it and the POST would change data (tested elsewhere).
// "→/path"             303 to that path (ids like :draft are replaced).
const L = "L";
const H = "H";
const S = "S";

// ─── Actors ──────────────────────────────────────────────────────────────────────────────────────
// anon    nobody signed in
// admin   admin@allervers.example
// coord   coordinateur of EMN-CERGY (coordination@emn-cergy.example)
// inter   intervenant of EMN-CERGY (yanis.benali@emn-cergy.example), assigned to the case
// presc   prescripteur of SSD-CERGY (as.cergy@ssd95.example), who sent the fiches below
// prescX  prescripteur of another structure, SSD-PONTOISE (as.pontoise@ssd95.example)
// pilote  pilote of SSD-CERGY (responsable.territoire@ssd95.example)
// coordX  coordinateur of another team, EMN-PONTOISE (created here)
// interX  intervenant of another team, EMN-PONTOISE (created here)
const actors = ["anon", "admin", "coord", "inter", "presc", "prescX", "pilote", "coordX", "interX"];

// ─── Records (ids read from the demo database in `before`) ────────────────────────────────────────
// :ref      a fiche of EMN-CERGY sent by SSD-CERGY, accepted, in progress (bilan, démarche, orientation)
// :person   its person
// :closed   a closed fiche of SSD-CERGY with two bilans, a point d'étape and a tripartite meeting
// :deleg    a fiche of SSD-CERGY whose follow-up is delegated, with a quarterly report
// :received a fiche of SSD-CERGY received, not triaged yet
// :draft    a draft of as.cergy@ssd95.example
// :refX     a fiche of EMN-CERGY sent by SSD-PONTOISE (another referrer)
// :personX  its person
// :appt     a planned tripartite appointment of a SSD-CERGY fiche, as.cergy invited
// :apptPlain an honoured appointment of :ref, no referrer invited
// :bilan :proc :orient :review :quarterly :mandate  records of the fiches above
// :rq       a rights request of :person      :import  a CSV import of the EMN-CERGY coordinator
// :teamUser Léa Nguyen (intervenant, EMN-CERGY)  :prescUser as.cergy (prescripteur, SSD-CERGY)
// :structure SSD-CERGY   :service a partner service   :token an API token   :feed a calendar feed

// ─── Pages ──────────────────────────────────────────────────────────────────────────────────────
// prettier-ignore
const pages = [
// method path                                        label                                anon admin coord inter presc prscX pilot cordX intrX
// — public, health, sign-in
["GET",  "/connexion",                                "sign-in form",                      200, H,   H,   H,   H,   H,   H,   H,   H  ],
["POST", "/connexion",                                "sign in",                           S,   S,   S,   S,   S,   S,   S,   S,   S  ],
["POST", "/deconnexion",                              "sign out",                          L,   S,   S,   S,   S,   S,   S,   S,   S  ],
["GET",  "/mot-de-passe",                             "change password form",              L,   200, 200, 200, 200, 200, 200, 200, 200],
["POST", "/mot-de-passe",                             "change password",                   L,   S,   S,   S,   S,   S,   S,   S,   S  ],
["GET",  "/double-authentification",                  "two-factor enrolment / state",      L,   200, 200, 200, 200, 200, 200, 200, 200],
["POST", "/double-authentification",                  "two-factor enrolment",              L,   S,   S,   S,   S,   S,   S,   S,   S  ],
["GET",  "/connexion/proconnect",                     "ProConnect sign-in (not configured)", 404, H,   H,   H,   H,   H,   H,   H,   H  ],
["GET",  "/connexion/proconnect/retour",              "ProConnect's answer (not configured)", 400, H,  H,   H,   H,   H,   H,   H,   H  ],
["GET",  "/connexion/code",                           "second-factor form (signed in: home)", L, H,   H,   H,   H,   H,   H,   H,   H  ],
["POST", "/connexion/code",                           "second factor (signed in: home)",   L,   H,   H,   H,   H,   H,   H,   H,   H  ],
["GET",  "/",                                         "home",                              L,   200, 200, 200, 200, 200, 200, 200, 200],
["GET",  "/accessibilite",                            "accessibility statement",           200, 200, 200, 200, 200, 200, 200, 200, 200],
["GET",  "/confidentialite",                          "privacy notice",                    200, 200, 200, 200, 200, 200, 200, 200, 200],
["GET",  "/healthz",                                  "liveness",                          200, 200, 200, 200, 200, 200, 200, 200, 200],
["GET",  "/readyz",                                   "readiness",                         200, 200, 200, 200, 200, 200, 200, 200, 200],
["GET",  "/metrics",                                  "Prometheus metrics (from loopback)", 200, 200, 200, 200, 200, 200, 200, 200, 200],
// — administration
["GET",  "/admin/conservation",                       "retention",                         L,   200, 403, 403, 403, 403, 403, 403, 403],
["POST", "/admin/conservation/simulation",            "retention dry run",                 L,   S,   403, 403, 403, 403, 403, 403, 403],
["POST", "/admin/conservation/purge",                 "retention run",                     L,   S,   403, 403, 403, 403, 403, 403, 403],
["GET",  "/admin/reglages",                           "settings",                          L,   200, 403, 403, 403, 403, 403, 403, 403],
["POST", "/admin/reglages",                           "settings update",                   L,   S,   403, 403, 403, 403, 403, 403, 403],
["GET",  "/admin/structures",                         "structures",                        L,   200, 403, 403, 403, 403, 403, 403, 403],
["GET",  "/admin/structures/nouvelle",                "new structure form",                L,   200, 403, 403, 403, 403, 403, 403, 403],
["POST", "/admin/structures/nouvelle",                "create structure",                  L,   S,   403, 403, 403, 403, 403, 403, 403],
["GET",  "/admin/structures/:structure",              "structure",                         L,   200, 403, 403, 403, 403, 403, 403, 403],
["POST", "/admin/structures/:structure",              "structure update",                  L,   S,   403, 403, 403, 403, 403, 403, 403],
["POST", "/admin/structures/:structure/activation",   "structure (de)activation",          L,   S,   403, 403, 403, 403, 403, 403, 403],
["GET",  "/admin/utilisateurs",                       "accounts",                          L,   200, 200, 403, 403, 403, 403, 200, 403],
["GET",  "/admin/utilisateurs/nouveau",               "new account form",                  L,   200, 200, 403, 403, 403, 403, 200, 403],
["POST", "/admin/utilisateurs/nouveau",               "create account",                    L,   S,   S,   403, 403, 403, 403, S,   403],
["GET",  "/admin/utilisateurs/:teamUser",             "account of the team",               L,   200, 200, 403, 403, 403, 403, 404, 403],
["POST", "/admin/utilisateurs/:teamUser",             "account update",                    L,   S,   S,   403, 403, 403, 403, 404, 403],
["POST", "/admin/utilisateurs/:teamUser/activation",  "account (de)activation",            L,   S,   S,   403, 403, 403, 403, 404, 403],
["POST", "/admin/utilisateurs/:teamUser/mot-de-passe","account password reset",            L,   S,   S,   403, 403, 403, 403, 404, 403],
["POST", "/admin/utilisateurs/:teamUser/double-authentification","account second-factor reset", L, S, 403, 403, 403, 403, 403, 403, 403],
["GET",  "/admin/utilisateurs/:prescUser",            "account of a prescripteur",         L,   200, 404, 403, 403, 403, 403, 404, 403],
["POST", "/admin/utilisateurs/:prescUser",            "prescripteur account update",       L,   S,   404, 403, 403, 403, 403, 404, 403],
["GET",  "/admin/journal",                            "audit trail",                       L,   200, 403, 403, 403, 403, 403, 403, 403],
["GET",  "/admin/referentiels",                       "reference data",                    L,   200, 200, 403, 403, 403, 403, 200, 403],
["GET",  "/admin/jetons",                             "API tokens",                        L,   200, 403, 403, 403, 403, 403, 403, 403],
["POST", "/admin/jetons",                             "create API token",                  L,   S,   403, 403, 403, 403, 403, 403, 403],
["POST", "/admin/jetons/:token/revoquer",             "revoke API token",                  L,   S,   403, 403, 403, 403, 403, 403, 403],
// — referrals: the referrer's side
["GET",  "/fiches/nouvelle",                          "new fiche form",                    L,   403, 403, 403, 200, 200, 403, 403, 403],
["POST", "/fiches/nouvelle",                          "send fiche",                        L,   403, 403, 403, S,   S,   403, 403, 403],
["GET",  "/fiches/brouillon/:draft",                  "draft",                             L,   403, 403, 403, 200, 404, 403, 403, 403],
["POST", "/fiches/brouillon/:draft",                  "draft update",                      L,   403, 403, 403, S,   404, 403, 403, 403],
["GET",  "/fiches",                                   "my structure's fiches",             L,   403, 403, 403, 200, 200, 403, 403, 403],
["GET",  "/fiches/:ref/transmise",                    "fiche sent",                        L,   403, 403, 403, 200, 404, 403, 403, 403],
["GET",  "/fiches/:refX/transmise",                   "fiche sent (other referrer)",       L,   403, 403, 403, 404, 200, 403, 403, 403],
["POST", "/fiches/:ref/retirer",                      "withdraw fiche",                    L,   403, 403, 403, S,   404, 403, 403, 403],
["GET",  "/fiches/:ref",                              "fiche",                             L,   404, 200, 200, 200, 404, 404, 404, 404],
["GET",  "/fiches/:refX",                             "fiche (other referrer)",            L,   404, 200, 200, 404, 200, 404, 404, 404],
["GET",  "/fiches/:draft",                            "draft as a fiche",                  L,   404, 404, 404, "→/fiches/brouillon/:draft", 404, 404, 404, 404],
["GET",  "/invitations",                              "tripartite invitations",            L,   403, 403, 403, 200, 200, 403, 403, 403],
["POST", "/rendez-vous/:appt/reponse",                "answer tripartite invitation",      L,   403, 403, 403, S,   404, 403, 403, 403],
// — ids that do not exist: the same answer as another structure's record
["GET",  "/fiches/999999999",                         "unknown fiche",                     L,   404, 404, 404, 404, 404, 404, 404, 404],
["GET",  "/personnes/999999999",                      "unknown person",                    L,   403, 404, 404, 403, 403, 403, 404, 404],
["GET",  "/rendez-vous/999999999",                    "unknown appointment",               L,   403, 404, 404, 404, 404, 403, 404, 404],
["GET",  "/bilans-trimestriels/999999999.pdf",        "unknown quarterly report PDF",      L,   404, 404, 404, 404, 404, 404, 404, 404],
// — referrals: the team's side (triage)
["GET",  "/triage",                                   "triage inbox",                      L,   403, 200, 200, 403, 403, 403, 200, 200],
["GET",  "/fiches/:ref/personne",                     "person identity form",              L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/fiches/:ref/personne",                     "person identity update",            L,   403, S,   S,   403, 403, 403, 404, 404],
["POST", "/fiches/:received/accepter",                "accept fiche",                      L,   403, S,   403, 403, 403, 403, 404, 403],
["POST", "/fiches/:ref/confier",                      "reassign fiche",                    L,   403, S,   403, 403, 403, 403, 404, 403],
["POST", "/fiches/:received/non-recevable",           "fiche not receivable",              L,   403, S,   403, 403, 403, 403, 404, 403],
["POST", "/fiches/:received/reorienter",              "redirect fiche",                    L,   403, S,   403, 403, 403, 403, 404, 403],
["POST", "/fiches/:received/identite",                "resolve duplicate",                 L,   403, S,   403, 403, 403, 403, 404, 403],
// — CSV import
["GET",  "/import",                                   "CSV import form",                   L,   403, 200, 403, 403, 403, 403, 200, 403],
["POST", "/import",                                   "CSV upload",                        L,   403, S,   403, 403, 403, 403, S,   403],
["GET",  "/import/:import",                           "CSV import preview",                L,   403, 200, 403, 403, 403, 403, 404, 403],
["POST", "/import/:import/confirmer",                 "CSV import confirm",                L,   403, S,   403, 403, 403, 403, 404, 403],
["POST", "/import/:import/annuler",                   "CSV import cancel",                 L,   403, S,   403, 403, 403, 403, 404, 403],
// — contact and appointments
["GET",  "/fiches/:ref/contact",                      "contact attempt form",              L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/fiches/:ref/contact",                      "record contact attempt",            L,   403, S,   S,   403, 403, 403, 404, 404],
["GET",  "/fiches/:ref/rendez-vous",                  "new appointment form",              L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/fiches/:ref/rendez-vous",                  "create appointment",                L,   403, S,   S,   403, 403, 403, 404, 404],
// An appointment asks for the role first (agenda or tripartite invitations): admin and pilote get
// 403 for any id, existing or not, so nothing is enumerated (unlike /fiches/:ref, where they get 404).
["GET",  "/rendez-vous/:appt",                        "appointment (referrer invited)",    L,   403, 200, 200, 200, 404, 403, 404, 404],
["GET",  "/rendez-vous/:apptPlain",                   "appointment",                       L,   403, 200, 200, 404, 404, 403, 404, 404],
["GET",  "/rendez-vous/:appt/modifier",               "appointment edit form",             L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/rendez-vous/:appt/modifier",               "appointment update",                L,   403, S,   S,   403, 403, 403, 404, 404],
["GET",  "/rendez-vous/:appt/reporter",               "postpone form",                     L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/rendez-vous/:appt/reporter",               "postpone",                          L,   403, S,   S,   403, 403, 403, 404, 404],
["POST", "/rendez-vous/:appt/resultat",               "appointment outcome",               L,   403, S,   S,   403, 403, 403, 404, 404],
["GET",  "/rendez-vous/:appt/courrier.pdf",           "appointment letter PDF",            L,   403, 200, 200, 403, 403, 403, 404, 404],
["GET",  "/rendez-vous/:appt/rendez-vous.ics",        "appointment .ics",                  L,   403, 200, 200, 200, 404, 403, 404, 404],
["GET",  "/rendez-vous/:apptPlain/rendez-vous.ics",   "appointment .ics (no referrer)",    L,   403, 200, 200, 404, 404, 403, 404, 404],
["GET",  "/agenda",                                   "agenda",                            L,   403, 200, 200, 403, 403, 403, 200, 200],
["GET",  "/agenda/feuille-de-route",                  "day sheet",                         L,   403, 200, 200, 403, 403, 403, 200, 200],
["GET",  "/agenda/courriers.pdf?date=:apptDay",       "letters of the day PDF",            L,   403, 200, 200, 403, 403, 403, 404, 404],
["GET",  "/agenda/calendrier",                        "calendar feed settings",            L,   403, 200, 200, 403, 403, 403, 200, 200],
["POST", "/agenda/calendrier",                        "calendar feed renew/revoke",        L,   403, S,   S,   403, 403, 403, S,   S  ],
["GET",  "/calendrier/:feed.ics",                     "private calendar feed (.ics)",      200, 200, 200, 200, 200, 200, 200, 200, 200],
["GET",  "/calendrier/not-a-feed-token.ics",          "unknown calendar feed",             404, 404, 404, 404, 404, 404, 404, 404, 404],
// — the case
["GET",  "/echeances",                                "what is due",                       L,   403, 200, 200, 403, 403, 403, 200, 200],
["GET",  "/personnes/:person",                        "case page",                         L,   403, 200, 200, 403, 403, 403, 404, 404],
["GET",  "/personnes/:personX",                       "case page (other referrer)",        L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/fiches/:ref/notes",                        "add note",                          L,   403, S,   S,   403, 403, 403, 404, 404],
["GET",  "/fiches/:ref/interventions/nouvelle",       "new intervention form",             L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/fiches/:ref/interventions",                "record intervention",               L,   403, S,   S,   403, 403, 403, 404, 404],
["POST", "/fiches/:ref/demarches",                    "add procedure",                     L,   403, S,   S,   403, 403, 403, 404, 404],
["GET",  "/demarches/:proc",                          "procedure",                         L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/demarches/:proc",                          "procedure update",                  L,   403, S,   S,   403, 403, 403, 404, 404],
["POST", "/fiches/:ref/mandats",                      "add Aidants Connect mandate",       L,   403, S,   S,   403, 403, 403, 404, 404],
["POST", "/mandats/:mandate/revoquer",                "revoke mandate",                    L,   403, S,   S,   403, 403, 403, 404, 404],
["POST", "/fiches/:ref/cloture",                      "close case",                        L,   403, S,   S,   403, 403, 403, 404, 404],
["GET",  "/fiches/:closed/cloture/courrier.pdf",      "closure letter PDF",                L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/fiches/:closed/reouverture",                "reopen case",                       L,   403, S,   S,   403, 403, 403, 404, 404],
["POST", "/fiches/:ref/bilans",                       "start bilan",                       L,   403, S,   S,   403, 403, 403, 404, 404],
["GET",  "/bilans/:bilan",                            "bilan",                             L,   403, 200, 200, 403, 403, 403, 404, 404],
["GET",  "/bilans/:bilan/etape/A",                    "bilan step",                        L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/bilans/:bilan/etape/A",                    "save bilan step",                   L,   403, S,   S,   403, 403, 403, 404, 404],
["POST", "/bilans/:bilan/terminer",                   "complete bilan",                    L,   403, S,   S,   403, 403, 403, 404, 404],
["POST", "/bilans/:bilan/date",                       "bilan date",                        L,   403, S,   S,   403, 403, 403, 404, 404],
["POST", "/bilans/:bilan/scores-externes",            "bilan external scores",             L,   403, S,   S,   403, 403, 403, 404, 404],
["GET",  "/fiches/:closed/bilans/comparaison",        "bilans compared",                   L,   403, 200, 200, 403, 403, 403, 404, 404],
// — retours, points d'étape, quarterly reports
["GET",  "/fiches/:ref/retour",                       "retour form",                       L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/fiches/:ref/retour",                       "send retour",                       L,   403, S,   S,   403, 403, 403, 404, 404],
["POST", "/fiches/:ref/mode-de-suivi",                "follow mode",                       L,   403, S,   S,   403, 403, 403, 404, 404],
["GET",  "/fiches/:deleg/bilan-trimestriel",          "quarterly report form",             L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/fiches/:deleg/bilan-trimestriel",          "send quarterly report",             L,   403, S,   S,   403, 403, 403, 404, 404],
["GET",  "/bilans-trimestriels",                      "quarterly reports (pilote)",        L,   403, 403, 403, 403, 403, 200, 403, 403],
["GET",  "/bilans-trimestriels/:quarterly.pdf",       "quarterly report PDF",              L,   404, 200, 200, 404, 404, 200, 404, 404],
["GET",  "/fiches/:ref/points-etape/nouveau",         "new point d'étape form",            L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/fiches/:ref/points-etape",                 "create point d'étape",              L,   403, S,   S,   403, 403, 403, 404, 404],
["GET",  "/points-etape/:review",                     "point d'étape",                     L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/points-etape/:review",                     "point d'étape update",              L,   403, S,   S,   403, 403, 403, 404, 404],
// — partners and orientations
["GET",  "/partenaires",                              "partner directory",                 L,   200, 200, 200, 403, 403, 403, 200, 200],
["GET",  "/partenaires/services/:service",            "partner service",                   L,   200, 200, 200, 403, 403, 403, 200, 200],
["GET",  "/partenaires/import",                       "partner import form",               L,   200, 200, 403, 403, 403, 403, 200, 403],
["POST", "/partenaires/import",                       "partner import",                    L,   S,   S,   403, 403, 403, 403, S,   403],
["GET",  "/fiches/:ref/orientations/nouvelle",        "new orientation form",              L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/fiches/:ref/orientations",                 "create orientation",                L,   403, S,   S,   403, 403, 403, 404, 404],
["GET",  "/orientations/:orient",                     "orientation",                       L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/orientations/:orient",                     "orientation update",                L,   403, S,   S,   403, 403, 403, 404, 404],
// — the person's data and rights
["GET",  "/personnes/:person/donnees",                "person's data page",                L,   403, 200, 200, 403, 403, 403, 404, 404],
["GET",  "/personnes/:person/consultations",          "who consulted this file",           L,   403, 200, 403, 403, 403, 403, 404, 403],
["POST", "/personnes/:person/notice",                 "information notice given",          L,   403, S,   S,   403, 403, 403, 404, 404],
["GET",  "/personnes/:person/notice.pdf",             "information notice PDF",            L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/personnes/:person/demandes",               "record rights request",             L,   403, S,   S,   403, 403, 403, 404, 404],
["POST", "/personnes/:person/demandes/:rq",           "answer rights request",             L,   403, S,   S,   403, 403, 403, 404, 404],
["GET",  "/personnes/:person/donnees.json",           "copy of the data (JSON)",           L,   403, 200, 200, 403, 403, 403, 404, 404],
["GET",  "/personnes/:person/donnees.pdf",            "copy of the data (PDF)",            L,   403, 200, 200, 403, 403, 403, 404, 404],
["POST", "/personnes/:person/anonymisation",          "erase the person",                  L,   403, S,   403, 403, 403, 403, 404, 403],
// — indicators and exports
["GET",  "/indicateurs",                              "indicators",                        L,   403, 200, 403, 403, 403, 200, 200, 403],
["GET",  "/indicateurs.csv",                          "indicators CSV",                    L,   403, 200, 403, 403, 403, 200, 200, 403],
["GET",  "/indicateurs/bilan",                        "steering report",                   L,   403, 200, 403, 403, 403, 200, 200, 403],
["POST", "/indicateurs/bilan",                        "steering report texts",             L,   403, S,   403, 403, 403, 403, S,   403],
["GET",  "/indicateurs/bilan.pdf",                    "steering report PDF",               L,   403, 200, 403, 403, 403, 200, 200, 403],
["GET",  "/indicateurs/bilan.xlsx",                   "steering report XLSX",              L,   403, 200, 403, 403, 403, 200, 200, 403],
["GET",  "/activite/export-coop",                     "Coop export form",                  L,   403, 200, 200, 403, 403, 403, 200, 200],
["GET",  "/activite/export-coop.csv?du=:yearStart&au=:today", "Coop export CSV",           L,   403, 200, 200, 403, 403, 403, 200, 200],
];

// ─── API (Bearer tokens; a session cookie counts for nothing) ───────────────────────────────────────
// none     no Authorization header            bogus   a token that does not exist
// cookie   the coordinator's session cookie, no token
// read     SSD-CERGY, referrals:read           write   SSD-CERGY, referrals:write
// ind      SSD-CERGY, indicators:read          readX   SSD-PONTOISE, referrals:read
const apiActors = ["none", "bogus", "cookie", "read", "write", "ind", "readX"];
// prettier-ignore
const api = [
// method path                                                 label                          none bogus cookie read write ind  readX
["GET",  "/api/v1/referrals",                                  "referrals of the structure",  401, 401, 401,   200, 200,  403, 200],
["GET",  "/api/v1/referrals/:ref",                             "one referral",                401, 401, 401,   200, 200,  403, 404],
["GET",  "/api/v1/referrals/:refX",                            "one referral (SSD-PONTOISE)", 401, 401, 401,   404, 404,  403, 200],
["GET",  "/api/v1/referrals/999999999",                        "unknown referral",            401, 401, 401,   404, 404,  403, 404],
["GET",  "/api/v1/referrals/:draft",                           "a draft",                     401, 401, 401,   404, 404,  403, 404],
["POST", "/api/v1/referrals",                                  "send a referral",             401, 401, 401,   403, S,    403, 403],
["GET",  "/api/v1/indicators?from=2026-01-01&to=2026-12-31",   "indicators",                  401, 401, 401,   403, 403,  200, 403],
];

// ─── Known bugs: the table above holds the correct answer, the actual one is noted here ────────────
// key: "METHOD path actor" → why it is wrong. Each of these checks is reported `todo`.
const knownBugs = {};

// ─────────────────────────────────────────────────────────────────────────────────────────────────
const emnPontoise = { coordX: "coordination@emn-pontoise.example", interX: "intervention@emn-pontoise.example" };
const emails = { ...accounts, presc: accounts.prescripteur, prescX: "as.pontoise@ssd95.example", coord: accounts.coordinateur, inter: accounts.intervenant, ...emnPontoise };

let server;
let dbFile;
const ids = {};
const sessions = {}; // actor → { cookies: Map, csrf }
const tokens = {}; // api actor → bearer token

function sql(query) {
  const r = spawnSync("sqlite3", ["-batch", "-noheader", "-separator", "|", dbFile, query], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}
const one = (query) => {
  const v = sql(query).split("\n")[0];
  assert.ok(v, `no row for: ${query}`);
  return v;
};

class Jar {
  constructor() {
    this.cookies = new Map();
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  take(res) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (value === "" || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

async function request(jar, method, path, { form, headers = {} } = {}) {
  const init = { method, redirect: "manual", headers: { ...headers } };
  if (jar && jar.cookies.size) init.headers.Cookie = jar.header();
  if (form) {
    init.headers["Content-Type"] = "application/x-www-form-urlencoded";
    init.body = new URLSearchParams(form).toString();
  }
  const res = await fetch(server.baseUrl + path, init);
  const body = Buffer.from(await res.arrayBuffer());
  if (jar) jar.take(res);
  return { path, status: res.status, location: res.headers.get("location") ?? "", type: res.headers.get("content-type") ?? "", body };
}

const csrfOf = (html) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

async function signIn(actor) {
  const jar = new Jar();
  const form = await request(jar, "GET", "/connexion");
  const csrf = csrfOf(form.body.toString());
  const res = await request(jar, "POST", "/connexion", { form: { _csrf: csrf, email: emails[actor], password: demoPassword } });
  assert.equal(res.status, 303, `sign-in of ${actor} (${emails[actor]}): ${res.status}`);
  assert.ok(jar.cookies.has("allervers_session"), `no session for ${actor}`);
  const home = await request(jar, "GET", "/");
  assert.equal(home.status, 200, `home of ${actor}`);
  return { jar, csrf: csrfOf(home.body.toString()) };
}

function resolve(path) {
  return path.replace(/:([A-Za-z]+)/g, (m, name) => {
    assert.ok(name in ids, `unknown id :${name} in ${path}`);
    return String(ids[name]);
  });
}

// What the status and the Location header must be for an expected cell.
function matches(cell, method, path, res) {
  if (cell === L) {
    // A GET comes back to where it was going after sign-in.
    const url = new URL(res.location || "/x", "http://h");
    const suite = method === "GET" && res.path !== "/" ? res.path.split("?")[0] : null;
    return res.status === 303 && url.pathname === "/connexion" && url.searchParams.get("suite") === suite;
  }
  if (cell === H) return res.status === 303 && res.location === "/";
  if (typeof cell === "string" && cell.startsWith("→")) return res.status === 303 && res.location === resolve(cell.slice(1));
  return res.status === cell;
}
const describeCell = (cell) => (cell === L ? "303 → /connexion" : cell === H ? "303 → /" : String(cell).replace("→", "303 → "));
const describeRes = (res) => (res.status >= 300 && res.status < 400 ? `${res.status} → ${res.location}` : String(res.status));

// Every table but those a refused request may legitimately write (its audit row, sessions).
const volatileTables = new Set(["audit_event", "audit_chain", "user_session", "login_throttle"]);
function fingerprint() {
  const r = spawnSync("sqlite3", ["-batch", dbFile, ".dump"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`sqlite3 .dump: ${r.stderr}`);
  const hashes = new Map();
  for (const line of r.stdout.split("\n")) {
    const m = /^INSERT INTO "?([a-z_]+)"?/.exec(line);
    if (!m || volatileTables.has(m[1])) continue;
    const h = hashes.get(m[1]) ?? createHash("sha256");
    h.update(line + "\n");
    hashes.set(m[1], h);
  }
  return new Map([...hashes].map(([t, h]) => [t, h.digest("hex")]));
}
function changedTables(a, b) {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((t) => a.get(t) !== b.get(t));
}

// The fields a POST needs to get past its own input checks, so that the refusal tested is the
// permission's, not a 400 on an empty form (the CSRF token is added per actor).
const postFields = () => ({
  "/fiches/brouillon/:draft":         { action: "draft", last_name: "Matrice" },
  "/fiches/:received/accepter":       { assignee: ids.interXUser },
  "/fiches/:ref/confier":             { assignee: ids.interXUser },
  "/fiches/:received/non-recevable":  { reason: "hors_territoire", message: "Matrice" },
  "/fiches/:received/reorienter":     { structure: ids.structureX, message: "Matrice" },
  "/fiches/:ref/bilans":              { kind: "final" },
  "/fiches/:ref/demarches":           { code: "CPAM-C2S" },
  "/rendez-vous/:appt/resultat":      { status: "honoured", note: "Matrice" },
  "/rendez-vous/:appt/reponse":       { answer: "accept" },
  "/fiches/:deleg/bilan-trimestriel": { annee: ids.year, trimestre: ids.quarter, observations: "Matrice", perspectives: "Matrice" },
});
const postBody = (path, csrf) => ({ ...(postFields()[path] ?? {}), _csrf: csrf });

before(async () => {
  server = await startServer();
  dbFile = server.dbUrl.replace(/^sqlite:/, "");

  // Another operator with its own team; tokens of the partner API.
  server.cli(["structure", "add", "--code", "EMN-PONTOISE", "--name", "Équipe mobile numérique de Pontoise", "--kind", "operateur", "--territory", "Pontoise"]);
  for (const [actor, role, name] of [["coordX", "coordinateur", "Paul Martin"], ["interX", "intervenant", "Inès Roche"]]) {
    const r = spawnSync(process.env.ALLERVERS_BIN || "build/allervers", ["--database", server.dbUrl, "user", "add", "--email", emails[actor], "--name", name, "--role", role, "--structure", "EMN-PONTOISE", "--fte", "1", "--password-stdin"], {
      input: `${demoPassword}\n`,
      encoding: "utf8",
      env: { ...process.env, ALLERVERS_FAST_PASSWORD_HASHING: "1" },
    });
    assert.equal(r.status, 0, `user add ${emails[actor]}: ${r.stderr}`);
  }
  const token = (structure, scope) => server.cli(["token", "create", "--structure", structure, "--scope", scope, "--label", `matrix ${scope}`]).split("\n")[0].trim();
  tokens.read = token("SSD-CERGY", "referrals:read");
  tokens.write = token("SSD-CERGY", "referrals:write");
  tokens.ind = token("SSD-CERGY", "indicators:read");
  tokens.readX = token("SSD-PONTOISE", "referrals:read");
  tokens.bogus = "av_" + "x".repeat(43);

  // Records of the demo.
  const structure = (code) => one(`SELECT id FROM structure WHERE code='${code}'`);
  const user = (email) => one(`SELECT id FROM app_user WHERE email='${email}'`);
  const emn = structure("EMN-CERGY");
  const ssd = structure("SSD-CERGY");
  const ssdX = structure("SSD-PONTOISE");
  ids.structure = ssd;
  ids.structureX = ssdX;
  ids.interXUser = user(emails.interX);
  ids.teamUser = user("lea.nguyen@emn-cergy.example");
  ids.prescUser = user(accounts.prescripteur);
  ids.ref = one(`SELECT r.id FROM referral r WHERE r.operator_id=${emn} AND r.structure_id=${ssd} AND r.status='in_progress'
                   AND EXISTS (SELECT 1 FROM assessment a WHERE a.referral_id=r.id) AND EXISTS (SELECT 1 FROM case_procedure p WHERE p.referral_id=r.id)
                   AND EXISTS (SELECT 1 FROM orientation o WHERE o.referral_id=r.id) AND EXISTS (SELECT 1 FROM appointment a WHERE a.referral_id=r.id) ORDER BY r.id`);
  ids.person = one(`SELECT person_id FROM referral WHERE id=${ids.ref}`);
  ids.apptPlain = one(`SELECT id FROM appointment WHERE referral_id=${ids.ref} AND tripartite=0 ORDER BY id`);
  ids.bilan = one(`SELECT id FROM assessment WHERE referral_id=${ids.ref} ORDER BY id`);
  ids.proc = one(`SELECT id FROM case_procedure WHERE referral_id=${ids.ref} ORDER BY id`);
  ids.orient = one(`SELECT id FROM orientation WHERE referral_id=${ids.ref} ORDER BY id`);
  ids.closed = one(`SELECT r.id FROM referral r WHERE r.structure_id=${ssd} AND r.status='closed' AND (SELECT count(*) FROM assessment a WHERE a.referral_id=r.id)=2
                      AND EXISTS (SELECT 1 FROM case_review c WHERE c.referral_id=r.id) ORDER BY r.id`);
  ids.review = one(`SELECT id FROM case_review WHERE referral_id=${ids.closed} ORDER BY id`);
  ids.quarterly = one(`SELECT q.id FROM quarterly_report q JOIN referral r ON r.id=q.referral_id WHERE r.structure_id=${ssd} ORDER BY q.id`);
  ids.deleg = one(`SELECT referral_id FROM quarterly_report WHERE id=${ids.quarterly}`);
  ids.received = one(`SELECT id FROM referral WHERE structure_id=${ssd} AND status='received' ORDER BY id`);
  ids.draft = one(`SELECT id FROM referral WHERE status='draft' AND created_by_user_id=${ids.prescUser} ORDER BY id`);
  ids.refX = one(`SELECT id FROM referral WHERE operator_id=${emn} AND structure_id=${ssdX} AND status='in_progress' ORDER BY id`);
  ids.personX = one(`SELECT person_id FROM referral WHERE id=${ids.refX}`);
  ids.appt = one(`SELECT a.id FROM appointment a JOIN referral r ON r.id=a.referral_id WHERE r.structure_id=${ssd} AND a.tripartite=1
                    AND a.referrer_user_id=${ids.prescUser} AND a.status='planned' ORDER BY a.id`);
  ids.apptDay = one(`SELECT date(starts_at, 'unixepoch', 'localtime') FROM appointment WHERE id=${ids.appt}`);
  ids.today = new Date().toISOString().slice(0, 10);
  ids.yearStart = `${ids.today.slice(0, 4)}-01-01`;
  ids.year = ids.today.slice(0, 4);
  ids.quarter = String(Math.floor(new Date().getMonth() / 3) + 1);
  ids.mandate = one(`SELECT id FROM mandate ORDER BY id`);
  ids.service = one(`SELECT id FROM partner_service ORDER BY id`);
  ids.token = one(`SELECT id FROM api_token ORDER BY id`);
  // A rights request and a CSV import waiting for confirmation, written straight into the database.
  const now = Math.floor(Date.now() / 1000);
  const today = new Date().toISOString().slice(0, 10);
  sql(`INSERT INTO rights_request (person_id, kind, received_on, due_on, status, created_by_user_id, created_at, updated_at)
       VALUES (${ids.person}, 'acces', '${today}', '${today}', 'ouverte', ${user(accounts.coordinateur)}, ${now}, ${now})`);
  ids.rq = one(`SELECT max(id) FROM rights_request`);
  sql(`INSERT INTO import_batch (user_id, structure_id, filename, content, created_at)
       VALUES (${user(accounts.coordinateur)}, ${ssd}, 'export.csv', 'nom;prenom\nDupont;Jean\n', ${now})`);
  ids.import = one(`SELECT max(id) FROM import_batch`);

  // Everyone signs in once.
  sessions.anon = { jar: new Jar(), csrf: null };
  const anonForm = await request(sessions.anon.jar, "GET", "/connexion");
  sessions.anon.csrf = csrfOf(anonForm.body.toString());
  await Promise.all(actors.filter((a) => a !== "anon").map(async (a) => (sessions[a] = await signIn(a))));

  // The intervenant's private calendar feed.
  const feed = await request(sessions.inter.jar, "POST", "/agenda/calendrier", { form: { _csrf: sessions.inter.csrf } });
  assert.equal(feed.status, 200, "calendar feed created");
  ids.feed = /\/calendrier\/([A-Za-z0-9_-]+)\.ics/.exec(feed.body.toString())[1];
});

after(async () => {
  await server?.stop();
});

// Runs `jobs` (functions returning promises) at most `width` at a time.
async function inBatches(jobs, width = 12) {
  const results = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]();
      }
    }),
  );
  return results;
}

const actual = {}; // "METHOD path actor" → response, filled by the two runs below

async function checkCells(t, table, actorList, label) {
  for (const [method, path, name, ...cells] of table) {
    for (const [i, cell] of cells.entries()) {
      if (cell === S) continue;
      const actor = actorList[i];
      const key = `${method} ${path} ${actor}`;
      const res = actual[key];
      const bug = knownBugs[key];
      await t.test(`${label} ${method} ${path} (${name}) as ${actor}: ${describeCell(cell)}`, { todo: bug ? `bug: ${bug}` : false }, () => {
        assert.ok(res, `no response recorded for ${key}`);
        assert.ok(matches(cell, method, path, res), `${key}: expected ${describeCell(cell)}, got ${describeRes(res)}`);
      });
    }
  }
}

test("the table names every route declared in src/web exactly once", () => {
  const keys = [...pages, ...api].map(([m, p]) => `${m} ${p}`);
  assert.equal(new Set(keys).size, keys.length, "a row is repeated");
  for (const row of pages) assert.equal(row.length, 3 + actors.length, `columns of ${row[1]}`);
  for (const row of api) assert.equal(row.length, 3 + apiActors.length, `columns of ${row[1]}`);
});

test("GET: every page, export and PDF as every actor", async (t) => {
  const jobs = [];
  for (const [method, path, , ...cells] of pages) {
    if (method !== "GET") continue;
    cells.forEach((cell, i) => {
      const actor = actors[i];
      jobs.push(async () => (actual[`${method} ${path} ${actor}`] = await request(sessions[actor].jar, "GET", resolve(path))));
    });
  }
  for (const [method, path, , ...cells] of api) {
    if (method !== "GET") continue;
    cells.forEach((cell, i) => {
      const actor = apiActors[i];
      jobs.push(async () => (actual[`${method} ${path} ${actor}`] = await request(null, "GET", resolve(path), { headers: apiHeaders(actor) })));
    });
  }
  await inBatches(jobs);
  await checkCells(t, pages.filter((r) => r[0] === "GET"), actors, "page");
  await checkCells(t, api.filter((r) => r[0] === "GET"), apiActors, "API");
});

function apiHeaders(actor) {
  if (actor === "none") return {};
  if (actor === "cookie") return { Cookie: sessions.coord.jar.header() };
  return { Authorization: `Bearer ${tokens[actor]}` };
}

test("POST: every actor not allowed is refused, with its own valid CSRF token, and nothing changes", async (t) => {
  const changes = {}; // "METHOD path" → tables changed by the refused requests
  let before = fingerprint();
  for (const table of ["referral", "person", "appointment", "app_user", "structure", "rights_request", "import_batch"]) {
    assert.ok(before.has(table), `the fingerprint reads table ${table}`);
  }
  for (const [method, path, , ...cells] of pages) {
    if (method !== "POST") continue;
    await inBatches(
      cells.map((cell, i) => async () => {
        if (cell === S) return;
        const actor = actors[i];
        actual[`${method} ${path} ${actor}`] = await request(sessions[actor].jar, "POST", resolve(path), { form: postBody(path, sessions[actor].csrf) });
      }),
    );
    const after = fingerprint();
    changes[`${method} ${path}`] = changedTables(before, after);
    before = after;
  }
  for (const [method, path, , ...cells] of api) {
    if (method !== "POST") continue;
    await inBatches(
      cells.map((cell, i) => async () => {
        if (cell === S) return;
        const actor = apiActors[i];
        const headers = { ...apiHeaders(actor), "Content-Type": "application/json", "Idempotency-Key": `matrix-${actor}` };
        const res = await fetch(server.baseUrl + resolve(path), { method: "POST", headers, body: JSON.stringify({ person: { last_name: "Matrice" } }) });
        actual[`${method} ${path} ${actor}`] = { status: res.status, location: "", body: Buffer.from(await res.arrayBuffer()) };
      }),
    );
    const after = fingerprint();
    changes[`${method} ${path}`] = changedTables(before, after);
    before = after;
  }
  await checkCells(t, pages.filter((r) => r[0] === "POST"), actors, "page");
  await checkCells(t, api.filter((r) => r[0] === "POST"), apiActors, "API");
  for (const [method, path, name] of [...pages, ...api].filter((r) => r[0] === "POST")) {
    const key = `${method} ${path}`;
    const bug = knownBugs[`${key} unchanged`];
    await t.test(`${method} ${path} (${name}): refused requests changed nothing`, { todo: bug ? `bug: ${bug}` : false }, () => {
      assert.deepEqual(changes[key], [], `${key} changed ${changes[key].join(", ")}`);
    });
  }
});

// Another structure's record, spelled out: 404 and nothing that names the person.
test("another structure's record answers 404 without naming the person", async () => {
  const name = one(`SELECT birth_name FROM person WHERE id=${ids.person}`);
  for (const actor of ["coordX", "interX", "prescX"]) {
    for (const path of [`/fiches/${ids.ref}`, `/personnes/${ids.person}`, `/personnes/${ids.person}/donnees.json`]) {
      const res = await request(sessions[actor].jar, "GET", path);
      if (res.status === 403) continue; // a role without the permission: covered by the matrix
      assert.equal(res.status, 404, `${actor} ${path}`);
      assert.ok(!res.body.toString().includes(name), `${actor} ${path} names the person`);
    }
  }
});

// For a look at the whole matrix: MATRIX_PRINT=file writes the actual answers there as a table
// (a "!" marks a cell that differs from the table above).
after(() => {
  if (!process.env.MATRIX_PRINT) return;
  let out = "";
  const fmt = (res) => (!res ? "-" : res.status === 303 ? (res.location.startsWith("/connexion") ? "L" : res.location === "/" ? "H" : `303${res.location}`) : String(res.status));
  for (const [table, list] of [[pages, actors], [api, apiActors]]) {
    for (const [method, path, name, ...cells] of table) {
      const row = list.map((a, i) => {
        const r = actual[`${method} ${path} ${a}`];
        const got = cells[i] === S ? "S" : fmt(r);
        const ok = cells[i] === S || (r && matches(cells[i], method, path, r));
        return (ok ? got : `${got}!`).padEnd(5);
      });
      out += `${method.padEnd(5)}${path.padEnd(52)}${row.join("")}\n`;
    }
  }
  writeFileSync(process.env.MATRIX_PRINT, out);
});
