#!/usr/bin/env bash
# Enforces the layering of DESIGN.md §3 on #include lines (linking enforces it for symbols).
set -euo pipefail
cd "$(dirname "$0")/../src"

status=0
# module : regex of includes it must not have
rules=(
  "common:^#include [<\"](domain|service|storage|security|render|report|notify|web|app|config)/|soci|httplib|kainjow|nlohmann|sodium"
  "domain:^#include [<\"](service|storage|security|render|report|notify|web|app|config)/|soci|httplib|kainjow|nlohmann|sodium|spdlog"
  "service:^#include [<\"](storage|security|render|report|notify|web|app|config)/|soci|httplib|kainjow|sodium"
  "storage:^#include [<\"](web|render|report|security|app|config)/|httplib|kainjow"
  "security:^#include [<\"](domain|storage|render|report|notify|web|app|config)/|soci|httplib|kainjow"
  "render:^#include [<\"](domain|service|storage|security|report|notify|web|app|config)/|soci|httplib"
  "report:^#include [<\"](service|storage|security|web|app|config)/|soci|httplib"
  "oidc:^#include [<\"](storage|render|report|security|web|app|config)/|soci|httplib|kainjow"
  "notify:^#include [<\"](storage|render|report|web|app|config)/|soci|httplib|kainjow"
  "config:^#include [<\"](domain|service|storage|security|render|report|notify|web|app)/|soci|httplib"
  "web:^#include [<\"](storage|app|config)/|soci"
)
for rule in "${rules[@]}"; do
  module=${rule%%:*}
  pattern=${rule#*:}
  [[ -d "$module" ]] || continue
  if hits=$(grep -rnE "^#include" "$module" | grep -E "${pattern//^/}" | grep -E "^[^:]+:[0-9]+:#include"); then
    if [[ -n "$hits" ]]; then
      echo "check_layers: $module includes what it must not:" >&2
      echo "$hits" >&2
      status=1
    fi
  fi
done
# security implements service interfaces: it may include service/ports.hpp and nothing else of service.
if hits=$(grep -rnE '^#include "service/' security | grep -v 'service/ports.hpp'); then
  echo "check_layers: security may only include service/ports.hpp:" >&2
  echo "$hits" >&2
  status=1
fi
if ((status == 0)); then
  echo "check_layers: ok"
fi
exit $status
