#include "web/http_error.hpp"

namespace allervers::web {

int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

const char* StatusTitle(int status) {
  switch (status) {
    case 400:
      return "Demande incorrecte";
    case 401:
      return "Connexion nécessaire";
    case 403:
      return "Accès refusé";
    case 404:
      return "Page introuvable";
    case 405:
      return "Action non permise";
    case 409:
      return "Conflit";
    case 413:
      return "Envoi trop volumineux";
    case 422:
      return "Saisie à corriger";
    case 429:
      return "Trop de demandes";
    case 503:
      return "Service momentanément indisponible";
    default:
      return status >= 500 ? "Erreur du serveur" : "Erreur";
  }
}

}  // namespace allervers::web
