"""Download the CRD and compose-spec schemas of the offline deploy validation, pinned and checked.

Usage: python -m tests.deploy_validation.download_schemas [--dest DIR] [--relock]

schemas.lock.toml (beside this file) names, per operator, the release, the
package it comes in and each upstream file with its sha256 and its address in
the project's repository. Each package comes from its registry through its
ordinary client, at set-up time (`make schemas`, which `make test` runs):

- `go_module`: `go mod download` of a released Go module; the files are read
  from the module's tree (CRDs as the project releases them). Go's checksum
  database is not asked (it is not reachable for every module here): the
  module's h1 sum in the lock and each file's sha256 are the check.
- `maven`: Strimzi publishes no CRD file in a package, so its release's own
  CrdGenerator (io.strimzi:crd-generator) runs on its io.strimzi:api jar with
  the arguments of the release's api/pom.xml (Java 21 or later). The output is
  byte for byte the release's install/cluster-operator files: the lock's
  sha256 are those of the released files.

Every file must match its sha256, or nothing is written and the exit status
is 1. The CRDs go through extract_crd_schemas into DEST/crds/<name>/<release>/,
the compose schema to DEST/compose/compose-spec.json; DEST/lock.sha256 records
which lock built the folder, and a run with an unchanged lock does nothing.
--relock (after changing a release in the lock) downloads without checking
and rewrites the lock's sums from what arrived: review that diff.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from tests.deploy_validation.extract_crd_schemas import extract

ROOT = Path(__file__).resolve().parents[2]
LOCK = Path(__file__).with_name("schemas.lock.toml")
DEFAULT_DEST = ROOT / ".pdz" / "schemas"
CACHE = ROOT / ".pdz" / "cache"
MARKER = "lock.sha256"


class SchemaDownloadError(RuntimeError):
    """A package could not be had, or a file differs from the lock."""


def load_lock(path: Path = LOCK) -> list[dict]:
    return tomllib.loads(path.read_text())["source"]


def lock_digest(path: Path = LOCK) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_current(dest: Path, lock: Path = LOCK) -> bool:
    marker = dest / MARKER
    return marker.is_file() and marker.read_text().strip() == lock_digest(lock)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_sha256(path: Path, expected: str, label: str) -> None:
    actual = sha256_of(path)
    if actual != expected:
        raise SchemaDownloadError(f"{label}: sha256 {actual} differs from the lock's {expected}")


def _run(cmd: list[str], what: str, **kwargs) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kwargs)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SchemaDownloadError(f"{what}: {exc}") from exc
    if result.returncode != 0:
        raise SchemaDownloadError(f"{what} failed ({' '.join(cmd[:4])} ...):\n{result.stderr[-2000:]}")
    return result


def _go() -> str:
    found = os.environ.get("GO") or shutil.which("go") or next(
        (p for p in ("/usr/local/go/bin/go",) if Path(p).is_file()), None)
    if not found:
        raise SchemaDownloadError("the go command is needed to download the CRDs' Go modules (set GO to its path)")
    return found


def fetch_go_module(source: dict, work: Path, check: bool) -> Path:
    """The module's unpacked tree in the project's Go module cache, its h1 sum checked."""
    env = dict(os.environ, GOMODCACHE=str(CACHE / "gomod"), GOFLAGS="-modcacherw -mod=mod", GOSUMDB="off",
               GOTOOLCHAIN="local", GO111MODULE="on")
    result = _run([_go(), "mod", "download", "-json", source["go_module"]], f"go mod download {source['go_module']}",
                  cwd=work, env=env)
    info = json.loads(result.stdout)
    if info.get("Error"):
        raise SchemaDownloadError(f"go mod download {source['go_module']}: {info['Error']}")
    if check and info["Sum"] != source["go_sum"]:
        raise SchemaDownloadError(f"{source['go_module']}: module sum {info['Sum']} differs from the lock's "
                                  f"{source['go_sum']}")
    source["go_sum"] = info["Sum"]
    return Path(info["Dir"])


def _java(minimum: int) -> str:
    candidates = [os.environ.get("PDZ_JAVA"), os.environ.get("JAVA_HOME") and f"{os.environ['JAVA_HOME']}/bin/java",
                  shutil.which("java"), *sorted(map(str, Path("/usr/lib/jvm").glob("*/bin/java")), reverse=True)]
    for java in filter(None, candidates):
        try:
            out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60).stderr
        except OSError:
            continue
        match = re.search(r'version "(\d+)', out)
        if match and int(match.group(1)) >= minimum:
            return java
    raise SchemaDownloadError(f"Strimzi's CRD generator needs Java {minimum} or later: none found "
                              "(PDZ_JAVA, JAVA_HOME, java on PATH, /usr/lib/jvm/*)")


def generate_with_maven(source: dict, work: Path) -> Path:
    """Run the release's CRD generator from its Maven artifacts; the files land under work/out/<path>."""
    deps = "".join(f"<dependency><groupId>{g}</groupId><artifactId>{a}</artifactId><version>{v}</version></dependency>"
                   for g, a, v in (coord.split(":") for coord in source["maven"]))
    (work / "pom.xml").write_text(
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
        "<groupId>pdz.schemas</groupId><artifactId>crd-generator-run</artifactId><version>0</version>"
        f"<packaging>pom</packaging><dependencies>{deps}</dependencies></project>\n")
    mvn = shutil.which("mvn")
    if not mvn:
        raise SchemaDownloadError("mvn is needed to download Strimzi's CRD generator (apt-get install maven)")
    _run([mvn, "-q", "-B", "-f", str(work / "pom.xml"), "dependency:build-classpath",
          f"-Dmdep.outputFile={work / 'classpath.txt'}"], f"mvn dependency:build-classpath {' '.join(source['maven'])}")
    out = work / "out"
    targets = []
    for entry in source["file"]:
        (out / entry["path"]).parent.mkdir(parents=True, exist_ok=True)
        targets.append(f"{entry['class']}={out / entry['path']}")
    _run([_java(source["java"]), "-cp", (work / "classpath.txt").read_text().strip(), *source["generator"], *targets],
         f"{source['generator'][0]} {source['release']}")
    return out


