//! Compiles `data/iam-catalog.json` into static Rust tables in `$OUT_DIR/catalog.rs`, which
//! `src/lib.rs` includes. The layout is described in `src/lib.rs` (module `data`).
//!
//! Every string is interned once into one blob (`STR_BLOB`, sliced by `STR_OFF`); tables refer
//! to strings by `u32` id and to sub-lists by `(start, end)` ranges into shared arrays, so the
//! generated file is a handful of flat arrays that rustc compiles quickly.

// A build script may fail loudly: a malformed data file should stop the build with a message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::{Map, Value};

#[derive(Default)]
struct Strings {
    blob: String,
    offsets: Vec<u32>,
    ids: HashMap<String, u32>,
}

impl Strings {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        self.blob.push_str(s);
        let id = u32::try_from(self.offsets.len() - 1).unwrap();
        self.offsets.push(u32::try_from(self.blob.len()).unwrap());
        self.ids.insert(s.to_owned(), id);
        id
    }
}

/// Lists of `u32` (string ids) stored once each in a shared array.
#[derive(Default)]
struct Refs {
    items: Vec<u32>,
    lists: HashMap<Vec<u32>, (u32, u32)>,
}

impl Refs {
    fn range(&mut self, list: Vec<u32>) -> (u32, u32) {
        if list.is_empty() {
            return (0, 0);
        }
        if let Some(&r) = self.lists.get(&list) {
            return r;
        }
        let start = u32::try_from(self.items.len()).unwrap();
        self.items.extend_from_slice(&list);
        let r = (start, u32::try_from(self.items.len()).unwrap());
        self.lists.insert(list, r);
        r
    }
}

fn obj<'a>(v: &'a Value, what: &str) -> &'a Map<String, Value> {
    v.as_object()
        .unwrap_or_else(|| panic!("iam-catalog.json: {what} is not an object"))
}

fn arr<'a>(v: &'a Value, what: &str) -> &'a [Value] {
    v.as_array()
        .unwrap_or_else(|| panic!("iam-catalog.json: {what} is not an array"))
}

fn string<'a>(v: &'a Value, what: &str) -> &'a str {
    v.as_str()
        .unwrap_or_else(|| panic!("iam-catalog.json: {what} is not a string"))
}

fn strings<'a>(v: Option<&'a Value>, what: &str) -> Vec<&'a str> {
    v.map(|v| arr(v, what).iter().map(|s| string(s, what)).collect())
        .unwrap_or_default()
}

fn key_type(t: &str) -> &'static str {
    match t {
        "String" => "String",
        "ArrayOfString" => "ArrayOfString",
        "ARN" | "Arn" => "Arn",
        "ArrayOfARN" | "ArrayOfArn" => "ArrayOfArn",
        "Bool" | "Boolean" => "Bool",
        "ArrayOfBool" => "ArrayOfBool",
        "Numeric" => "Numeric",
        "Date" => "Date",
        "IPAddress" | "IpAddress" => "IpAddress",
        "Binary" => "Binary",
        _ => "Other",
    }
}

fn access_level(l: &str, what: &str) -> &'static str {
    match l {
        "List" => "List",
        "Read" => "Read",
        "Write" => "Write",
        "Permissions management" | "Permissions management, Write" => "PermissionsManagement",
        "Tagging" | "Tagging, Write" => "Tagging",
        _ => panic!("iam-catalog.json: {what}: unknown access level {l:?}"),
    }
}

fn is_templated(name: &str) -> bool {
    name.contains("${") || name.to_ascii_lowercase().ends_with("/tag-key")
}

fn sorted_ci<'a, T>(m: impl Iterator<Item = (&'a String, T)>) -> Vec<(&'a String, T)> {
    let mut v: Vec<_> = m.collect();
    v.sort_by_key(|(k, _)| k.to_ascii_lowercase());
    for w in v.windows(2) {
        assert!(
            !w[0].0.eq_ignore_ascii_case(w[1].0),
            "iam-catalog.json: names differing only in case: {} / {}",
            w[0].0,
            w[1].0
        );
    }
    v
}

struct KeyRow {
    name: u32,
    ty: &'static str,
    templated: bool,
}

