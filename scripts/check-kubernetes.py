#!/usr/bin/env python3
"""Checks deploy/kubernetes without a cluster.

- Every manifest, and what `kubectl kustomize` makes of each kustomization when kubectl is
  installed, against Kubernetes' own API schemas (PyPI kubernetes-validate, strict: an unknown
  field is an error), for the oldest version the manifests need (1.29: backoffLimitPerIndex).
- What the schemas cannot see: the Indexed Job's --instances equals its completions, the
  Prometheus annotations name the port pubsim serves its metrics on, and both Jobs write and
  read the same volume.

Usage: scripts/check-kubernetes.py [DIR] [--version 1.29]   (exit 1 on any problem)
"""

import argparse
import pathlib
import shutil
import subprocess
import sys

import kubernetes_validate
import yaml


def manifests(folder):
    """The YAML files that are Kubernetes objects (not kustomizations, not the pubsim profile)."""
    for path in sorted(folder.rglob("*.yaml")):
        if path.name in ("kustomization.yaml", "profile.yaml"):
            continue
        yield path


def validate(documents, source, version, problems):
    for document in documents:
        if not document:
            continue
        name = f"{source}: {document.get('kind')}/{document.get('metadata', {}).get('name')}"
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            problems.append(f"{name}: {error.message} at {'.'.join(map(str, error.path))}")
        except kubernetes_validate.utils.SchemaNotFoundError as error:
            problems.append(f"{name}: no schema: {error}")


def option(args, flag):
    """The value after `flag` in a container's args, or None."""
    return args[args.index(flag) + 1] if flag in args else None


def check_jobs(documents, problems):
    jobs = {d["metadata"]["name"]: d for d in documents if d and d.get("kind") == "Job"}
    load, merge = jobs.get("pubsim-load"), jobs.get("pubsim-merge")
    if load is None or merge is None:
        problems.append("expected the Jobs pubsim-load and pubsim-merge")
        return
    spec = load["spec"]
    pod = spec["template"]
    container = pod["spec"]["containers"][0]
    args = [str(a) for a in container["args"]]
    if spec.get("completionMode") != "Indexed":
        problems.append("pubsim-load: completionMode must be Indexed (JOB_COMPLETION_INDEX)")
    if option(args, "--instances") != str(spec.get("completions")):
        problems.append(
            f"pubsim-load: --instances {option(args, '--instances')} but completions {spec.get('completions')}")
    listen = option(args, "--metrics-listen") or ""
    port = listen.rsplit(":", 1)[-1]
    annotations = pod["metadata"].get("annotations", {})
    if annotations.get("prometheus.io/scrape") != "true" or annotations.get("prometheus.io/port") != port:
        problems.append(f"pubsim-load: prometheus.io annotations do not name --metrics-listen port {port!r}")
    if port not in [str(p.get("containerPort")) for p in container.get("ports", [])]:
        problems.append(f"pubsim-load: no containerPort {port}")
    report = option(args, "--report")
    merge_args = [str(a) for a in merge["spec"]["template"]["spec"]["containers"][0]["args"]]
    if merge_args[:2] != ["report", report]:
        problems.append(f"pubsim-merge must run `report {report}` (the load's --report), not {merge_args[:2]}")

    def claim(job):
        volumes = job["spec"]["template"]["spec"].get("volumes", [])
        return [v["persistentVolumeClaim"]["claimName"] for v in volumes if "persistentVolumeClaim" in v]

    if claim(load) != claim(merge) or not claim(load):
        problems.append(f"the Jobs use different volumes: {claim(load)} and {claim(merge)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", default="deploy/kubernetes")
    parser.add_argument("--version", default="1.29")
    options = parser.parse_args()
    folder = pathlib.Path(options.folder)
    problems = []
    documents = []
    for path in manifests(folder):
        loaded = list(yaml.safe_load_all(path.read_text()))
        validate(loaded, path, options.version, problems)
        documents += loaded
    check_jobs(documents, problems)
    checked = len([d for d in documents if d])
    kubectl = shutil.which("kubectl")
    for kustomization in sorted(folder.rglob("kustomization.yaml")):
        if kubectl is None:
            print("note: no kubectl, kustomizations not built", file=sys.stderr)
            break
        built = subprocess.run(
            [kubectl, "kustomize", str(kustomization.parent)], capture_output=True, text=True)
        if built.returncode != 0:
            problems.append(f"kubectl kustomize {kustomization.parent}: {built.stderr.strip()}")
            continue
        rendered = list(yaml.safe_load_all(built.stdout))
        validate(rendered, f"kustomize {kustomization.parent}", options.version, problems)
        checked += len([d for d in rendered if d])
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"{checked} objects valid against Kubernetes {options.version}, Jobs consistent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
