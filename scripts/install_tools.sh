#!/bin/sh
# What the tests need beyond the Python packages of pyproject.toml, installed once:
#   Debian: chromium (browser tests), prometheus (promtool, alert rules);
#   npm (project-local, from the committed lock files): tools/asyncapi, tools/axe, tools/openapi-lint,
#     tools/oidc-provider (the development OpenID provider of make run and the sign-in tests);
#   PyPI tools for the deployment checks (scripts/install_deploy_tools.sh);
#   RabbitMQ's management plugin (a vhost per test is made through its API).
# Safe to run again: it only installs what is missing.
set -eu
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"

need_apt=""
command -v chromium >/dev/null 2>&1 || need_apt="$need_apt chromium"
command -v promtool >/dev/null 2>&1 || need_apt="$need_apt prometheus"
command -v wrk >/dev/null 2>&1 || need_apt="$need_apt wrk"
if [ -n "$need_apt" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages:$need_apt"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need_apt >/dev/null
    # promtool is wanted, not a Prometheus server on :9090
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      systemctl disable --now prometheus >/dev/null 2>&1 || true
    fi
    pkill -x prometheus >/dev/null 2>&1 || true
  else
    echo "missing Debian packages:$need_apt (as root: apt-get install$need_apt); the tests that need them will say so" >&2
  fi
fi

if command -v npm >/dev/null 2>&1; then
  for dir in tools/asyncapi tools/axe tools/openapi-lint tools/leaflet tools/oidc-provider; do
    if [ -f "$dir/package.json" ] && [ ! -d "$dir/node_modules" ]; then
      echo "installing npm packages in $dir"
      (cd "$dir" && if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; else npm install --silent --no-audit --no-fund; fi)
    fi
  done
else
  echo "npm is missing: the AsyncAPI validation and accessibility scans will be skipped (install nodejs and npm)" >&2
fi

if [ -f scripts/install_deploy_tools.sh ] && { [ ! -x "$VENV/bin/hadolint" ] || [ ! -x "$VENV/bin/kubectl" ] || [ ! -x "$VENV/bin/kubernetes-validate" ]; }; then
  VENV="$VENV" sh scripts/install_deploy_tools.sh
fi

if command -v rabbitmq-plugins >/dev/null 2>&1; then
  rabbitmq-plugins list -e -m 2>/dev/null | grep -qx rabbitmq_management || \
    rabbitmq-plugins enable rabbitmq_management >/dev/null 2>&1 || true
fi
