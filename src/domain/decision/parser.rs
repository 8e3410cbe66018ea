//! Parsing matrix conditions: `error_rate > 5% and not (latency_p95 < 2 * baseline(latency_p95))`.
//!
//! Grammar, loosest binding first:
//!
//! ```text
//! condition  := or
//! or         := and  (("or"  | "||") and)*
//! and        := not  (("and" | "&&") not)*
//! not        := ("not" | "!") not | comparison
//! comparison := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?     -- never chained
//! sum        := product (("+" | "-") product)*
//! product    := unary (("*" | "/") unary)*
//! unary      := "-" unary | primary
//! primary    := number | name | name "(" args ")" | "(" condition ")"
//! number     := digits ["." digits] [("e"|"E") ["+"|"-"] digits] [unit]
//! unit       := "%" | "ms" | "s" | "m" | "h"                     -- 5% = 0.05, 500ms = 0.5
//! ```
//!
//! Keywords are case-insensitive; `≥ ≤ ≠` are accepted for `>= <= !=`. Every error
//! carries the byte offset where it was found and, where one helps, a hint. The parser
//! never panics, whatever the input (it is property-tested over arbitrary strings), and
//! refuses nesting deeper than [`MAX_DEPTH`] instead of overflowing the stack.

use super::condition::{ArithOp, Condition, Expr, FUNCTIONS, Func, Span};
pub use super::condition_error::ConditionError;
use super::condition_lexer::{Tok, Token, describe, lex};
use super::suggest::did_you_mean;

/// Deepest nesting of parentheses, `not` and unary minus accepted.
pub const MAX_DEPTH: usize = 64;

/// Parses a condition.
///
/// ```
/// use backout::domain::decision::parse_condition;
/// let c = parse_condition("error_rate > 5% or latency_p95 > 2 * baseline(latency_p95)").unwrap();
/// assert_eq!(c.to_string(), "error_rate > 0.05 or latency_p95 > 2 * baseline(latency_p95)");
/// let e = parse_condition("latency_p95 > 2 * baselin(latency_p95)").unwrap_err();
/// assert_eq!(e.offset, 18);
/// assert_eq!(e.message, "unknown function `baselin`");
/// assert_eq!(e.hint.as_deref(), Some("did you mean `baseline`?"));
/// ```
pub fn parse_condition(src: &str) -> Result<Condition, ConditionError> {
    let tokens = lex(src)?;
    let mut p = Parser {
        src,
        tokens,
        pos: 0,
        depth: 0,
    };
    if p.peek().kind == Tok::End {
        return Err(ConditionError::new(0, "empty condition")
            .hint("write a comparison, e.g. `error_rate > 0.05`"));
    }
    let node = p.or()?;
    let end = p.peek();
    if end.kind != Tok::End {
        return Err(p.unexpected(&end, "`and`, `or` or the end of the condition"));
    }
    into_condition(node, src, "a condition")
}

/// Checks each metric a condition reads against the names it may use (the keys of
/// `metrics.queries`); one error per unknown mention, located at the name.
pub fn check_metric_names<'a>(
    condition: &Condition,
    known: impl IntoIterator<Item = &'a str> + Clone,
) -> Vec<ConditionError> {
    condition
        .metric_refs()
        .into_iter()
        .filter(|r| !known.clone().into_iter().any(|k| k == r.name))
        .map(|r| {
            let e = ConditionError::new(r.span.start, format!("unknown metric `{}`", r.name));
            match did_you_mean(&r.name, known.clone()) {
                Some(s) => e.hint(format!("did you mean `{s}`?")),
                None => {
                    let names: Vec<&str> = known.clone().into_iter().collect();
                    if names.is_empty() {
                        e.hint("define it under `metrics.queries`")
                    } else {
                        e.hint(format!(
                            "metrics are the keys of `metrics.queries`: {}",
                            names.join(", ")
                        ))
                    }
                }
            }
        })
        .collect()
}

/// An untyped node while parsing: the parser checks types as it combines them.
enum Node {
    Cond(Condition, Span),
    Num(Expr, Span),
}

impl Node {
    fn span(&self) -> Span {
        match self {
            Node::Cond(_, s) | Node::Num(_, s) => *s,
        }
    }
}

fn join(a: Span, b: Span) -> Span {
    Span {
        start: a.start.min(b.start),
        end: a.end.max(b.end),
    }
}

fn snippet(src: &str, span: Span) -> &str {
    src.get(span.start..span.end).unwrap_or("?")
}

fn into_condition(node: Node, src: &str, wanted: &str) -> Result<Condition, ConditionError> {
    match node {
        Node::Cond(c, _) => Ok(c),
        Node::Num(_, span) => {
            let text = snippet(src, span);
            Err(ConditionError::new(
                span.start,
                format!("expected {wanted}, found the number expression `{text}`"),
            )
            .hint(format!("compare it with something, e.g. `{text} > 0.05`")))
        }
    }
}

