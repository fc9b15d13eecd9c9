#pragma once

#include <string>
#include <string_view>

#include "domain/referral.hpp"
#include "domain/user.hpp"
#include "service/ports.hpp"

namespace allervers::service {

/// Case notes are stored sealed with the server's key ring (docs/security.md « Chiffrement des
/// notes »). The sealed text binds the note to its case and its author: moved to another row by
/// someone who can write to the database, it no longer opens.
std::string SealNote(const SecretSealer& sealer, domain::ReferralId referral, domain::UserId author,
                     std::string_view body);

/// What a stored note reads as: the plaintext of a sealed note; the text itself when it was
/// stored before notes were sealed (`allervers migrate` seals those); empty when it is empty
/// (erased by the retention purge); or, when it does not open (a key no longer in the key ring,
/// an altered or moved row), a sentence saying so, never an error, so that the rest of the
/// case stays readable.
std::string OpenNote(const SecretSealer& sealer, domain::ReferralId referral, domain::UserId author,
                     std::string_view stored);

/// What a note that does not open reads as.
inline constexpr std::string_view kUnreadableNote =
    "[Note illisible : elle a été chiffrée avec une clé que le serveur n’a plus, ou elle a été "
    "modifiée hors de l’application. Prévenez l’administrateur de la plateforme.]";

}  // namespace allervers::service
