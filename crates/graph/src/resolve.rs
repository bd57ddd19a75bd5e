//! Identifier resolution: `head`, `heads`, `base`, full and partial ids, branch labels,
//! `label@id`, lineage and walks, as Alembic's `RevisionMap` resolves them.

use crate::{GraphError, RevisionMap};

/// What an identifier names before partial ids are looked up.
pub(crate) enum Idents {
    /// Already revisions (`head`, `heads`, `base` -> none).
    Revs(Vec<usize>),
    /// A string still to be looked up as an id, a partial id or a label.
    One(String),
}

/// A position for walks: `Nothing` is Alembic's `None` (below the bases when walking up, above
/// the heads when walking down); `Base` is its `"base"` marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pos {
    Nothing,
    Base,
    Rev(usize),
}

/// Splits `label@id` at the first `@`; an empty label counts as none.
pub(crate) fn split_label(s: &str) -> (Option<&str>, &str) {
    match s.split_once('@') {
        Some((l, id)) if !l.is_empty() => (Some(l), id),
        Some((_, id)) => (None, id),
        None => (None, s),
    }
}

fn is_negative_int(s: &str) -> bool {
    s.strip_prefix('-')
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

impl RevisionMap {
    pub(crate) fn resolve_number(&self, s: &str) -> Result<(Idents, Option<String>), GraphError> {
        let (label, id) = split_label(s);
        let label = label.map(str::to_string);
        let idents = match id {
            "heads" => match &label {
                Some(l) => Idents::Revs(self.filter_for_lineage(&self.heads, l, false)?),
                None => Idents::Revs(self.real_heads.clone()),
            },
            "head" => Idents::Revs(self.current_head(label.as_deref())?.into_iter().collect()),
            "base" => Idents::Revs(Vec::new()),
            other => Idents::One(other.to_string()),
        };
        Ok((idents, label))
    }

    /// Alembic's `get_current_head`: the single versioned head, optionally within a branch.
    pub(crate) fn current_head(&self, label: Option<&str>) -> Result<Option<usize>, GraphError> {
        let heads = match label {
            Some(l) => self.filter_for_lineage(&self.heads, l, false)?,
            None => self.heads.clone(),
        };
        if heads.len() > 1 {
            let argument = label.map_or("head".to_string(), |l| format!("{l}@head"));
            return Err(GraphError::MultipleHeads {
                argument,
                heads: self.ids(heads),
            });
        }
        Ok(heads.first().copied())
    }

    /// Alembic's `get_revisions` for one string: zero or more revisions.
    pub(crate) fn get_revisions(&self, s: &str) -> Result<Vec<usize>, GraphError> {
        let (idents, label) = self.resolve_number(s)?;
        match idents {
            Idents::Revs(v) => Ok(v),
            Idents::One(x) if is_negative_int(&x) => Err(GraphError::BadTarget {
                target: s.to_string(),
                reason: "a relative step is not allowed here".into(),
            }),
            Idents::One(x) => Ok(vec![self.revision_for_ident(&x, label.as_deref())?]),
        }
    }

    /// Alembic's `get_revision`: at most one revision (`None` for base).
    pub(crate) fn get_revision(&self, s: &str) -> Result<Option<usize>, GraphError> {
        let (idents, label) = self.resolve_number(s)?;
        match idents {
            Idents::Revs(v) if v.len() > 1 => Err(GraphError::MultipleHeads {
                argument: s.to_string(),
                heads: self.ids(v),
            }),
            Idents::Revs(v) => {
                let branch = label
                    .as_deref()
                    .map(|l| self.resolve_branch(l))
                    .transpose()?;
                if let (Some(&r), Some(b)) = (v.first(), branch) {
                    if !self.shares_lineage(r, &[b], false) {
                        return Err(GraphError::NotOnBranch {
                            revision: self.id(r).to_string(),
                            label: label.unwrap_or_default(),
                        });
                    }
                }
                Ok(v.first().copied())
            }
            Idents::One(x) => self.revision_for_ident(&x, label.as_deref()).map(Some),
        }
    }

    /// A branch name: an exact label or id, else a unique partial id.
    pub(crate) fn resolve_branch(&self, label: &str) -> Result<usize, GraphError> {
        if let Some(&i) = self.keys.get(label) {
            return Ok(i);
        }
        self.revision_for_ident(label, None)
            .map_err(|_| GraphError::NoSuchBranch {
                label: label.to_string(),
            })
    }

    /// An exact id or label, else a unique prefix of one (longer than three characters), and
    /// when a branch is given, a member of it.
    pub(crate) fn revision_for_ident(
        &self,
        ident: &str,
        branch: Option<&str>,
    ) -> Result<usize, GraphError> {
        let branch_rev = branch.map(|b| self.resolve_branch(b)).transpose()?;
        let found = match self.keys.get(ident) {
            Some(&i) => i,
            None => {
                if ident.is_empty() {
                    return Err(GraphError::EmptyTarget);
                }
                let mut candidates: Vec<&String> = self
                    .key_order
                    .iter()
                    .filter(|k| k.chars().count() > 3 && k.starts_with(ident))
                    .collect();
                if let Some(b) = branch_rev {
                    candidates.retain(|k| {
                        self.keys
                            .get(*k)
                            .is_some_and(|&i| self.shares_lineage(i, &[b], false))
                    });
                }
                match candidates.as_slice() {
                    [] => {
                        return Err(GraphError::NotFound {
                            ident: ident.to_string(),
                            short: ident.chars().count() < 4,
                        })
                    }
                    [one] => self.keys[*one],
                    many => {
                        return Err(GraphError::AmbiguousPrefix {
                            ident: ident.to_string(),
                            candidates: many.iter().take(3).map(|s| s.to_string()).collect(),
                        })
                    }
                }
            }
        };
        if let (Some(b), Some(label)) = (branch_rev, branch) {
            if !self.shares_lineage(found, &[b], false) {
                return Err(GraphError::NotOnBranch {
                    revision: self.id(found).to_string(),
                    label: label.to_string(),
                });
            }
        }
        Ok(found)
    }

    /// True when `target` is an ancestor or descendant of (or equal to) one of `against`.
    pub(crate) fn shares_lineage(&self, target: usize, against: &[usize], deps: bool) -> bool {
        if against.is_empty() {
            return true;
        }
        let anc = self.ancestors(&[target], deps);
        if against.iter().any(|a| anc.contains(a)) {
            return true;
        }
        let desc = self.descendants(&[target], deps);
        against.iter().any(|a| desc.contains(a))
    }

    /// Alembic's `filter_for_lineage`: the targets related to what `check_against` names
    /// (its label's revision and its ids). Nothing is resolved when there are no targets.
    pub(crate) fn filter_for_lineage(
        &self,
        targets: &[usize],
        check_against: &str,
        deps: bool,
    ) -> Result<Vec<usize>, GraphError> {
        if targets.is_empty() {
            return Ok(Vec::new());
        }
        let (idents, label) = self.resolve_number(check_against)?;
        let mut shares = Vec::new();
        if let Some(l) = &label {
            shares.push(self.revision_for_ident(l, None)?);
        }
        match idents {
            Idents::Revs(v) => shares.extend(v),
            Idents::One(x) => shares.push(self.revision_for_ident(&x, None)?),
        }
        Ok(targets
            .iter()
            .copied()
            .filter(|&t| self.shares_lineage(t, &shares, deps))
            .collect())
    }

    /// Alembic's `_walk`: `steps` up (positive) or down (negative) from `start`. `Ok(None)` when
    /// the walk runs off the graph (with `no_overwalk`).
    pub(crate) fn walk(
        &self,
        start: Pos,
        steps: i64,
        label: Option<&str>,
        no_overwalk: bool,
        target: &str,
    ) -> Result<Option<Pos>, GraphError> {
        let mut at = start;
        for _ in 0..steps.unsigned_abs() {
            let children: Vec<Pos> = if steps > 0 {
                let up = match at {
                    Pos::Nothing => self.bases.clone(),
                    Pos::Rev(r) => self.nodes[r].next.clone(),
                    Pos::Base => {
                        return Err(GraphError::BadTarget {
                            target: target.to_string(),
                            reason: "cannot walk up from base".into(),
                        })
                    }
                };
                let up = match label {
                    Some(l) => self.filter_for_lineage(&up, l, false)?,
                    None => up,
                };
                up.into_iter().map(Pos::Rev).collect()
            } else {
                match at {
                    Pos::Base => Vec::new(),
                    Pos::Nothing if self.heads.is_empty() => vec![Pos::Base],
                    Pos::Nothing => self.heads.iter().map(|&h| Pos::Rev(h)).collect(),
                    Pos::Rev(r) if self.nodes[r].down.is_empty() => vec![Pos::Base],
                    Pos::Rev(r) => self.nodes[r].down.iter().map(|&d| Pos::Rev(d)).collect(),
                }
            };
            match children.as_slice() {
                [] => return Ok(if no_overwalk { None } else { Some(at) }),
                [one] => at = *one,
                _ => {
                    return Err(GraphError::AmbiguousWalk {
                        target: target.to_string(),
                    })
                }
            }
        }
        Ok(Some(at))
    }

    /// Rows plus everything below them, reduced to branch tips (Alembic's `_get_all_current`).
    pub(crate) fn all_current(&self, rows: &[usize]) -> Vec<usize> {
        let all = self.ancestors(rows, true);
        let mut tips: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&r| {
                !self
                    .descendants(&[r], false)
                    .iter()
                    .any(|d| *d != r && all.contains(d))
            })
            .collect();
        tips.sort_unstable();
        tips
    }

    /// Resolves version-table rows to revisions.
    pub(crate) fn resolve_rows(&self, rows: &[String]) -> Result<Vec<usize>, GraphError> {
        rows.iter()
            .map(|r| {
                self.revision_for_ident(r, None).map_err(|e| match e {
                    GraphError::AmbiguousPrefix { .. } => e,
                    _ => GraphError::UnknownRow { row: r.clone() },
                })
            })
            .collect()
    }
}
