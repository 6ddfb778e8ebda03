//! Diagnostic codes of the CloudFormation reader (`P3xx`: template problems).
//!
//! They extend the `P0xx` reading codes of `kmsguard_syntax` (which the reader also uses for
//! oversized or too deeply nested input and duplicate keys).

use kmsguard_syntax::Code;

/// The YAML text is malformed.
pub const P301: Code = Code::new("P301", "invalid-yaml");
/// A YAML alias (`*name`): CloudFormation rejects templates that use them.
pub const P302: Code = Code::new("P302", "yaml-alias");
/// A YAML tag that is not a CloudFormation intrinsic (`!Foo`), or a mapping key that is not a
/// plain value.
pub const P303: Code = Code::new("P303", "unsupported-yaml-tag");
/// The template's shape is wrong: not a mapping, no `Resources`, a resource without `Type`,
/// several YAML documents.
pub const P304: Code = Code::new("P304", "invalid-template");
/// A `Ref`, `Fn::GetAtt`, `Fn::Sub` variable, condition or mapping key that names nothing in
/// the template.
pub const P305: Code = Code::new("P305", "unresolved-reference");
/// An intrinsic function with malformed arguments.
pub const P306: Code = Code::new("P306", "invalid-intrinsic");
/// A template feature kmsguard does not evaluate (macros, SAM, `Fn::Transform`, `Fn::ForEach`):
/// what it produces is unknown.
pub const P307: Code = Code::new("P307", "unsupported-feature");
/// A resource property kmsguard reads has the wrong type or value.
pub const P308: Code = Code::new("P308", "invalid-property");
/// A condition, or a resource name, that depends on itself.
pub const P309: Code = Code::new("P309", "circular-reference");

/// An `Fn::If` selecting a statement, list or mapping on a condition that cannot be decided
/// before deployment: its value is unknown.
pub const P310: Code = Code::new("P310", "undecidable-condition");

/// Every code of the CloudFormation reader.
pub const ALL: &[Code] = &[P301, P302, P303, P304, P305, P306, P307, P308, P309, P310];
