//! Putting what a file describes into the inventory: finding or creating the resource, and
//! deciding, facet by facet, whether the new description replaces the one already there.
//!
//! A *facet* is one thing an output describes about one resource: a key's metadata, its
//! policy, its grants, its rotation; a bucket's replication, encryption, location. The rule:
//! a proposed description replaces a current one, a current one never replaces a proposed
//! one, and between two of the same state the later file (in path order) wins, except for
//! lists (grants, targets) where they add up.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use kmsguard_syntax::Span;

use super::{arn_parts, is_account_id};
use crate::model::{
    FileId, Identity, IdentityKind, Image, Inventory, Key, OrgAccount, Origin, Sharing, Snapshot,
    State,
};

/// What a facet's new description does to the one already held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Claim {
    /// Nothing was held: write.
    First,
    /// A current description is replaced by a proposed one: clear, then write.
    Upgrade,
    /// Same state as what is held: overwrite a value, add to a list.
    Same,
    /// A proposed description is held and this one is current: ignore it.
    Skip,
}

impl Claim {
    /// Whether to write at all.
    pub(crate) fn writes(self) -> bool {
        self != Self::Skip
    }

    /// Whether a list should be emptied before writing.
    pub(crate) fn clears(self) -> bool {
        self == Self::Upgrade
    }
}

/// What one load remembers across its files.
#[derive(Debug, Default)]
pub struct Session {
    /// The state of the description last written for each facet (`key:ARN#policy`).
    facets: FastMap<String, State>,
    /// Resources this load created (`key:ARN`): everything the model holds about them came
    /// from this session, so `facets` alone says which state holds each facet.
    created: FastSet<String>,
    /// Organization policies by id: (id, policy name).
    org_ids: Vec<(String, String)>,
    /// `list-targets-for-policy` outputs waiting for their policy: (policy id or name,
    /// targets, file, span).
    targets: Vec<(String, Vec<String>, FileId, Span)>,
    /// `list-parents` outputs: (child, parent).
    parents: Vec<(String, String)>,
    /// Positions of identities in the model by (kind, account, name), for the first
    /// `identities_indexed` of them (the model only ever appends identities).
    identity_ix: FastMap<(IdentityKind, String, String), usize>,
    identities_indexed: usize,
    /// Positions of keys in the model by ARN (the first key of each ARN, as a scan would
    /// find), for the first `keys_indexed` of them (the model only ever appends keys, and a
    /// key's ARN does not change once it is there).
    key_ix: FastMap<String, usize>,
    keys_indexed: usize,
}

/// Hash maps for the session's lookups by name: nothing iterates them, so their order does
/// not matter, and `foldhash` is much cheaper than SipHash on these short strings.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
type FastSet<T> = HashSet<T, foldhash::fast::RandomState>;

impl Session {
    /// Makes room for `identities` more identities described with `facets` facets in all
    /// (a large `get-account-authorization-details` output adds thousands at once: growing
    /// the maps once instead of rehashing them at every doubling).
    pub(crate) fn reserve_identities(&mut self, identities: usize, facets: usize) {
        self.facets.reserve(facets);
        self.created.reserve(identities);
        self.identity_ix.reserve(identities);
    }

    /// The position of the identity `(kind, account, name)` in the model, if there is one.
    pub(crate) fn find_identity(
        &mut self,
        inv: &Inventory,
        kind: IdentityKind,
        account: &str,
        name: &str,
    ) -> Option<usize> {
        // Index what other readers (or earlier files) added since the last call.
        for (n, i) in inv
            .identities
            .iter()
            .enumerate()
            .skip(self.identities_indexed)
        {
            let ix = (i.kind, i.account.clone(), i.name.clone());
            self.identity_ix.entry(ix).or_insert(n);
        }
        self.identities_indexed = inv.identities.len();
        self.identity_ix
            .get(&(kind, account.to_owned(), name.to_owned()))
            .copied()
    }

    /// The position of the key `arn` in the model, if there is one.
    pub(crate) fn find_key(&mut self, inv: &Inventory, arn: &str) -> Option<usize> {
        // Index what other readers (or earlier files) added since the last call.
        for (n, k) in inv.keys.iter().enumerate().skip(self.keys_indexed) {
            if !self.key_ix.contains_key(k.arn.as_str()) {
                self.key_ix.insert(k.arn.clone(), n);
            }
        }
        self.keys_indexed = inv.keys.len();
        self.key_ix.get(arn).copied()
    }