fn write_keys(out: &mut String, table: &str, rows: &[KeyRow]) {
    writeln!(out, "pub(crate) static {table}: [Key; {}] = [", rows.len()).unwrap();
    for k in rows {
        writeln!(out, "Key{{n:{},t:T::{},v:{}}},", k.name, k.ty, k.templated).unwrap();
    }
    out.push_str("];\n");
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let input = manifest.join("data").join("iam-catalog.json");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed={}", input.display());
    let text = std::fs::read_to_string(&input)
        .unwrap_or_else(|e| panic!("reading {}: {e}", input.display()));
    let root: Value = serde_json::from_str(&text).expect("iam-catalog.json is not valid JSON");

    let source = obj(&root["source"], "source");
    let version = string(&source["version"], "source.version");
    let updated = string(&source["data_updated"], "source.data_updated");

    let mut strs = Strings::default();
    let mut refs = Refs::default();
    let mut out = String::with_capacity(4 << 20);
    // Rows, rendered as we go.
    let mut services = String::new();
    let mut actions = String::new();
    let mut act_res = String::new();
    let mut rtypes = String::new();
    let (mut n_services, mut n_actions, mut n_act_res, mut n_rtypes) = (0usize, 0usize, 0, 0);
    // Case-folded name -> row index, for O(1) lookups through perfect-hash maps.
    let mut service_index: std::collections::BTreeMap<String, usize> =
        std::collections::BTreeMap::new();
    let mut action_index: std::collections::BTreeMap<String, usize> =
        std::collections::BTreeMap::new();
    let mut svc_keys: Vec<KeyRow> = Vec::new();
    // Union of every key definition, first definition of a (case-folded) name wins:
    // global keys, then each service's own keys, then keys a service lists under another prefix.
    let mut all_keys: HashMap<String, KeyRow> = HashMap::new();

    let globals = obj(&root["global_condition_keys"], "global_condition_keys");
    let mut global_keys = Vec::new();
    for (name, def) in sorted_ci(globals.iter()) {
        let ty = key_type(string(&def["type"], "global key type"));
        let row = KeyRow {
            name: strs.id(name),
            ty,
            templated: is_templated(name),
        };
        all_keys.insert(
            name.to_ascii_lowercase(),
            KeyRow {
                name: row.name,
                ty,
                templated: row.templated,
            },
        );
        global_keys.push(row);
    }

    let svcs = obj(&root["services"], "services");
    let svc_list = sorted_ci(svcs.iter());
    let mut foreign_keys = Vec::new();
    for (prefix, svc) in &svc_list {
        let svc = obj(svc, prefix);
        let name = string(&svc["name"], "service name");

        // Resource types, sorted case-insensitively; remember each one's global index.
        let rt_start = n_rtypes;
        let mut rt_index: HashMap<&str, u32> = HashMap::new();
        let rts = obj(&svc["resource_types"], "resource_types");
        for (rt_name, rt) in sorted_ci(rts.iter()) {
            let rt = obj(rt, rt_name);
            let arn = string(&rt["arn"], "arn");
            let keys: Vec<u32> = strings(rt.get("condition_keys"), "condition_keys")
                .into_iter()
                .map(|k| strs.id(k))
                .collect();
            let (k0, k1) = refs.range(keys);
            writeln!(
                rtypes,
                "Rt{{n:{},a:{},k:({k0},{k1})}},",
                strs.id(rt_name),
                strs.id(arn)
            )
            .unwrap();
            rt_index.insert(rt_name.as_str(), u32::try_from(n_rtypes).unwrap());
            n_rtypes += 1;
        }

        // Condition keys of the service.
        let k_start = svc_keys.len();
        let keys = obj(&svc["condition_keys"], "condition_keys");
        for (key, def) in sorted_ci(keys.iter()) {
            let ty = key_type(string(&def["type"], "key type"));
            let id = strs.id(key);
            let templated = is_templated(key);
            svc_keys.push(KeyRow {
                name: id,
                ty,
                templated,
            });
            let own = key
                .split(':')
                .next()
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix));
            let row = KeyRow {
                name: id,
                ty,
                templated,
            };
            if own {
                all_keys.entry(key.to_ascii_lowercase()).or_insert(row);
            } else {
                foreign_keys.push((key.to_ascii_lowercase(), row));
            }
        }

        // Actions, sorted case-insensitively.
        let a_start = n_actions;
        let acts = obj(&svc["actions"], "actions");
        for (act_name, act) in sorted_ci(acts.iter()) {
            let what = format!("{prefix}:{act_name}");
            let act = obj(act, &what);
            let level = access_level(string(&act["access_level"], &what), &what);
            let r_start = n_act_res;
            let mut deps: Vec<u32> = strings(act.get("dependent_actions"), "dependent_actions")
                .into_iter()
                .map(|d| strs.id(d))
                .collect();
            for r in arr(&act["resource_types"], &what) {
                let r = obj(r, &what);
                let rt_name = string(&r["name"], "resource type name");
                let rt = *rt_index.get(rt_name).unwrap_or_else(|| {
                    panic!("iam-catalog.json: {what} uses unknown resource type {rt_name}")
                });
                let required = r["required"].as_bool().unwrap_or(false);
                let keys: Vec<u32> = strings(r.get("condition_keys"), "condition_keys")
                    .into_iter()
                    .map(|k| strs.id(k))
                    .collect();
                // Dependent actions listed per resource type are merged into the action's.
                for d in strings(r.get("dependent_actions"), "dependent_actions") {
                    let id = strs.id(d);
                    if !deps.contains(&id) {
                        deps.push(id);
                    }
                }
                let (k0, k1) = refs.range(keys);
                writeln!(act_res, "Ar{{t:{rt},q:{required},k:({k0},{k1})}},").unwrap();
                n_act_res += 1;
            }
            let keys: Vec<u32> = strings(act.get("condition_keys"), "condition_keys")
                .into_iter()
                .map(|k| strs.id(k))
                .collect();
            let (k0, k1) = refs.range(keys);
            let (d0, d1) = refs.range(deps);
            writeln!(
                actions,
                "Act{{n:{},l:L::{level},r:({r_start},{n_act_res}),k:({k0},{k1}),d:({d0},{d1})}},",
                strs.id(act_name)
            )
            .unwrap();
            action_index
                .entry(format!(
                    "{}:{}",
                    prefix.to_ascii_lowercase(),
                    act_name.to_ascii_lowercase()
                ))
                .or_insert(n_actions);
            n_actions += 1;
        }

        writeln!(
            services,
            "Svc{{p:{},n:{},a:({a_start},{n_actions}),t:({rt_start},{n_rtypes}),k:({k_start},{})}},",
            strs.id(prefix),
            strs.id(name),
            svc_keys.len()
        )
        .unwrap();
        service_index
            .entry(prefix.to_ascii_lowercase())
            .or_insert(n_services);
        n_services += 1;
    }
    for (lower, row) in foreign_keys {
        all_keys.entry(lower).or_insert(row);
    }
    let mut all: Vec<(String, KeyRow)> = all_keys.into_iter().collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    let all: Vec<KeyRow> = all.into_iter().map(|(_, r)| r).collect();

    out.push_str("// @generated by build.rs from data/iam-catalog.json. Do not edit.\n");
    writeln!(out, "pub(crate) static VERSION: &str = {version:?};").unwrap();
    writeln!(out, "pub(crate) static DATA_UPDATED: &str = {updated:?};").unwrap();
    writeln!(out, "pub(crate) static STR_BLOB: &str = {:?};", strs.blob).unwrap();
    writeln!(
        out,
        "pub(crate) static STR_OFF: [u32; {}] = {:?};",
        strs.offsets.len(),
        strs.offsets
    )
    .unwrap();
    writeln!(
        out,
        "pub(crate) static REFS: [u32; {}] = {:?};",
        refs.items.len(),
        refs.items
    )
    .unwrap();
    writeln!(
        out,
        "pub(crate) static SERVICES: [Svc; {n_services}] = [\n{services}];"
    )
    .unwrap();
    writeln!(
        out,
        "pub(crate) static ACTIONS: [Act; {n_actions}] = [\n{actions}];"
    )
    .unwrap();
    writeln!(
        out,
        "pub(crate) static ACT_RES: [Ar; {n_act_res}] = [\n{act_res}];"
    )
    .unwrap();
    writeln!(
        out,
        "pub(crate) static RTYPES: [Rt; {n_rtypes}] = [\n{rtypes}];"
    )
    .unwrap();
    let service_values: Vec<(&str, String)> = service_index
        .iter()
        .map(|(k, v)| (k.as_str(), v.to_string()))
        .collect();
    let mut service_map = phf_codegen::Map::new();
    for (k, v) in &service_values {
        service_map.entry(*k, v);
    }
    writeln!(
        out,
        "pub(crate) static SERVICE_INDEX: phf::Map<&'static str, u32> = {};",
        service_map.build()
    )
    .unwrap();
    let action_values: Vec<(&str, String)> = action_index
        .iter()
        .map(|(k, v)| (k.as_str(), v.to_string()))
        .collect();
    let mut action_map = phf_codegen::Map::new();
    for (k, v) in &action_values {
        action_map.entry(*k, v);
    }
    writeln!(
        out,
        "pub(crate) static ACTION_INDEX: phf::Map<&'static str, u32> = {};",
        action_map.build()
    )
    .unwrap();
    write_keys(&mut out, "SVC_KEYS", &svc_keys);
    write_keys(&mut out, "GLOBAL_KEYS", &global_keys);
    write_keys(&mut out, "ALL_KEYS", &all);

    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("catalog.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("writing {}: {e}", dest.display()));
}
