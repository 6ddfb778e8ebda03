//! The documents of one file of an inventory, in the shape the linter reads
//! ([`ParsedFile`]): so `kmsguard lint template.yaml` and `kmsguard scan` run every lint rule
//! on the policies and grants a template or plan defines, with spans into that file.

use kmsguard_syntax::formats::{Content, Document, ParsedFile};

use crate::model::{Doc, FileId, Inventory};

fn push_doc(out: &mut Vec<Document>, doc: &Doc) {
    out.push(Document {
        location: doc.origin.location.clone(),
        name: Some(doc.label.clone()),
        span: doc.origin.span,
        content: Content::Policy(doc.policy.clone()),
    });
}

/// Every policy and grant read from `file`, in file order, with the readers' diagnostics for
/// that file.
#[must_use]
pub fn parsed_file(inv: &Inventory, file: FileId) -> ParsedFile {
    let mut docs = Vec::new();
    let mine = |d: &&Doc| d.origin.file == file;
    for k in &inv.keys {
        if let Some(d) = k.policy.as_ref().filter(mine) {
            push_doc(&mut docs, d);
        }
        for g in k.grants.iter().filter(|g| g.origin.file == file) {
            docs.push(Document {
                location: g.origin.location.clone(),
                name: None,
                span: g.origin.span,
                content: Content::Grant(g.grant.clone()),
            });
        }
    }
    for i in &inv.identities {
        for d in i.inline_policies.iter().chain(&i.trust_policy).filter(mine) {
            push_doc(&mut docs, d);
        }
    }
    for m in &inv.managed_policies {
        if mine(&&m.doc) {
            push_doc(&mut docs, &m.doc);
        }
    }
    for b in &inv.buckets {
        if let Some(d) = b.policy.as_ref().filter(mine) {
            push_doc(&mut docs, d);
        }
    }
    for p in &inv.org_policies {
        if mine(&&p.doc) {
            push_doc(&mut docs, &p.doc);
        }
    }
    docs.sort_by_key(|d| (d.span.start, d.span.end));
    // A document reachable twice (a managed policy listed once per attachment) is linted once.
    docs.dedup_by(|a, b| a.span == b.span && a.content == b.content);
    let mut diagnostics: Vec<_> = inv
        .diagnostics
        .iter()
        .filter(|(f, _)| *f == file)
        .map(|(_, d)| d.clone())
        .collect();
    kmsguard_syntax::diagnostic::sort(&mut diagnostics);
    ParsedFile {
        format: None,
        documents: docs,
        diagnostics,
    }
}