    /// Claims facet `facet` of `resource` for a description in `state`. `held` is the state
    /// of what the model already holds for that facet, which matters only when another reader
    /// (a template, a plan) put it there: this session then has no record of it.
    pub(crate) fn claim_over(
        &mut self,
        resource: &str,
        facet: &str,
        state: State,
        held: Option<State>,
    ) -> Claim {
        // `concat` rather than `format!` for the names built for every identity and facet.
        match self.facets.entry([resource, "#", facet].concat()) {
            // What the model holds counts only for a resource another reader put there: it
            // is recorded as this facet's state, then claimed over.
            Entry::Vacant(v) => match held.filter(|_| !self.created.contains(resource)) {
                Some(h) => {
                    let c = claim(Some(h), state);
                    v.insert(if c == Claim::Upgrade { state } else { h });
                    c
                }
                None => {
                    v.insert(state);
                    Claim::First
                }
            },
            Entry::Occupied(mut o) => {
                let c = claim(Some(*o.get()), state);
                if c == Claim::Upgrade {
                    o.insert(state);
                }
                c
            }
        }
    }

    /// Remembers an organization policy's id.
    pub(crate) fn org_id(&mut self, id: String, name: String) {
        self.org_ids.push((id, name));
    }

    /// Remembers targets of the policy `policy` (id or name).
    pub(crate) fn pending_targets(
        &mut self,
        policy: String,
        targets: Vec<String>,
        file: FileId,
        span: Span,
    ) {
        self.targets.push((policy, targets, file, span));
    }

    /// Remembers that `parent` is the parent of `child` (an account or OU).
    pub(crate) fn parent(&mut self, child: String, parent: String) {
        self.parents.push((child, parent));
    }

    /// Resolves what needed every file: attaches policy targets and builds each account's
    /// path from the root out of `list-parents` outputs. Accounts the inventory already
    /// places (a manifest's `[[organization.account]]`) keep their path.
    pub fn finish(&mut self, inv: &mut Inventory) {
        for (policy, targets, file, span) in std::mem::take(&mut self.targets) {
            let name = self
                .org_ids
                .iter()
                .find(|(id, _)| *id == policy)
                .map_or(policy.as_str(), |(_, n)| n.as_str());
            match inv.org_policies.iter_mut().find(|p| p.name == name) {
                Some(p) => {
                    for t in targets {
                        if !p.targets.contains(&t) {
                            p.targets.push(t);
                        }
                    }
                }
                None => inv.diagnostics.push((
                    file,
                    kmsguard_syntax::Diagnostic::warning(
                        super::UNATTACHED,
                        format!("targets of policy `{policy}`, which the inventory does not hold"),
                    )
                    .label(span, "these targets are left out")
                    .help("add the `organizations describe-policy` output of that policy to the inventory"),
                )),
            }
        }
        for (child, _) in &self.parents {
            if !is_account_id(child) || inv.org_accounts.iter().any(|a| a.account == *child) {
                continue;
            }
            let mut path = Vec::new();
            let mut at = child.as_str();
            // A cycle in hand-written outputs must not loop forever.
            while let Some((_, parent)) = self.parents.iter().find(|(c, _)| c == at) {
                if path.contains(parent) || path.len() > 16 {
                    break;
                }
                path.push(parent.clone());
                at = parent;
            }
            path.reverse();
            inv.org_accounts.push(OrgAccount {
                account: child.clone(),
                path,
                management: false,
            });
        }
        self.parents.clear();
    }
}

/// What a description in `state` does to a facet whose last description is in state `held`
/// (`None`: nothing is held).
fn claim(held: Option<State>, state: State) -> Claim {
    match held {
        None => Claim::First,
        Some(State::Current) if state == State::Proposed => Claim::Upgrade,
        Some(State::Proposed) if state == State::Current => Claim::Skip,
        Some(_) => Claim::Same,
    }
}

/// The index of the key `arn`, creating a stub from the ARN when the inventory does not
/// hold it yet (its metadata unknown until `describe-key` is read).
pub(crate) fn key_index(
    inv: &mut Inventory,
    session: &mut Session,
    arn: &str,
    origin: &Origin,
) -> usize {
    if let Some(i) = session.find_key(inv, arn) {
        return i;
    }
    session.created.insert(key_resource(arn));
    let parts = arn_parts(arn);
    let id = parts
        .and_then(|p| p.resource.strip_prefix("key/"))
        .unwrap_or(arn);
    inv.keys.push(Key::unknown(
        arn.to_owned(),
        id.to_owned(),
        parts.map(|p| p.account.to_owned()).unwrap_or_default(),
        parts.map(|p| p.region.to_owned()).unwrap_or_default(),
        origin.clone(),
    ));
    inv.keys.len().saturating_sub(1)
}

