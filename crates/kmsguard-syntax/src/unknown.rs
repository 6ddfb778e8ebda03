//! Values that a pre-deploy input cannot know.
//!
//! A CloudFormation parameter without a default, an `Fn::ImportValue`, or an attribute that a
//! Terraform plan reports in `after_unknown` has no value until AWS creates the resource. The
//! template readers put a *placeholder* in its place: the text `⟪what⟫`, where `what` says
//! where the value comes from (`Ref KeyAdminRoleArn`, `after_unknown module.kms.aws_kms_key.this.arn`).
//! A placeholder may sit inside a longer string (`arn:aws:iam::⟪Ref Account⟫:root`).
//!
//! The lowering does not report a placeholder as malformed, lint rules do not judge it, and
//! the evaluator treats any element that holds one as *unknown*: a decision that depends on it
//! is `Indeterminate`, never a guessed Allow or Deny. The brackets (U+27EA, U+27EB) do not
//! occur in AWS identifiers, so a real policy never holds one.

/// Opens a placeholder.
pub const OPEN: char = '\u{27EA}';
/// Closes a placeholder.
pub const CLOSE: char = '\u{27EB}';

/// A placeholder for a value that comes from `what`.
#[must_use]
pub fn placeholder(what: &str) -> String {
    let mut s = String::with_capacity(what.len() + 6);
    s.push(OPEN);
    // A nested bracket would end the placeholder early.
    s.extend(what.chars().filter(|&c| c != OPEN && c != CLOSE));
    s.push(CLOSE);
    s
}

/// Whether `text` holds a placeholder.
#[must_use]
pub fn contains(text: &str) -> bool {
    // Almost every value is ASCII, which a placeholder never is: that check is a fast scan.
    !text.is_ascii() && text.contains(OPEN)
}

/// What the first placeholder in `text` stands for (`Ref KeyAdminRoleArn`).
#[must_use]
pub fn describe(text: &str) -> Option<&str> {
    let start = text.find(OPEN)? + OPEN.len_utf8();
    let rest = text.get(start..)?;
    let end = rest.find(CLOSE).unwrap_or(rest.len());
    rest.get(..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let p = placeholder("Ref Admin");
        assert_eq!(p, "⟪Ref Admin⟫");
        let arn = format!("arn:aws:iam::{p}:root");
        assert!(contains(&arn));
        assert_eq!(describe(&arn), Some("Ref Admin"));
        assert!(!contains("arn:aws:iam::111122223333:root"));
        assert_eq!(placeholder("a⟪b⟫c"), "⟪abc⟫");
    }
}