def build(dest: Path, sources: list[dict], check: bool = True) -> None:
    """Download, check and extract every source into a fresh dest (replaced only when all succeeded)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{dest.name}.", dir=dest.parent))  # beside dest: a rename, not a copy
    try:
        for source in sources:
            work = Path(tempfile.mkdtemp(prefix=f"{source['name']}.", dir=CACHE))
            try:
                tree = generate_with_maven(source, work) if "maven" in source else \
                    fetch_go_module(source, work, check)
                for entry in source["file"]:
                    upstream = tree / entry["path"]
                    label = f"{source['name']} {source['release']} {entry['path']}"
                    if not upstream.is_file():
                        raise SchemaDownloadError(f"{label}: not in the package")
                    if check:
                        check_sha256(upstream, entry["sha256"], label)
                    entry["sha256"] = sha256_of(upstream)
                    if entry.get("out"):
                        (staging / entry["out"]).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(upstream, staging / entry["out"])
                    else:
                        folder = staging / "crds" / source["name"] / source["release"]
                        folder.mkdir(parents=True, exist_ok=True)
                        if not extract(upstream, folder):
                            raise SchemaDownloadError(f"{label}: no served CRD version with a schema")
            finally:
                shutil.rmtree(work, ignore_errors=True)
        (staging / MARKER).write_text(lock_digest() + "\n")
        if dest.exists():
            shutil.rmtree(dest)
        staging.rename(dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def relock(sources: list[dict], path: Path = LOCK) -> None:
    """Rewrite the sums (sha256 per file, a Go module's h1) in the lock's text, keeping its comments."""
    text = path.read_text()
    for source in sources:
        if "go_sum" in source:
            text = re.sub(rf'(go_module = "{re.escape(source["go_module"])}"\ngo_sum = ")[^"]*"',
                          rf'\g<1>{source["go_sum"]}"', text)
        for entry in source["file"]:
            text = re.sub(rf'(path = "{re.escape(entry["path"])}"\n(?:\w+ = .*\n)*?sha256 = ")[0-9a-f]*"',
                          rf'\g<1>{entry["sha256"]}"', text)
    path.write_text(text)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=Path(os.environ.get("PDZ_SCHEMAS_DIR") or DEFAULT_DEST))
    parser.add_argument("--relock", action="store_true", help="rewrite the lock's sums from what is downloaded")
    args = parser.parse_args(argv)
    if not args.relock and is_current(args.dest):
        print(f"[pdz] deploy validation schemas up to date in {args.dest}")
        return 0
    sources = load_lock()
    print(f"[pdz] downloading the deploy validation schemas ({', '.join(s['name'] for s in sources)}) "
          f"into {args.dest}", flush=True)
    try:
        build(args.dest, sources, check=not args.relock)
    except SchemaDownloadError as exc:
        print(f"[pdz] schema download FAILED: {exc}", file=sys.stderr)
        return 1
    if args.relock:
        relock(sources)
        (args.dest / MARKER).write_text(lock_digest() + "\n")  # built from exactly these sums
        print(f"[pdz] {LOCK.name} rewritten: review `git diff` before committing")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
