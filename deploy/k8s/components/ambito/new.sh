#!/usr/bin/env bash
# Makes an Ambito's Component from this template:
#   deploy/k8s/components/ambito/new.sh deploy/k8s/overlays/basilicata matera
# writes <overlay>/ambiti/<slug>/ (the template with `example` replaced by the
# slug). Then add `- ambiti/<slug>` under the overlay's `components:` and the
# Ambito's entry to <overlay>/tenants.yaml (docs/deployment.md, "Adding an Ambito").
set -euo pipefail
overlay="${1:?usage: new.sh <overlay folder> <slug>}"
slug="${2:?usage: new.sh <overlay folder> <slug>}"
[[ "$slug" =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$ ]] || { echo "new.sh: $slug is not a slug" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="$overlay/ambiti/$slug"
[ -e "$target" ] && { echo "new.sh: $target exists" >&2; exit 1; }
mkdir -p "$target"
sed -e "s/\bexample\b/$slug/g" "$here/provision-job.yaml" > "$target/provision-job.yaml"
cat > "$target/kustomization.yaml" <<YAML
# The Ambito $slug (made by deploy/k8s/components/ambito/new.sh): its
# provisioning Job. Its catalogue entry is in ../../tenants.yaml.
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component

resources:
  - provision-job.yaml
YAML
echo "wrote $target: list it under components: in $overlay/kustomization.yaml"
