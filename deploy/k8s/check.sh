#!/usr/bin/env bash
# Renders every kustomization under deploy/k8s (base, infra, each overlay and
# its sub-kustomizations) with `kubectl kustomize`; exits non-zero if any
# fails to build or renders nothing. Needs kubectl only, no cluster.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kubectl_bin="${KUBECTL:-kubectl}"

if ! command -v "$kubectl_bin" >/dev/null 2>&1; then
  echo "check.sh: kubectl not found (set KUBECTL to its path)" >&2
  exit 2
fi

mapfile -t dirs < <(
  find "$here" \( -name kustomization.yaml -o -name kustomization.yml -o -name Kustomization \) \
       -not -path '*/patches/*' -printf '%h\n' | sort -u
)
if [ "${#dirs[@]}" -eq 0 ]; then
  echo "check.sh: no kustomization found under $here" >&2
  exit 1
fi

failed=0
for dir in "${dirs[@]}"; do
  rel="${dir#"$here"/}"
  if out="$("$kubectl_bin" kustomize "$dir" 2>&1)"; then
    count="$(printf '%s\n' "$out" | grep -c '^kind:' || true)"
    if [ "$count" -gt 0 ]; then
      echo "ok    $rel ($count resources)"
    elif grep -qs '^kind: Component' "$dir"/kustomization.yaml; then
      # A Component of patches only renders nothing alone; it builds in the overlays that use it.
      echo "ok    $rel (component, patches only)"
    else
      echo "FAIL  $rel: rendered no resources"
      failed=1
    fi
  else
    echo "FAIL  $rel"
    printf '%s\n' "$out" | sed 's/^/      /'
    failed=1
  fi
done

if [ "$failed" -ne 0 ]; then
  echo "check.sh: kustomize build failed" >&2
  exit 1
fi
echo "check.sh: ${#dirs[@]} kustomizations build"
