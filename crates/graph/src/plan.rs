use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::resolve::split_label;
use crate::target::parse_relative;
use crate::{GraphError, RevisionMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Upgrade,
    Downgrade,
    Stamp,
}

/// One change to the version table, written as Alembic writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum VersionOp {
    Insert { revision: String },
    Delete { revision: String },
    Update { from: String, to: String },
}

/// One step of a plan: a revision's upgrade or downgrade body, or a stamp, followed by its
/// version-table changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Step {
    /// The revision whose body runs; for a stamp, the revision stamped (or the row removed).
    pub revision: String,
    pub direction: Direction,
    /// Alembic's log line `upgrade <from> -> <to>` (down_revisions without dependencies).
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub version_ops: Vec<VersionOp>,
    /// The version rows after this step, in table order.
    pub rows_after: Vec<String>,
}

/// Everything an upgrade, downgrade or stamp will do, decided before anything runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Plan {
    pub direction: Direction,
    pub target: String,
    pub rows_before: Vec<String>,
    pub steps: Vec<Step>,
    pub rows_after: Vec<String>,
    /// Stamp with `--purge` deletes every row before its steps.
    pub purge: bool,
}

impl RevisionMap {
    /// The steps of `upgrade <target>` from the given version rows, in Alembic's order.
    pub fn plan_upgrade(&self, rows: &[String], target: &str) -> Result<Plan, GraphError> {
        let current = self.resolve_rows(rows)?;
        let targets = self.parse_upgrade_target(&current, target)?;
        let required = self
            .ancestors_checked(&targets)
            .map_err(|(r, o)| GraphError::Overlap {
                revision: self.id(r).to_string(),
                others: self.ids(o),
            })?;
        let have = self
            .ancestors_checked(&current)
            .map_err(|_| GraphError::OverlappingRows {
                rows: rows.to_vec(),
            })?;
        let needs: HashSet<usize> = required.difference(&have).copied().collect();
        let mut order = self.topo_sort(&needs, &targets);
        order.reverse();
        self.build_plan(Direction::Upgrade, target, rows, &order)
    }

    /// The steps of `downgrade <target>` from the given version rows, in Alembic's order.
    pub fn plan_downgrade(&self, rows: &[String], target: &str) -> Result<Plan, GraphError> {
        let current = self.resolve_rows(rows)?;
        if let Some(rel) = parse_relative(target) {
            let mut distinct = current.clone();
            distinct.sort_unstable();
            distinct.dedup();
            // Alembic warns here and downgrades whichever row the database returns first.
            if rel.label.is_none() && rel.symbol.is_none() && rel.value < 0 && distinct.len() > 1 {
                return Err(GraphError::AmbiguousRelative {
                    target: target.to_string(),
                    rows: rows.to_vec(),
                });
            }
        }
        let (label, target_rev) = self.parse_downgrade_target(&current, target)?;
        let (mut roots, root_count): (Vec<usize>, usize) = match target_rev {
            None => {
                // Alembic counts a base once per map key (its id and each of its labels).
                let bases = self.bases.clone();
                let count = bases
                    .iter()
                    .map(|&b| 1 + self.nodes[b].declared_labels.len())
                    .sum();
                (bases, count)
            }
            Some(t) => {
                let next = self.nodes[t].next.clone();
                let n = next.len();
                (next, n)
            }
        };
        if let Some(l) = &label {
            if root_count > 1 {
                let branch = self.resolve_branch(l)?;
                let anc = self.ancestors(&[branch], false);
                roots.retain(|r| anc.contains(r));
                if roots.is_empty() {
                    return Err(GraphError::NotADowngradeTarget {
                        target: target.to_string(),
                        rows: rows.to_vec(),
                    });
                }
            }
        }
        let above = self.descendants(&roots, true);
        let active = self.ancestors(&current, true);
        let drop: HashSet<usize> = above.intersection(&active).copied().collect();
        if let Some(t) = target_rev {
            if drop.is_empty() && !current.contains(&t) {
                return Err(GraphError::NotADowngradeTarget {
                    target: target.to_string(),
                    rows: rows.to_vec(),
                });
            }
        }
        let order = self.topo_sort(&drop, &current);
        self.build_plan(Direction::Downgrade, target, rows, &order)
    }

    fn build_plan(
        &self,
        direction: Direction,
        target: &str,
        rows: &[String],
        order: &[usize],
    ) -> Result<Plan, GraphError> {
        let mut table = rows.to_vec();
        let mut steps = Vec::with_capacity(order.len());
        let up = direction == Direction::Upgrade;
        for &r in order {
            let version_ops = self.revision_ops(&mut table, r, up)?;
            let (from, to) = if up {
                (
                    self.ids(self.nodes[r].down.iter().copied()),
                    vec![self.id(r).to_string()],
                )
            } else {
                (
                    vec![self.id(r).to_string()],
                    self.ids(self.nodes[r].down.iter().copied()),
                )
            };
            steps.push(Step {
                revision: self.id(r).to_string(),
                direction,
                from,
                to,
                version_ops,
                rows_after: table.clone(),
            });
        }
        Ok(Plan {
            direction,
            target: target.to_string(),
            rows_before: rows.to_vec(),
            steps,
            rows_after: table,
            purge: false,
        })
    }

    /// The revision a target names on its own (`head`, an id, `label@head`...), for display and
    /// for "upgrade to here"; relative targets are not accepted.
    pub fn resolve(&self, ident: &str) -> Result<Option<String>, GraphError> {
        if split_label(ident).1.is_empty() {
            return Err(GraphError::EmptyTarget);
        }
        Ok(self.get_revision(ident)?.map(|i| self.id(i).to_string()))
    }
}
