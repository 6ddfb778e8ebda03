//! Text with policy variables (conditions.md §6).

/// A string that may hold policy variables. Under `2008-10-17` (or an absent `Version`) it is
/// always a single literal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Template {
    /// The text as written.
    pub raw: String,
    /// The text split into literal runs, escapes and variables. Empty for the empty string.
    pub parts: Vec<TemplatePart>,
}

/// A piece of a [`Template`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TemplatePart {
    /// Literal text, where `*` and `?` keep their wildcard meaning in `Like` patterns.
    Literal(String),
    /// `${*}`, `${?}` or `${$}`: the character itself, never a wildcard.
    Escaped(char),
    /// `${key}` or `${key, 'default'}`.
    Variable {
        /// The context key as written (names are case-insensitive).
        key: String,
        /// The default after the comma, without quotes.
        default: Option<String>,
    },
}

/// A malformed variable reference: `${` without `}`, an empty name, or a bad default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TemplateError {
    /// Byte offset of the `${` in the text.
    pub offset: usize,
    /// Byte length of the bad reference.
    pub len: usize,
}

impl Template {
    /// A template that is the literal text `raw` (no variable interpretation).
    #[must_use]
    pub fn literal(raw: &str) -> Self {
        let parts = if raw.is_empty() {
            Vec::new()
        } else {
            vec![TemplatePart::Literal(raw.to_owned())]
        };
        Self {
            raw: raw.to_owned(),
            parts,
        }
    }

    /// Parses `${...}` references in `raw`.
    ///
    /// # Errors
    /// The first malformed reference. (IAM treats such text as literal; the caller reports it
    /// and falls back to [`Template::literal`].)
    pub fn parse(raw: &str) -> Result<Self, TemplateError> {
        if !raw.contains("${") {
            return Ok(Self::literal(raw));
        }
        let mut parts = Vec::new();
        let mut rest = raw;
        let mut offset = 0usize;
        while let Some(start) = rest.find("${") {
            if start > 0 {
                parts.push(TemplatePart::Literal(
                    rest.get(..start).unwrap_or("").to_owned(),
                ));
            }
            let after = rest.get(start.saturating_add(2)..).unwrap_or("");
            let bad = TemplateError {
                offset: offset.saturating_add(start),
                len: rest.len().saturating_sub(start),
            };
            let close = after.find('}').ok_or(bad)?;
            let inner = after.get(..close).unwrap_or("");
            let bad = TemplateError {
                offset: bad.offset,
                len: close.saturating_add(3),
            };
            parts.push(parse_reference(inner).ok_or(bad)?);
            let consumed = start.saturating_add(close).saturating_add(3);
            rest = rest.get(consumed..).unwrap_or("");
            offset = offset.saturating_add(consumed);
        }
        if !rest.is_empty() {
            parts.push(TemplatePart::Literal(rest.to_owned()));
        }
        Ok(Self {
            raw: raw.to_owned(),
            parts,
        })
    }

    /// Whether the template holds any variable.
    #[must_use]
    pub fn has_variables(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, TemplatePart::Variable { .. }))
    }

    /// Whether the template is plain text (no variables, no escapes).
    #[must_use]
    pub fn is_literal(&self) -> bool {
        self.parts
            .iter()
            .all(|p| matches!(p, TemplatePart::Literal(_)))
    }
}

fn parse_reference(inner: &str) -> Option<TemplatePart> {
    match inner {
        "*" => return Some(TemplatePart::Escaped('*')),
        "?" => return Some(TemplatePart::Escaped('?')),
        "$" => return Some(TemplatePart::Escaped('$')),
        _ => {}
    }
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => {
            let d = default.trim();
            let d = d.strip_prefix('\'').and_then(|d| d.strip_suffix('\''))?;
            (key.trim(), Some(d.to_owned()))
        }
        None => (inner.trim(), None),
    };
    let valid = !key.is_empty()
        && key.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b':' | b'/' | b'-' | b'_' | b'.' | b'@' | b'+' | b'=')
        });
    valid.then(|| TemplatePart::Variable {
        key: key.to_owned(),
        default,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_variables_escapes_and_defaults() {
        let t = Template::parse("home/${aws:username}/${*}x${aws:PrincipalTag/team, 'none'}")
            .unwrap_or_else(|_| Template::literal(""));
        assert_eq!(
            t.parts,
            vec![
                TemplatePart::Literal("home/".into()),
                TemplatePart::Variable {
                    key: "aws:username".into(),
                    default: None
                },
                TemplatePart::Literal("/".into()),
                TemplatePart::Escaped('*'),
                TemplatePart::Literal("x".into()),
                TemplatePart::Variable {
                    key: "aws:PrincipalTag/team".into(),
                    default: Some("none".into())
                },
            ]
        );
        assert!(Template::parse("a${aws:username").is_err());
        assert!(Template::parse("${}").is_err());
        assert_eq!(Template::parse("plain").map(|t| t.is_literal()), Ok(true));
    }
}
