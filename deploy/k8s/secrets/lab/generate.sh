#!/usr/bin/env bash
# Prints the lab Secrets of ./secrets.yaml for namespace $1 with fresh random
# values (openssl rand), ready for `kubectl apply -f -`. Nothing is written to
# disk. Run it once: re-running makes new passwords (rotate deliberately: see
# docs/deployment.md, "Database roles").
#   deploy/k8s/secrets/lab/generate.sh pdz-basilicata | kubectl apply -f -
# Keycloak: PDZ_JWT_REALM_URL (default https://sso.example.org/realms/<region>)
# names the realm; S3 keys come from PDZ_S3_ACCESS_KEY_ID / PDZ_S3_SECRET_ACCESS_KEY
# (placeholders left if unset: that Secret is needed only with backups). The pages'
# session secret is random; PDZ_OIDC_CLIENT_SECRET is the Keycloak pages client's secret
# (its Credentials tab); unset, the key is dropped (a public client, PKCE only).
set -euo pipefail
ns="${1:?usage: generate.sh <namespace>}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
realm="${PDZ_JWT_REALM_URL:-https://sso.example.org/realms/${ns#pdz-}}"
pg="$(openssl rand -hex 24)"
client_secret="/__OIDC_CLIENT_SECRET__/d"
if [ -n "${PDZ_OIDC_CLIENT_SECRET:-}" ]; then
  client_secret="s|__OIDC_CLIENT_SECRET__|${PDZ_OIDC_CLIENT_SECRET//|/\\|}|"
fi
"${KUBECTL:-kubectl}" kustomize "$here" | sed \
  -e "s|__PG_PASSWORD__|$pg|g" \
  -e "s|__ROLE_SECRET_REGISTRY__|$(openssl rand -hex 32)|" \
  -e "s|__ROLE_SECRET_CONSULTATION__|$(openssl rand -hex 32)|" \
  -e "s|__ROLE_SECRET_BUDGET__|$(openssl rand -hex 32)|" \
  -e "s|__ROLE_SECRET_REPORTING__|$(openssl rand -hex 32)|" \
  -e "s|__JWKS_URL__|$realm/protocol/openid-connect/certs|" \
  -e "s|__JWT_ISSUER__|$realm|" \
  -e "s|__WEB_SESSION_SECRET__|$(openssl rand -hex 32)|" \
  -e "$client_secret" \
  -e "s|__S3_ACCESS_KEY_ID__|${PDZ_S3_ACCESS_KEY_ID:-__S3_ACCESS_KEY_ID__}|" \
  -e "s|__S3_SECRET_ACCESS_KEY__|${PDZ_S3_SECRET_ACCESS_KEY:-__S3_SECRET_ACCESS_KEY__}|" \
  -e "s|^metadata:|metadata:\n  namespace: $ns|"
