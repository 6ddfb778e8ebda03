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

// The hash the library looks names up with.
#[path = "src/hash.rs"]
mod hash;

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

    fn name(&self, id: u32) -> &str {
        let i = id as usize;
        &self.blob[self.offsets[i] as usize..self.offsets[i + 1] as usize]
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

/// The filter the library applies before matching a templated key name: the first (up to)
/// eight bytes of its literal head (before the first variable), ASCII-lower-cased, as a
/// little-endian word, and the mask of those bytes. `(0, 0)` (no filter) for other names.
fn head_filter(name: &str) -> (u64, u64) {
    if !is_templated(name) {
        return (0, 0);
    }
    let lower = name.to_ascii_lowercase();
    let var = lower.find("${").unwrap_or(lower.len());
    let tail = if lower.ends_with("/tag-key") {
        lower.len() - "tag-key".len()
    } else {
        lower.len()
    };
    let head = &lower.as_bytes()[..var.min(tail).min(8)];
    let mut word = [0u8; 8];
    word[..head.len()].copy_from_slice(head);
    let mask = if head.len() == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * head.len())) - 1
    };
    (u64::from_le_bytes(word), mask)
}

fn write_keys(out: &mut String, table: &str, rows: &[KeyRow], strs: &Strings) {
    writeln!(out, "pub(crate) static {table}: [Key; {}] = [", rows.len()).unwrap();
    for k in rows {
        let (hd, hm) = head_filter(strs.name(k.name));
        writeln!(
            out,
            "Key{{n:{},t:T::{},v:{},hd:{hd:#x},hm:{hm:#x}}},",
            k.name, k.ty, k.templated
        )
        .unwrap();
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
    // Case-folded name -> row index, for the lookup tables.
    let mut service_index: std::collections::BTreeMap<String, usize> =
        std::collections::BTreeMap::new();
    // (first action row of the service, case-folded action name) -> action row. The first row
    // seeds the hash, so that each service's names hash apart.
    let mut action_index: std::collections::BTreeMap<(usize, String), usize> =
        std::collections::BTreeMap::new();
    // The string id of each action row's name.
    let mut action_names: Vec<u32> = Vec::new();
    // Each service's region of the action table, `(start, len)`, by its first action row, and
    // the table's length.
    let mut action_regions: HashMap<usize, (usize, usize)> = HashMap::new();
    let mut action_table_len = 0usize;
    let mut svc_keys: Vec<KeyRow> = Vec::new();
    // Every key name listed for an action or a resource type.
    let mut key_refs: std::collections::BTreeSet<u32> = std::collections::BTreeSet::new();
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
            key_refs.extend(keys.iter().copied());
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
                key_refs.extend(keys.iter().copied());
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
            key_refs.extend(keys.iter().copied());
            let (k0, k1) = refs.range(keys);
            let (d0, d1) = refs.range(deps);
            writeln!(
                actions,
                "Act{{n:{},l:L::{level},r:({r_start},{n_act_res}),k:({k0},{k1}),d:({d0},{d1})}},",
                strs.id(act_name)
            )
            .unwrap();
            action_index
                .entry((a_start, act_name.to_ascii_lowercase()))
                .or_insert(n_actions);
            action_names.push(strs.id(act_name));
            n_actions += 1;
        }

        // The service's own region of `ACTION_TABLE`.
        let at_len = hash::table_len(n_actions - a_start);
        let at = (action_table_len, at_len);
        action_table_len += at_len;
        if n_actions > a_start {
            action_regions.insert(a_start, at);
        }
        writeln!(
            services,
            "Svc{{p:{},n:{},a:({a_start},{n_actions}),at:({},{}),t:({rt_start},{n_rtypes}),k:({k_start},{})}},",
            strs.id(prefix),
            strs.id(name),
            at.0,
            at.1,
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
    // Lookup tables: open addressing over `hash::hash_ci`, `(tag, row)` per slot.
    let table = |out: &mut String, name: &str, entries: &[(u64, usize)]| {
        let len = hash::table_len(entries.len());
        let mut slots = vec![(0u32, u32::MAX); len];
        for &(h, row) in entries {
            let (mut slot, tag) = hash::slot_and_tag(h, len);
            while slots[slot].1 != u32::MAX {
                slot = (slot + 1) & (len - 1);
            }
            slots[slot] = (tag, u32::try_from(row).unwrap());
        }
        write!(out, "pub(crate) static {name}: [(u32, u32); {len}] = [").unwrap();
        for (tag, row) in slots {
            write!(out, "({tag},{row}),").unwrap();
        }
        out.push_str("];\n");
    };
    let service_entries: Vec<(u64, usize)> = service_index
        .iter()
        .map(|(k, &v)| (hash::hash_ci(0, k.as_bytes()), v))
        .collect();
    table(&mut out, "SERVICE_TABLE", &service_entries);
    // One region of the action table per service, so that the slots of a service's actions are
    // near one another (documents name a few services many times). Each slot also holds the
    // name's place in `STR_BLOB`, so that a lookup reads the slot and the name, not the action's
    // row and `STR_OFF` in between (each a likely cache miss).
    {
        // A slot's first number is the tag and the name's length (`tag << 32 | length`), so
        // that a probe tells most other names apart with one comparison; an empty slot's is
        // `u64::MAX`, which no name's is.
        let mut slots = vec![(u64::MAX, u32::MAX, 0u32); action_table_len];
        for ((first, name), &row) in &action_index {
            let (base, len) = action_regions[first];
            let h = hash::hash_ci(*first as u64, name.as_bytes());
            let (mut slot, tag) = hash::slot_and_tag(h, len);
            while slots[base + slot].1 != u32::MAX {
                slot = (slot + 1) & (len - 1);
            }
            let id = action_names[row] as usize;
            let (start, end) = (strs.offsets[id], strs.offsets[id + 1]);
            let key = (u64::from(tag) << 32) | u64::from(end - start);
            slots[base + slot] = (key, u32::try_from(row).unwrap(), start);
        }
        write!(
            out,
            "pub(crate) static ACTION_TABLE: [(u64, u32, u32); {action_table_len}] = ["
        )
        .unwrap();
        for (key, row, start) in slots {
            write!(out, "({key},{row},{start}),").unwrap();
        }
        out.push_str("];\n");
    }
    // The first eight bytes of each action's name, folded and big-endian (see
    // `Service::matching_actions`): binary searches compare these before reading names.
    write!(
        out,
        "pub(crate) static ACTION_HEADS: [u64; {}] = [",
        action_names.len()
    )
    .unwrap();
    for &id in &action_names {
        let head = hash::folded_word(strs.name(id).as_bytes(), 0).swap_bytes();
        write!(out, "{head},").unwrap();
    }
    out.push_str("];\n");
    let global_entries: Vec<(u64, usize)> = global_keys
        .iter()
        .enumerate()
        .map(|(i, k)| (hash::hash_ci(0, strs.name(k.name).as_bytes()), i))
        .collect();
    table(&mut out, "GLOBAL_KEY_TABLE", &global_entries);
    let global_templated: Vec<usize> = global_keys
        .iter()
        .enumerate()
        .filter(|(_, k)| k.templated)
        .map(|(i, _)| i)
        .collect();
    writeln!(
        out,
        "pub(crate) static GLOBAL_TEMPLATED: [u32; {}] = {global_templated:?};",
        global_templated.len()
    )
    .unwrap();
    let all_entries: Vec<(u64, usize)> = all
        .iter()
        .enumerate()
        .map(|(i, k)| (hash::hash_ci(0, strs.name(k.name).as_bytes()), i))
        .collect();
    table(&mut out, "KEY_TABLE", &all_entries);
    // Key names listed for actions and resource types, grouped by case-folded name.
    let mut groups: std::collections::BTreeMap<String, Vec<u32>> =
        std::collections::BTreeMap::new();
    for &id in &key_refs {
        groups
            .entry(strs.name(id).to_ascii_lowercase())
            .or_default()
            .push(id);
    }
    let (mut ref_ids, mut ref_groups, mut ref_entries) = (Vec::new(), Vec::new(), Vec::new());
    for (lower, ids) in &groups {
        let start = ref_ids.len();
        ref_ids.extend(ids.iter().copied());
        ref_entries.push((hash::hash_ci(0, lower.as_bytes()), ref_groups.len()));
        ref_groups.push((start, ref_ids.len()));
    }
    // Templated names, sorted by case-folded name; those whose literal head (before the first
    // variable) is shorter than two bytes go to a list that every query scans.
    let mut ref_templated: Vec<u32> = key_refs
        .iter()
        .copied()
        .filter(|&id| is_templated(strs.name(id)))
        .collect();
    ref_templated.sort_by_key(|&id| strs.name(id).to_ascii_lowercase());
    let (ref_templated, ref_templated_short): (Vec<u32>, Vec<u32>) =
        ref_templated.into_iter().partition(|&id| {
            let name = strs.name(id);
            let var = name.find("${").unwrap_or(name.len());
            let tail = if name.to_ascii_lowercase().ends_with("/tag-key") {
                name.len() - "tag-key".len()
            } else {
                name.len()
            };
            var.min(tail) >= 2
        });
    let ref_templated_short: Vec<(u32, u64, u64)> = ref_templated_short
        .into_iter()
        .map(|id| {
            let (hd, hm) = head_filter(strs.name(id));
            (id, hd, hm)
        })
        .collect();
    writeln!(
        out,
        "pub(crate) static KEYREF_TEMPLATED_SHORT: [(u32, u64, u64); {}] = {ref_templated_short:?};",
        ref_templated_short.len()
    )
    .unwrap();
    writeln!(
        out,
        "pub(crate) static KEYREF_IDS: [u32; {}] = {ref_ids:?};",
        ref_ids.len()
    )
    .unwrap();
    writeln!(
        out,
        "pub(crate) static KEYREF_GROUPS: [(u32, u32); {}] = {ref_groups:?};",
        ref_groups.len()
    )
    .unwrap();
    table(&mut out, "KEYREF_TABLE", &ref_entries);
    let ref_templated: Vec<(u32, u64, u64)> = ref_templated
        .into_iter()
        .map(|id| {
            let (hd, hm) = head_filter(strs.name(id));
            (id, hd, hm)
        })
        .collect();
    writeln!(
        out,
        "pub(crate) static KEYREF_TEMPLATED: [(u32, u64, u64); {}] = {ref_templated:?};",
        ref_templated.len()
    )
    .unwrap();
    let templated: Vec<u32> = all
        .iter()
        .enumerate()
        .filter(|(_, k)| k.templated)
        .map(|(i, _)| u32::try_from(i).unwrap())
        .collect();
    writeln!(
        out,
        "pub(crate) static TEMPLATED_KEYS: [u32; {}] = {templated:?};",
        templated.len()
    )
    .unwrap();
    write_keys(&mut out, "SVC_KEYS", &svc_keys, &strs);
    write_keys(&mut out, "GLOBAL_KEYS", &global_keys, &strs);
    write_keys(&mut out, "ALL_KEYS", &all, &strs);

    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("catalog.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("writing {}: {e}", dest.display()));
}
