//! Reading AWS KMS key policies, IAM policies and KMS grants into a typed, spanned AST.
//!
//! ```
//! use kmsguard_syntax::{ParseOptions, parse_text};
//! let file = parse_text(r#"{"Version":"2012-10-17","Statement":{"Effect":"Alow"}}"#, &ParseOptions::default());
//! assert!(file.has_errors());
//! ```

pub mod ast;
pub mod diagnostic;
pub mod formats;
pub mod json;
pub mod lower;
pub mod render;
pub mod source;
mod swar;
pub mod unknown;

pub use diagnostic::{Code, Diagnostic, Label, Severity};
pub use formats::{
    Content, Document, InputFormat, ParseOptions, ParsedFile, parse_bytes, parse_text,
};
pub use source::{SourceFile, Span, Spanned};