fn into_expr(node: Node, src: &str, context: &str) -> Result<Expr, ConditionError> {
    match node {
        Node::Num(e, _) => Ok(e),
        Node::Cond(_, span) => Err(ConditionError::new(
            span.start,
            format!(
                "{context} needs a number, found the condition `{}`",
                snippet(src, span)
            ),
        )),
    }
}

struct Parser<'s> {
    src: &'s str,
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Token {
        self.tokens
            .get(self.pos)
            .or(self.tokens.last())
            .cloned()
            .unwrap_or(Token {
                kind: Tok::End,
                span: Span {
                    start: self.src.len(),
                    end: self.src.len(),
                },
            })
    }

    fn bump(&mut self) -> Token {
        let t = self.peek();
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn unexpected(&self, t: &Token, expected: &str) -> ConditionError {
        let e = ConditionError::new(
            t.span.start,
            format!("expected {expected}, found {}", describe(t, self.src)),
        );
        match &t.kind {
            Tok::Ident(word) if word.eq_ignore_ascii_case("for") => {
                e.hint("a duration is the rule's own key: `for: 2m` next to `when`")
            }
            Tok::Ident(_) | Tok::Number(_) if expected.contains("`and`") => {
                e.hint("join conditions with `and` or `or`")
            }
            _ => e,
        }
    }

    fn enter(&mut self, at: usize) -> Result<(), ConditionError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ConditionError::new(
                at,
                format!("condition nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Node, ConditionError> {
        self.chain(Tok::Or, "or", Self::and, Condition::Or)
    }

    fn and(&mut self) -> Result<Node, ConditionError> {
        self.chain(Tok::And, "and", Self::not, Condition::And)
    }

    /// `operand (op operand)*`, left-associative: each operand must be a condition, and
    /// `make` joins two (`word` names the operator in the error).
    fn chain(
        &mut self,
        op: Tok,
        word: &str,
        operand: fn(&mut Self) -> Result<Node, ConditionError>,
        make: fn(Box<Condition>, Box<Condition>) -> Condition,
    ) -> Result<Node, ConditionError> {
        let mut left = operand(self)?;
        while self.peek().kind == op {
            self.bump();
            let right = operand(self)?;
            let span = join(left.span(), right.span());
            let a = into_condition(left, self.src, &format!("a condition before `{word}`"))?;
            let b = into_condition(right, self.src, &format!("a condition after `{word}`"))?;
            left = Node::Cond(make(Box::new(a), Box::new(b)), span);
        }
        Ok(left)
    }

    /// The operand of prefix operator `op` (the next token), one level deeper, and the span
    /// of both.
    fn prefixed(
        &mut self,
        op: Token,
        operand: fn(&mut Self) -> Result<Node, ConditionError>,
    ) -> Result<(Node, Span), ConditionError> {
        self.bump();
        self.enter(op.span.start)?;
        let inner = operand(self)?;
        self.depth -= 1;
        let span = join(op.span, inner.span());
        Ok((inner, span))
    }

    fn not(&mut self) -> Result<Node, ConditionError> {
        let t = self.peek();
        if t.kind != Tok::Not {
            return self.comparison();
        }
        let (inner, span) = self.prefixed(t, Self::not)?;
        let c = into_condition(inner, self.src, "a condition after `not`")?;
        Ok(Node::Cond(Condition::Not(Box::new(c)), span))
    }

    fn comparison(&mut self) -> Result<Node, ConditionError> {
        let left = self.sum()?;
        let Tok::Cmp(op) = self.peek().kind else {
            return Ok(left);
        };
        let op_tok = self.bump();
        let right = self.sum()?;
        let span = join(left.span(), right.span());
        let context = format!("`{}`", op.symbol());
        let l = into_expr(left, self.src, &format!("the left side of {context}"))?;
        let r = into_expr(right, self.src, &format!("the right side of {context}"))?;
        let next = self.peek();
        if let Tok::Cmp(_) = next.kind {
            return Err(
                ConditionError::new(next.span.start, "comparisons cannot be chained").hint(
                    format!(
                        "write `a {} b and b {} c`",
                        snippet(self.src, op_tok.span),
                        snippet(self.src, next.span)
                    ),
                ),
            );
        }
        Ok(Node::Cond(
            Condition::Compare {
                op,
                left: l,
                right: r,
            },
            span,
        ))
    }

    fn sum(&mut self) -> Result<Node, ConditionError> {
        self.arith_chain([ArithOp::Add, ArithOp::Sub], Self::product)
    }

    fn product(&mut self) -> Result<Node, ConditionError> {
        self.arith_chain([ArithOp::Mul, ArithOp::Div], Self::unary)
    }

    /// `operand (op operand)*` for the arithmetic operators `ops` of one precedence level,
    /// left-associative.
    fn arith_chain(
        &mut self,
        ops: [ArithOp; 2],
        operand: fn(&mut Self) -> Result<Node, ConditionError>,
    ) -> Result<Node, ConditionError> {
        let mut left = operand(self)?;
        while let Tok::Arith(op) = self.peek().kind
            && ops.contains(&op)
        {
            self.bump();
            let right = operand(self)?;
            left = self.arith(op, left, right)?;
        }
        Ok(left)
    }

    fn arith(&self, op: ArithOp, left: Node, right: Node) -> Result<Node, ConditionError> {
        let span = join(left.span(), right.span());
        let context = format!("`{}`", op.symbol());
        let l = into_expr(left, self.src, &context)?;
        let r = into_expr(right, self.src, &context)?;
        Ok(Node::Num(
            Expr::Arith {
                op,
                left: Box::new(l),
                right: Box::new(r),
            },
            span,
        ))
    }

    fn unary(&mut self) -> Result<Node, ConditionError> {
        let t = self.peek();
        if t.kind != Tok::Arith(ArithOp::Sub) {
            return self.primary();
        }
        let (inner, span) = self.prefixed(t, Self::unary)?;
        let e = into_expr(inner, self.src, "`-`")?;
        Ok(Node::Num(Expr::Neg(Box::new(e)), span))
    }

    fn primary(&mut self) -> Result<Node, ConditionError> {
        let t = self.bump();
        match t.kind {
            Tok::Number(n) => Ok(Node::Num(Expr::Number(n), t.span)),
            Tok::LParen => {
                self.enter(t.span.start)?;
                let inner = self.or()?;
                self.depth -= 1;
                let close = self.bump();
                if close.kind != Tok::RParen {
                    return Err(self
                        .unexpected(&close, "`)`")
                        .hint(format!("to close the `(` at byte {}", t.span.start)));
                }
                let span = join(t.span, close.span);
                Ok(match inner {
                    Node::Cond(c, _) => Node::Cond(c, span),
                    Node::Num(e, _) => Node::Num(e, span),
                })
            }
            Tok::Ident(name) => {
                if self.peek().kind == Tok::LParen {
                    self.call(name, t.span)
                } else if name == "baseline" {
                    Err(
                        ConditionError::new(t.span.start, "`baseline` is a function")
                            .hint("write `baseline(metric)`"),
                    )
                } else {
                    Ok(Node::Num(Expr::Metric { name, span: t.span }, t.span))
                }
            }
            Tok::Cmp(_) | Tok::Arith(_) => Err(self.unexpected(&t, "a number or a metric name")),
            _ => Err(self.unexpected(&t, "a comparison such as `error_rate > 0.05`")),
        }
    }

    /// `name(args…)`, the `(` not yet consumed.
    fn call(&mut self, name: String, name_span: Span) -> Result<Node, ConditionError> {
        let open = self.bump();
        let lower = name.to_ascii_lowercase();
        if lower == "baseline" {
            let arg = self.bump();
            let Tok::Ident(metric) = arg.kind.clone() else {
                return Err(ConditionError::new(
                    arg.span.start,
                    format!(
                        "`baseline` takes a metric name, found {}",
                        describe(&arg, self.src)
                    ),
                )
                .hint("write e.g. `baseline(error_rate)`"));
            };
            let close = self.bump();
            if close.kind != Tok::RParen {
                return Err(self
                    .unexpected(&close, "`)`")
                    .hint("`baseline` takes exactly one metric name"));
            }
            return Ok(Node::Num(
                Expr::Baseline {
                    name: metric,
                    span: arg.span,
                },
                join(name_span, close.span),
            ));
        }
        let func = match lower.as_str() {
            "max" => Func::Max,
            "min" => Func::Min,
            "abs" => Func::Abs,
            _ => {
                let e = ConditionError::new(name_span.start, format!("unknown function `{name}`"));
                return Err(match did_you_mean(&name, FUNCTIONS) {
                    Some(s) => e.hint(format!("did you mean `{s}`?")),
                    None => e.hint(format!("functions are {}", FUNCTIONS.join(", "))),
                });
            }
        };
        self.enter(open.span.start)?;
        let mut args = Vec::new();
        let close = loop {
            if args.is_empty() && self.peek().kind == Tok::RParen {
                break self.bump();
            }
            let arg = self.or()?;
            args.push(into_expr(
                arg,
                self.src,
                &format!("an argument of `{name}`"),
            )?);
            let t = self.bump();
            match t.kind {
                Tok::Comma => continue,
                Tok::RParen => break t,
                _ => return Err(self.unexpected(&t, "`,` or `)`")),
            }
        };
        self.depth -= 1;
        let arity_ok = match func {
            Func::Abs => args.len() == 1,
            Func::Max | Func::Min => args.len() >= 2,
        };
        if !arity_ok {
            let wanted = if func == Func::Abs {
                "exactly one argument"
            } else {
                "at least two arguments"
            };
            return Err(ConditionError::new(
                name_span.start,
                format!("`{}` takes {wanted}, found {}", func.name(), args.len()),
            ));
        }
        Ok(Node::Num(
            Expr::Call { func, args },
            join(name_span, close.span),
        ))
    }
}

#[cfg(test)]
#[path = "parser_tests.rs"]
mod tests;
