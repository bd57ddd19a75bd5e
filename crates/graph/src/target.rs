//! The target grammar of `upgrade` and `downgrade`: absolute ids and keywords, `+N`/`-N`,
//! `REV+N`, `label@...` forms, parsed with exactly the precedence of Alembic's regular
//! expression `(?:(.+?)@)?(\w+)?((?:\+|-)\d+)` (anchored at the start only).

use crate::resolve::Pos;
use crate::{GraphError, RevisionMap};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Relative {
    pub label: Option<String>,
    pub symbol: Option<String>,
    /// The signed number as typed, e.g. `+2`, `-01`.
    pub typed: String,
    pub value: i64,
    /// Text after the number, which Alembic silently ignores.
    pub trailing: String,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `(\w+)?([+-]\d+)` at the start of `s`.
fn match_symbol_and_number(s: &str) -> Option<(Option<String>, String, i64, String)> {
    let w = s
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(s.len(), |(i, _)| i);
    let rest = &s[w..];
    let sign = rest.chars().next().filter(|c| *c == '+' || *c == '-')?;
    let digits_len = rest[1..].bytes().take_while(u8::is_ascii_digit).count();
    if digits_len == 0 {
        return None;
    }
    let digits = &rest[1..1 + digits_len];
    let magnitude: i64 = digits.parse().unwrap_or(i64::MAX);
    let value = if sign == '-' { -magnitude } else { magnitude };
    let symbol = (w > 0).then(|| s[..w].to_string());
    Some((
        symbol,
        rest[..1 + digits_len].to_string(),
        value,
        rest[1 + digits_len..].to_string(),
    ))
}

pub(crate) fn parse_relative(s: &str) -> Option<Relative> {
    // The lazy label group is tried first, at each '@' from the left; '.' stops at a newline.
    for (p, c) in s.char_indices() {
        if c == '\n' {
            break;
        }
        if c == '@' && p > 0 {
            if let Some((symbol, typed, value, trailing)) = match_symbol_and_number(&s[p + 1..]) {
                return Some(Relative {
                    label: Some(s[..p].to_string()),
                    symbol,
                    typed,
                    value,
                    trailing,
                });
            }
        }
    }
    let (symbol, typed, value, trailing) = match_symbol_and_number(s)?;
    Some(Relative {
        label: None,
        symbol,
        typed,
        value,
        trailing,
    })
}

impl RevisionMap {
    fn pos_of(&self, s: &str) -> Result<Pos, GraphError> {
        Ok(self.get_revision(s)?.map_or(Pos::Nothing, Pos::Rev))
    }

    fn relative_error(target: &str, rel: &Relative) -> GraphError {
        GraphError::RelativeTooFar {
            target: target.to_string(),
            steps: rel.value.unsigned_abs(),
        }
    }

    fn reject_trailing(target: &str, rel: &Relative) -> Result<(), GraphError> {
        // Alembic ignores anything after the number (`+1abc` means `+1`); that is junk.
        if rel.trailing.is_empty() {
            Ok(())
        } else {
            Err(GraphError::BadTarget {
                target: target.to_string(),
                reason: format!("unexpected '{}' after the step count", rel.trailing),
            })
        }
    }

    /// Alembic's `_parse_upgrade_target`: the revisions to upgrade to (empty for `base`).
    pub(crate) fn parse_upgrade_target(
        &self,
        rows: &[usize],
        target: &str,
    ) -> Result<Vec<usize>, GraphError> {
        if target.is_empty() {
            return Err(GraphError::EmptyTarget);
        }
        let Some(rel) = parse_relative(target) else {
            return self.get_revisions(target);
        };
        Self::reject_trailing(target, &rel)?;
        let label = rel.label.as_deref();
        let end = if rel.value > 0 {
            match &rel.symbol {
                None => {
                    let mut starts: Vec<Pos> = rows.iter().map(|&r| Pos::Rev(r)).collect();
                    if let Some(l) = label {
                        let on_branch = self.filter_for_lineage(rows, l, false)?;
                        starts = on_branch.iter().map(|&r| Pos::Rev(r)).collect();
                        if starts.is_empty() {
                            let below: Vec<usize> =
                                self.ancestors(rows, true).into_iter().collect();
                            let active = self.filter_for_lineage(&below, l, false)?;
                            let mut tips: Vec<usize> = active
                                .iter()
                                .copied()
                                .filter(|r| {
                                    !active.iter().any(|o| self.nodes[*o].norm_down.contains(r))
                                })
                                .collect();
                            tips.sort_unstable();
                            starts = tips.into_iter().map(Pos::Rev).collect();
                        }
                    }
                    if starts.is_empty() {
                        starts.push(Pos::Nothing);
                    }
                    if starts.len() > 1 {
                        return Err(GraphError::AmbiguousRelative {
                            target: target.to_string(),
                            rows: self.ids(rows.iter().copied()),
                        });
                    }
                    self.walk(starts[0], rel.value, label, true, target)?
                        .ok_or_else(|| Self::relative_error(target, &rel))?
                }
                Some(sym) => {
                    let start = self.pos_of(sym)?;
                    self.walk(start, rel.value, label, true, target)?
                        .ok_or_else(|| GraphError::WalkedTooFar {
                            target: target.to_string(),
                        })?
                }
            }
        } else {
            let Some(sym) = &rel.symbol else {
                return Err(Self::relative_error(target, &rel));
            };
            let start = match label {
                None => self.pos_of(sym)?,
                Some(l) => self.pos_of(&format!("{l}@{sym}"))?,
            };
            self.walk(start, rel.value, None, true, target)?
                .ok_or_else(|| GraphError::WalkedTooFar {
                    target: target.to_string(),
                })?
        };
        match end {
            Pos::Rev(r) => Ok(vec![r]),
            // Alembic fails with an AssertionError here (e.g. `base+0`, `root-1`).
            Pos::Base | Pos::Nothing => Err(GraphError::WalkedTooFar {
                target: target.to_string(),
            }),
        }
    }

    /// Alembic's `_parse_downgrade_target`: (branch label, target) where `None` is base.
    pub(crate) fn parse_downgrade_target(
        &self,
        rows: &[usize],
        target: &str,
    ) -> Result<(Option<String>, Option<usize>), GraphError> {
        if target.is_empty() {
            return Err(GraphError::EmptyTarget);
        }
        let Some(rel) = parse_relative(target) else {
            // Absolute: the label is what precedes the *last* '@'.
            let (label, sym) = match target.rsplit_once('@') {
                Some((l, s)) if !l.is_empty() => (Some(l.to_string()), s),
                Some((_, s)) => (None, s),
                None => (None, target),
            };
            return Ok((label, self.get_revision(sym)?));
        };
        Self::reject_trailing(target, &rel)?;
        let mut label = rel.label.clone();
        let to_rev = |p: Pos| match p {
            Pos::Rev(r) => Some(r),
            Pos::Base | Pos::Nothing => None,
        };
        if rel.value >= 0 {
            let Some(sym) = &rel.symbol else {
                return Err(Self::relative_error(target, &rel));
            };
            let start = self.pos_of(sym)?;
            let end = self
                .walk(start, rel.value, label.as_deref(), true, target)?
                .filter(|p| *p != Pos::Nothing)
                .ok_or_else(|| GraphError::WalkedTooFar {
                    target: target.to_string(),
                })?;
            return Ok((label, to_rev(end)));
        }
        let relative_to_rows = rel.symbol.is_none();
        let symbol: String = match (&rel.symbol, &label) {
            (Some(s), _) => s.clone(),
            (None, Some(l)) => {
                let mut on_branch = self.filter_for_lineage(rows, l, false)?;
                if on_branch.is_empty() {
                    let current = self.all_current(rows);
                    on_branch = self.filter_for_lineage(&current, l, false)?;
                }
                match on_branch.as_slice() {
                    [one] => self.id(*one).to_string(),
                    // Alembic fails with an AssertionError here.
                    [] => {
                        return Err(GraphError::BadTarget {
                            target: target.to_string(),
                            reason: format!("the database has no revision on branch '{l}'"),
                        })
                    }
                    _ => {
                        return Err(GraphError::AmbiguousRelative {
                            target: target.to_string(),
                            rows: self.ids(on_branch.iter().copied()),
                        })
                    }
                }
            }
            (None, None) => {
                let Some(&first) = rows.first() else {
                    return Err(Self::relative_error(target, &rel));
                };
                // Alembic warns and takes the first row when there are several; Stratum refuses
                // to guess (see `plan_downgrade`), so this is only reached with one row.
                let s = self.id(first).to_string();
                label = Some(s.clone());
                s
            }
        };
        let start = match &label {
            None => self.pos_of(&symbol)?,
            Some(l) => self.pos_of(&format!("{l}@{symbol}"))?,
        };
        let end = self.walk(start, rel.value, None, true, target)?;
        match end {
            Some(p) if p != Pos::Nothing => Ok((label, to_rev(p))),
            _ if relative_to_rows => Err(Self::relative_error(target, &rel)),
            _ => Err(GraphError::WalkedTooFar {
                target: target.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_targets_follow_alembics_regex() {
        let r = parse_relative("+2").expect("matches");
        assert_eq!((r.label, r.symbol, r.value), (None, None, 2));
        let r = parse_relative("abc@def-1").expect("matches");
        assert_eq!(
            (r.label.as_deref(), r.symbol.as_deref(), r.value),
            (Some("abc"), Some("def"), -1)
        );
        let r = parse_relative("a@b@c+1").expect("matches");
        assert_eq!(
            (r.label.as_deref(), r.symbol.as_deref()),
            (Some("a@b"), Some("c"))
        );
        let r = parse_relative("head+1zzz").expect("matches");
        assert_eq!(r.trailing, "zzz");
        assert!(parse_relative("ae10").is_none());
        assert!(parse_relative("lbl@head").is_none());
        assert!(parse_relative("x+").is_none());
    }
}
