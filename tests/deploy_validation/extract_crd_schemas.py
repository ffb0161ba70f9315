"""Extract the openAPIV3Schema of each served version of CustomResourceDefinitions.

Usage: python -m tests.deploy_validation.extract_crd_schemas OUT_DIR CRD.yaml [CRD.yaml ...]

Writes OUT_DIR/<group>_<version>_<kind>.json (one JSON schema per served
version), the layout tests/deploy_validation/schemas.py reads. The CRD files
are the operators' released ones, which download_schemas.py downloads and
checks against schemas.lock.toml before extracting them with this module
(docs/deployment.md, "## Offline validation").
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml


def extract(crd_file: Path, out_dir: Path) -> list[Path]:
    written = []
    for doc in yaml.safe_load_all(crd_file.read_text()):
        if not doc or doc.get("kind") != "CustomResourceDefinition":
            continue
        spec = doc["spec"]
        for version in spec["versions"]:
            if not version.get("served", True):
                continue
            schema = version.get("schema", {}).get("openAPIV3Schema")
            if schema is None:
                continue
            out = out_dir / f"{spec['group']}_{version['name']}_{spec['names']['kind']}.json"
            out.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")
            written.append(out)
    return written


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir = Path(argv[0])
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in argv[1:]:
        for path in extract(Path(name), out_dir):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
