//! `Fn::Sub`: `${Name}` (a parameter, resource or pseudo parameter), `${Resource.Attribute}`,
//! `${!Literal}`, and variables of the list form. The result keeps, byte by byte, where each
//! character came from: literal text maps to the template string, a substituted value to its
//! `${...}`.

use kmsguard_syntax::json::{Node, Value};
use kmsguard_syntax::{Span, unknown};

use super::intrinsics::Resolver;
use super::value::{Kind, Text, Val};

impl Resolver<'_, '_, '_> {
    /// `Fn::Sub`: `"text ${Name} ${Res.Attr} ${!Literal}"`, or `[text, {Name: value}]`.
    pub(super) fn sub(&mut self, arg: &Node<'_>, span: Span) -> Val {
        let (template, vars) = match &arg.value {
            Value::String(_) => (arg, None),
            Value::Array(items) if items.len() == 2 => match (items.first(), items.get(1)) {
                (Some(t), Some(v)) => (t, Some(v)),
                _ => return Val::unknown("Fn::Sub", span),
            },
            _ => {
                return self.invalid(
                    "Fn::Sub",
                    "expected a string, or a string and a mapping of variables",
                    "write `!Sub 'text ${Name}'` or `!Sub ['text ${Name}', {Name: value}]`",
                    arg.span,
                );
            }
        };
        let Some(s) = template.as_str() else {
            return self.invalid(
                "Fn::Sub",
                "the text to substitute must be a string",
                "write the text as a literal string",
                template.span,
            );
        };
        let text = Text::scalar(self.src, template.span, s);
        let mut variables: Vec<(String, Option<Val>)> = Vec::new();
        if let Some(vars) = vars {
            match vars.as_object() {
                Some(members) => {
                    for m in members {
                        let v = self.resolve(&m.value);
                        variables.push((m.key.clone().into_owned(), v));
                    }
                }
                None => {
                    return self.invalid(
                        "Fn::Sub",
                        "the variables must be a mapping",
                        "write the variables as `{Name: value}`",
                        vars.span,
                    );
                }
            }
        }
        let out = self.substitute(&text, &variables);
        Val {
            kind: Kind::Str(out),
            span,
        }
    }

    fn substitute(&mut self, text: &Text, variables: &[(String, Option<Val>)]) -> Text {
        let s = text.as_str();
        let mut out = Text::uniform("", text.span_of(Span::at(0)));
        let mut pos = 0usize;
        while let Some(found) = s.get(pos..).and_then(|rest| rest.find("${")) {
            let open = pos.saturating_add(found);
            out.push_part(text, pos..open);
            let body = open.saturating_add(2);
            if s.get(body..).is_some_and(|r| r.starts_with('!')) {
                // `${!Literal}` writes `${Literal}`.
                out.push_part(text, open..body);
                pos = body.saturating_add(1);
                continue;
            }
            let Some(close) = s.get(body..).and_then(|r| r.find('}')) else {
                let at = text.span_of(Span::new(open, s.len()));
                self.invalid(
                    "Fn::Sub",
                    "`${` is not closed",
                    "close the variable with `}`, or write `${!` for a literal `${`",
                    at,
                );
                out.push_part(text, open..s.len());
                return out;
            };
            let close = body.saturating_add(close);
            let name = s.get(body..close).unwrap_or("").trim();
            let at = text.span_of(Span::new(open, close.saturating_add(1)));
            let value = self.variable(name, variables, at);
            out.push_uniform(&value, at);
            pos = close.saturating_add(1);
        }
        out.push_part(text, pos..s.len());
        out
    }

    /// The text `${name}` stands for in an `Fn::Sub` written at `at`.
    fn variable(&mut self, name: &str, variables: &[(String, Option<Val>)], at: Span) -> String {
        let value = if let Some((_, v)) = variables.iter().find(|(n, _)| n == name) {
            v.clone()
        } else if let Some((id, attr)) = name.split_once('.').filter(|_| !name.contains("::")) {
            Some(self.get_att(id, attr, at))
        } else if name.contains(':') && !name.starts_with("AWS::") {
            // `${aws:username}`: an IAM policy variable written without `!`.
            self.unresolved(
                format!(
                    "`${{{name}}}` in `Fn::Sub` is read as a reference, and `{name}` names nothing"
                ),
                at,
                &format!("write `${{!{name}}}` to keep the IAM policy variable `${{{name}}}`"),
            );
            return unknown::placeholder(&format!("Sub {name}"));
        } else {
            self.reference(name, at)
        };
        match value.as_ref().and_then(Val::scalar_text) {
            Some(s) => s.into_owned(),
            None if value.is_none() => String::new(),
            None => {
                self.invalid(
                    "Fn::Sub",
                    &format!("`{name}` is not a string"),
                    "substitute only strings; use `Fn::Join` or `Fn::Select` for lists",
                    at,
                );
                unknown::placeholder(&format!("Sub {name}"))
            }
        }
    }
}
