//! The documents of one file of an inventory, in the shape the linter reads
//! ([`ParsedFile`]): so `kmsguard lint template.yaml` and `kmsguard scan` run every lint rule
//! on the policies and grants a template or plan defines, with spans into that file.

use kmsguard_syntax::formats::{Content, Document, ParsedFile};

use crate::model::{Doc, FileId, Inventory};

fn doc_document(doc: &Doc) -> (FileId, Document) {
    (
        doc.origin.file,
        Document {
            location: doc.origin.location.clone(),
            name: Some(doc.label.clone()),
            span: doc.origin.span,
            content: Content::Policy(doc.policy.clone()),
        },
    )
}

/// Every policy and grant of the inventory, with the file it was read from.
fn all_documents(inv: &Inventory) -> Vec<(FileId, Document)> {
    let mut out = Vec::new();
    for k in &inv.keys {
        // An AWS managed key's policy is AWS's and cannot be changed (kms.md §3): linting it
        // would only report AWS's choices (it has no `PutKeyPolicy` statement by design).
        if k.manager == Some(crate::model::KeyManager::Aws) {
            continue;
        }
        out.extend(k.policy.iter().map(doc_document));
        for g in &k.grants {
            out.push((
                g.origin.file,
                Document {
                    location: g.origin.location.clone(),
                    name: None,
                    span: g.origin.span,
                    content: Content::Grant(g.grant.clone()),
                },
            ));
        }
    }
    for i in &inv.identities {
        out.extend(
            i.inline_policies
                .iter()
                .chain(&i.trust_policy)
                .map(doc_document),
        );
    }
    out.extend(inv.managed_policies.iter().map(|m| doc_document(&m.doc)));
    out.extend(
        inv.buckets
            .iter()
            .filter_map(|b| b.policy.as_ref())
            .map(doc_document),
    );
    out.extend(inv.org_policies.iter().map(|p| doc_document(&p.doc)));
    out
}

fn finish(
    mut docs: Vec<Document>,
    mut diagnostics: Vec<kmsguard_syntax::Diagnostic>,
) -> ParsedFile {
    docs.sort_by_key(|d| (d.span.start, d.span.end));
    // A document reachable twice (a managed policy listed once per attachment) is linted once.
    docs.dedup_by(|a, b| a.span == b.span && a.content == b.content);
    kmsguard_syntax::diagnostic::sort(&mut diagnostics);
    ParsedFile {
        format: None,
        documents: docs,
        diagnostics,
    }
}

/// Every policy and grant read from `file`, in file order, with the readers' diagnostics for
/// that file.
#[must_use]
pub fn parsed_file(inv: &Inventory, file: FileId) -> ParsedFile {
    let docs = all_documents(inv)
        .into_iter()
        .filter(|(f, _)| *f == file)
        .map(|(_, d)| d)
        .collect();
    let diagnostics = inv
        .diagnostics
        .iter()
        .filter(|(f, _)| *f == file)
        .map(|(_, d)| d.clone())
        .collect();
    finish(docs, diagnostics)
}

/// [`parsed_file`] for every file of the inventory, in one pass.
#[must_use]
pub fn parsed_files(inv: &Inventory) -> Vec<ParsedFile> {
    let n = inv.files.len();
    let mut docs: Vec<Vec<Document>> = (0..n).map(|_| Vec::new()).collect();
    let mut diags: Vec<Vec<kmsguard_syntax::Diagnostic>> = (0..n).map(|_| Vec::new()).collect();
    for (f, d) in all_documents(inv) {
        if let Some(v) = docs.get_mut(f.0 as usize) {
            v.push(d);
        }
    }
    for (f, d) in &inv.diagnostics {
        if let Some(v) = diags.get_mut(f.0 as usize) {
            v.push(d.clone());
        }
    }
    docs.into_iter()
        .zip(diags)
        .map(|(d, g)| finish(d, g))
        .collect()
}

/// Accounts outside a key's own that the inventory says are meant to use it: the accounts an
/// image or snapshot encrypted with the key is shared with, and the account of a replication
/// role that writes replicas with it. Cross-account access to those accounts is intended, so
/// `scan` does not report it as unexplained external access.
#[must_use]
pub fn intended_external_accounts(inv: &Inventory, key: &crate::model::Key) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let is_key = |reference: &str| inv.find_key(reference).is_some_and(|k| k.arn == key.arn);
    for image in &inv.images {
        let uses = image.snapshots.iter().any(|s| {
            s.kms_key.as_deref().is_some_and(is_key)
                || inv.snapshots.iter().any(|x| {
                    x.id == s.snapshot_id && x.kms_key.as_ref().is_some_and(|k| is_key(&k.node))
                })
        });
        if uses {
            out.extend(
                image
                    .launch_permissions
                    .accounts
                    .iter()
                    .map(|a| a.node.clone()),
            );
        }
    }
    for snap in &inv.snapshots {
        if snap.kms_key.as_ref().is_some_and(|k| is_key(&k.node)) {
            out.extend(
                snap.volume_permissions
                    .accounts
                    .iter()
                    .map(|a| a.node.clone()),
            );
        }
    }
    for b in &inv.buckets {
        let Some(rep) = &b.replication else { continue };
        if rep
            .rules
            .iter()
            .any(|r| r.replica_kms_key.as_ref().is_some_and(|k| is_key(&k.node)))
        {
            if let Some(account) = rep.role.node.split(':').nth(4) {
                out.push(account.to_owned());
            }
        }
    }
    out.retain(|a| *a != key.account);
    out.sort();
    out.dedup();
    out
}

/// The key whose policy holds `span` of `file`, if any.
#[must_use]
pub fn key_of_policy_at(
    inv: &Inventory,
    file: FileId,
    span: kmsguard_syntax::Span,
) -> Option<&crate::model::Key> {
    inv.keys.iter().find(|k| {
        k.policy.as_ref().is_some_and(|d| {
            d.origin.file == file
                && d.origin.span.start <= span.start
                && span.end <= d.origin.span.end
        })
    })
}