/// The IAM noun of a kind (`role`).
pub(crate) fn noun(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::Role => "role",
        IdentityKind::User => "user",
        IdentityKind::Group => "group",
    }
}

/// The index of the identity `name` of `kind` in `account`, creating a stub (ARN without a
/// path) when the inventory does not hold it. A role's name is unique in its account whatever
/// its path, so the name and account identify it.
pub(crate) fn identity_index(
    inv: &mut Inventory,
    session: &mut Session,
    kind: IdentityKind,
    account: &str,
    name: &str,
    origin: &Origin,
) -> usize {
    if let Some(i) = session.find_identity(inv, kind, account, name) {
        return i;
    }
    session
        .created
        .insert(identity_resource(kind, account, name));
    inv.identities.push(Identity {
        kind,
        arn: ["arn:aws:iam::", account, ":", noun(kind), "/", name].concat(),
        name: name.to_owned(),
        account: account.to_owned(),
        unique_id: None,
        inline_policies: Vec::new(),
        attached_policies: Vec::new(),
        groups: Vec::new(),
        boundary: None,
        trust_policy: None,
        origin: Origin {
            location: String::new(),
            ..origin.clone()
        },
    });
    inv.identities.len().saturating_sub(1)
}

/// The index of bucket `name`, creating it when needed.
pub(crate) fn bucket_index(
    inv: &mut Inventory,
    session: &mut Session,
    name: &str,
    origin: &Origin,
) -> usize {
    if let Some(i) = inv.buckets.iter().position(|b| b.name == name) {
        return i;
    }
    session.created.insert(bucket_resource(name));
    inv.buckets.push(crate::model::Bucket {
        name: name.to_owned(),
        account: None,
        region: None,
        encryption: None,
        versioning_enabled: None,
        replication: None,
        policy: None,
        origin: origin.clone(),
    });
    inv.buckets.len().saturating_sub(1)
}

/// The index of image `id`, creating a stub when needed.
pub(crate) fn image_index(
    inv: &mut Inventory,
    session: &mut Session,
    id: &str,
    origin: &Origin,
) -> usize {
    if let Some(i) = inv.images.iter().position(|b| b.id == id) {
        return i;
    }
    session.created.insert(ec2_resource(id));
    inv.images.push(Image {
        id: id.to_owned(),
        account: None,
        region: None,
        public: false,
        snapshots: Vec::new(),
        launch_permissions: Sharing::default(),
        origin: origin.clone(),
    });
    inv.images.len().saturating_sub(1)
}

/// The index of snapshot `id`, creating a stub when needed.
pub(crate) fn snapshot_index(
    inv: &mut Inventory,
    session: &mut Session,
    id: &str,
    origin: &Origin,
) -> usize {
    if let Some(i) = inv.snapshots.iter().position(|b| b.id == id) {
        return i;
    }
    session.created.insert(ec2_resource(id));
    inv.snapshots.push(Snapshot {
        id: id.to_owned(),
        account: None,
        region: None,
        encrypted: false,
        kms_key: None,
        volume_permissions: Sharing::default(),
        origin: origin.clone(),
    });
    inv.snapshots.len().saturating_sub(1)
}

/// The resource name of a key in [`Session`] records.
pub(crate) fn key_resource(arn: &str) -> String {
    ["key:", arn].concat()
}

/// The resource name of an identity.
pub(crate) fn identity_resource(kind: IdentityKind, account: &str, name: &str) -> String {
    [noun(kind), ":", account, ":", name].concat()
}

/// The resource name of a bucket.
pub(crate) fn bucket_resource(name: &str) -> String {
    format!("s3:{name}")
}

/// The resource name of an image or snapshot.
pub(crate) fn ec2_resource(id: &str) -> String {
    format!("ec2:{id}")
}

/// Whether a key holds `describe-key` metadata (not only a stub made from its ARN).
pub(crate) fn described(k: &Key) -> bool {
    k.spec.is_some() || k.usage.is_some() || k.state.is_some() || k.manager.is_some()
}
